"""Photo and certificate files: served inside the committee only, never sniffed into pages."""

import datetime
import io

import pytest
from django.urls import reverse
from PIL import Image

from activities import achievement_services, photo_services
from activities.enums import AchievementKind, AchievementLevel
from activities.tasks import make_photo_display_sizes
from members.models import Member
from tests.activities import image_files as files


@pytest.fixture
def photo(activity, teacher):
    photo = photo_services.photo_upload(
        actor=teacher, activity=activity, files=[files.upload("IMG_0001.jpg", files.jpeg_bytes((2000, 1500)))]
    ).saved[0]
    make_photo_display_sizes(photo.pk)
    photo.refresh_from_db()
    return photo


def _url(photo, size="original"):
    return reverse("activities:photo_file", args=[photo.pk, size])


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize(
    ("size", "dimensions"), [("original", (2000, 1500)), ("small", (320, 240)), ("large", (1600, 1200))]
)
@pytest.mark.parametrize("persona", ["teacher", "leader_b", "secretary", "branch_secretary"])
def test_everyone_of_the_committee_sees_each_size(request, login, photo, persona, size, dimensions):
    response = login(request.getfixturevalue(persona)).get(_url(photo, size))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert Image.open(io.BytesIO(_body(response))).size == dimensions


@pytest.mark.parametrize("size", ["original", "small", "large"])
def test_another_school_gets_404_on_every_file_url(login, photo, other_school_user, size):
    response = login(other_school_user).get(_url(photo, size))
    assert response.status_code == 404
    assert b"\xff\xd8" not in response.content


def test_anonymous_is_sent_to_login(anonymous_client, photo):
    response = anonymous_client.get(_url(photo))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_missing_display_size_unknown_size_and_archived_photo_are_404(login, activity, teacher):
    photo = photo_services.photo_upload(
        actor=teacher, activity=activity, files=[files.upload("a.jpg", files.jpeg_bytes((300, 200)))]
    ).saved[0]
    client = login(teacher)
    assert client.get(_url(photo, "small")).status_code == 404  # the task has not run yet
    assert client.get(_url(photo, "thumbnail")).status_code == 404
    assert client.get(_url(photo)).status_code == 200
    photo_services.photo_archive(actor=teacher, photo=photo)
    assert client.get(_url(photo)).status_code == 404


def test_pdf_certificate_is_a_download_and_other_schools_get_404(login, teacher, secretary, other_school_user):
    achievement = achievement_services.achievement_record(
        actor=teacher,
        data=achievement_services.AchievementData(
            kind=AchievementKind.AWARD,
            title="班主任基本功大赛",
            level=AchievementLevel.DISTRICT,
            awarded_on=datetime.date(2025, 6, 1),
            members=[Member.objects.get(user=teacher)],
        ),
        certificate=files.upload("获奖证书.pdf", files.pdf_bytes(), "application/pdf"),
    )
    url = reverse("activities:certificate_file", args=[achievement.pk])
    response = login(secretary).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert _body(response).startswith(b"%PDF-")
    assert login(other_school_user).get(url).status_code == 404
