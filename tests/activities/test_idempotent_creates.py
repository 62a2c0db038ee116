"""A repeated post of a create form (double tap, reload, retry) answers with the row the first made."""

import uuid

from django.urls import reverse

from activities.models import Achievement, ActivityLog, Photo
from projects.models import MicroProject
from tests.activities import image_files as files
from tests.activities.conftest import stored_files
from tests.activities.test_achievement_views import form_data, member_of
from tests.activities.test_activity_views import _post_data
from tests.form_fields import form_fields


def _client_id(page: str) -> str:
    value = form_fields(page)["client_id"]
    uuid.UUID(value)
    return value


def test_each_create_form_carries_a_fresh_one_time_id_and_disables_its_button(login, leader_a, open_project):
    client = login(leader_a)
    for url in (
        reverse("activities:activity_create", args=[open_project.pk]),
        reverse("projects:create"),
        reverse("activities:achievement_create"),
    ):
        first, second = client.get(url).content.decode(), client.get(url).content.decode()
        assert _client_id(first) != _client_id(second), url
        assert "data-submit-once" in first and "/static/js/submit-once.js" in first


def test_an_activity_posted_twice_is_one_activity(login, leader_a, open_project):
    client = login(leader_a)
    url = reverse("activities:activity_create", args=[open_project.pk])
    data = _post_data(open_project) | {"client_id": str(uuid.uuid4())}

    first, second = client.post(url, data), client.post(url, data)

    activity = ActivityLog.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("activities:activity_detail", args=[activity.pk])
    assert str(activity.client_id) == data["client_id"]


def test_without_a_one_time_id_each_post_is_a_new_activity(login, leader_a, open_project):
    client = login(leader_a)
    url = reverse("activities:activity_create", args=[open_project.pk])
    client.post(url, _post_data(open_project))
    client.post(url, _post_data(open_project))
    assert ActivityLog.objects.count() == 2


def test_an_application_posted_twice_is_one_application(login, leader_a, rubric):
    client = login(leader_a)
    fields = form_fields(client.get(reverse("projects:create")).content.decode())
    fields |= {"title": "双击的申报"}

    first, second = client.post(reverse("projects:create"), fields), client.post(reverse("projects:create"), fields)

    project = MicroProject.objects.get(title="双击的申报")
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert project.events.count() == 1  # one 创建 event, not two


def test_an_achievement_posted_twice_is_one_achievement(login, teacher):
    client = login(teacher)
    data = form_data(member_of(teacher)) | {"client_id": str(uuid.uuid4())}

    first = client.post(reverse("activities:achievement_create"), data)
    second = client.post(reverse("activities:achievement_create"), data)

    achievement = Achievement.objects.get()
    assert first["Location"] == second["Location"] == reverse("activities:achievement_detail", args=[achievement.pk])


def test_a_photo_upload_posted_twice_stores_each_photo_once(
    login, teacher, activity, media_root, django_capture_on_commit_callbacks
):
    client = login(teacher)
    upload_id = str(uuid.uuid4())
    url = reverse("activities:photo_upload", args=[activity.pk])

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                url,
                {
                    "client_id": upload_id,
                    "photos": [files.upload("a.jpg", files.jpeg_bytes()), files.upload("b.png", files.webp_bytes())],
                },
            )

    photos = Photo.objects.filter(activity=activity)
    assert photos.count() == 2
    originals = {photo.original.name.rsplit("/", 1)[-1] for photo in photos}
    assert {path.name for path in stored_files(media_root / "activities/photos") if path.parent.name == "photos"} == (
        originals
    )


def test_another_users_one_time_id_is_refused_and_their_row_is_not_shown(login, teacher, leader_a):
    client_id = str(uuid.uuid4())
    login(teacher).post(
        reverse("activities:achievement_create"), form_data(member_of(teacher)) | {"client_id": client_id}
    )
    theirs = Achievement.objects.get()

    response = login(leader_a).post(
        reverse("activities:achievement_create"),
        form_data(member_of(leader_a), title="另一项成果") | {"client_id": client_id},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "这份表单的提交编号已被使用，请刷新页面后重新填写。" in page
    assert theirs.title not in page
    assert list(Achievement.objects.values_list("pk", "title")) == [(theirs.pk, theirs.title)]
