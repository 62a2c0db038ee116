"""A photo whose display sizes keep failing (a damaged original) is counted, shown as such, and
offered by the sweep once a day instead of every few minutes, after the photos that never failed."""

import datetime
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from activities import activity_services, photo_services
from activities.models import PHOTO_DISPLAY_MAX_FAILURES, Photo
from tests.activities import image_files as files
from tests.activities.conftest import in_progress_of, tutoring_data

OLD_ENOUGH = datetime.timedelta(minutes=5)


@pytest.fixture
def activity(leader_a):
    project = in_progress_of(leader_a)
    return activity_services.activity_log_create(actor=leader_a, project=project, data=tutoring_data(project))


def _photo_without_sizes(teacher, activity, name: str, *, damaged: bool = False) -> Photo:
    photo = photo_services.photo_upload(
        actor=teacher, activity=activity, files=[files.upload(name, files.jpeg_bytes((320, 240)))]
    ).saved[0]
    if damaged:  # e.g. a disk error after the upload was checked
        Path(photo.original.path).write_bytes(b"\xff\xd8 not a jpeg any more")
    Photo.objects.filter(pk=photo.pk).update(
        display_small="", display_large="", created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    return Photo.objects.get(pk=photo.pk)


def test_a_failure_is_counted_and_the_sweep_gives_up_after_repeated_ones(teacher, activity):
    broken = _photo_without_sizes(teacher, activity, "broken.jpg", damaged=True)
    for attempt in range(1, PHOTO_DISPLAY_MAX_FAILURES + 1):
        assert photo_services.photos_missing_display_sizes(older_than=OLD_ENOUGH, limit=10) == [broken.pk]
        with pytest.raises(OSError):
            photo_services.photo_display_sizes_make(photo_id=broken.pk)
        broken.refresh_from_db()
        assert (broken.display_failures, broken.has_display_sizes) == (attempt, False)
        assert broken.display_failed_at is not None

    assert broken.display_given_up
    assert photo_services.photos_missing_display_sizes(older_than=OLD_ENOUGH, limit=10) == []
    # A day later it is offered again, once, in case the original came back.
    Photo.objects.filter(pk=broken.pk).update(display_failed_at=timezone.now() - datetime.timedelta(days=1, minutes=1))
    assert photo_services.photos_missing_display_sizes(older_than=OLD_ENOUGH, limit=10) == [broken.pk]


def test_photos_that_never_failed_come_before_those_that_did(teacher, activity):
    broken = _photo_without_sizes(teacher, activity, "broken.jpg", damaged=True)
    with pytest.raises(OSError):
        photo_services.photo_display_sizes_make(photo_id=broken.pk)
    fresh = _photo_without_sizes(teacher, activity, "fresh.jpg")

    assert photo_services.photos_missing_display_sizes(older_than=OLD_ENOUGH, limit=1) == [fresh.pk]
    made = photo_services.photo_display_sizes_make(photo_id=fresh.pk)
    assert made.has_display_sizes and made.display_failures == 0


def test_the_gallery_says_a_given_up_photo_cannot_be_shown(login, teacher, activity):
    broken = _photo_without_sizes(teacher, activity, "broken.jpg", damaged=True)
    _photo_without_sizes(teacher, activity, "waiting.jpg")
    Photo.objects.filter(pk=broken.pk).update(display_failures=PHOTO_DISPLAY_MAX_FAILURES)

    page = login(teacher).get(reverse("activities:activity_detail", args=[activity.pk])).content.decode()
    assert page.count('data-testid="photo-failed"') == 1
    assert "无法生成预览，请重新上传" in page
    assert page.count('data-testid="photo-pending"') == 1  # the other one is still on its way
