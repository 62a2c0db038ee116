"""Photo uploads through the service: the bad-upload set, metadata, display sizes, permissions."""

import io

import pytest
from django.conf import settings
from PIL import ExifTags, Image

from activities import activity_services, images, photo_services
from activities.errors import ActivityError
from activities.models import Photo
from activities.tasks import make_photo_display_sizes
from members.models import User
from tests.activities import image_files as files
from tests.activities.conftest import stored_files

BAD_UPLOADS = [
    ("notes.jpg", files.text_as_jpeg, "不是支持的图片格式"),
    ("half.jpg", files.truncated_jpeg, "损坏或不完整"),
    ("bomb.png", lambda: files.huge_bilevel_png(20000, 20000), "尺寸过大"),
    ("120mp.png", lambda: files.huge_bilevel_png(12000, 10000), "尺寸过大"),
    ("page.jpg", files.html_with_jpeg_header, "不是支持的图片格式"),
    ("logo.svg", files.svg_with_script, "不是支持的图片格式"),
    ("huge.jpg", lambda: files.over_size_limit(images.MAX_UPLOAD_BYTES), "超过 15 MB"),
]
GOOD_UPLOADS = [
    ("cmyk.jpg", lambda: files.jpeg_bytes((640, 480), mode="CMYK")),
    ("scan.png", files.sixteen_bit_png),
]

eager_only = pytest.mark.skipif(
    bool(settings.REDIS_URL), reason="with REDIS_URL tasks go to the broker; the `worker` test covers that run"
)


def _upload(actor, activity, *uploads, caption="结对辅导"):
    return photo_services.photo_upload(
        actor=actor, activity=activity, files=[files.upload(name, build()) for name, build in uploads], caption=caption
    )


@pytest.mark.parametrize(("name", "build", "message"), BAD_UPLOADS)
def test_each_bad_file_is_refused_and_nothing_is_half_saved(
    activity, teacher, media_root, django_capture_on_commit_callbacks, name, build, message
):
    with django_capture_on_commit_callbacks() as callbacks:
        result = _upload(teacher, activity, (name, build))
    assert result.saved == []
    assert [(refusal.file_name, message in refusal.message) for refusal in result.refused] == [(name, True)]
    assert not Photo.objects.exists()
    assert stored_files(media_root) == []
    assert callbacks == []


@pytest.mark.parametrize(("name", "build"), GOOD_UPLOADS)
def test_cmyk_jpeg_and_16_bit_png_are_accepted(activity, teacher, media_root, name, build):
    result = _upload(teacher, activity, (name, build))
    assert result.refused == []
    photo = Photo.objects.get()
    assert (photo.activity, photo.uploaded_by, photo.original_name, photo.caption) == (
        activity,
        teacher,
        name,
        "结对辅导",
    )
    assert stored_files(media_root) == [media_root / photo.original.name]
    assert name not in photo.original.name  # random storage name
    make_photo_display_sizes(photo.pk)
    photo.refresh_from_db()
    with photo.display_small.open("rb") as small:
        assert Image.open(small).mode == "RGB"


def test_one_upload_saves_the_good_files_and_names_each_bad_one(
    activity, teacher, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        result = _upload(
            teacher,
            activity,
            ("IMG_0001.jpg", lambda: files.jpeg_bytes((1200, 900))),
            ("notes.jpg", files.text_as_jpeg),
            ("IMG_0002.png", files.sixteen_bit_png),
            ("bomb.png", lambda: files.huge_bilevel_png(20000, 20000)),
        )
    assert [photo.original_name for photo in result.saved] == ["IMG_0001.jpg", "IMG_0002.png"]
    assert [refusal.file_name for refusal in result.refused] == ["notes.jpg", "bomb.png"]
    assert Photo.objects.count() == 2
    assert len(stored_files(media_root)) == 2
    # One display-size task per saved photo, queued for after the commit, none run yet.
    assert [getattr(callback, "func", callback).__name__ for callback in callbacks].count("_send_display_sizes") == 2
    assert not any(photo.has_display_sizes for photo in Photo.objects.all())


@eager_only
def test_display_sizes_are_made_in_process_after_commit(activity, teacher, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(teacher, activity, ("wide.jpg", lambda: files.jpeg_bytes((3200, 1800))))
    photo = Photo.objects.get()
    assert photo.has_display_sizes
    with photo.display_small.open("rb") as small, photo.display_large.open("rb") as large:
        assert (Image.open(small).size, Image.open(large).size) == ((320, 180), (1600, 900))


def test_gps_is_gone_from_the_original_and_every_display_size(activity, teacher):
    source = files.jpeg_bytes((2000, 1500), exif=files.gps_exif())
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    _upload(teacher, activity, ("gps.jpg", lambda: source))
    photo = Photo.objects.get()
    make_photo_display_sizes(photo.pk)
    photo.refresh_from_db()
    for image_file in (photo.original, photo.display_small, photo.display_large):
        with image_file.open("rb") as stored:
            content = stored.read()
        exif = Image.open(io.BytesIO(content)).getexif()
        assert dict(exif) == {} and exif.get_ifd(ExifTags.IFD.GPSInfo) == {}
        assert b"Exif" not in content and b"Camera 12" not in content


def test_running_the_task_twice_is_harmless(activity, teacher, media_root):
    _upload(teacher, activity, ("a.jpg", lambda: files.jpeg_bytes((1800, 1200))))
    photo = Photo.objects.get()
    assert make_photo_display_sizes(photo.pk) is True
    first = Photo.objects.values_list("display_small", "display_large").get()
    files_after_first = stored_files(media_root)
    assert make_photo_display_sizes(photo.pk) is True
    assert Photo.objects.values_list("display_small", "display_large").get() == first
    assert stored_files(media_root) == files_after_first
    assert len(files_after_first) == 3


def test_a_missing_display_file_is_made_again_without_leaving_the_old_one(activity, teacher, media_root):
    _upload(teacher, activity, ("a.jpg", lambda: files.jpeg_bytes((900, 600))))
    photo = Photo.objects.get()
    make_photo_display_sizes(photo.pk)
    photo.refresh_from_db()
    photo.display_large.storage.delete(photo.display_large.name)
    make_photo_display_sizes(photo.pk)
    photo.refresh_from_db()
    assert photo.display_large.storage.exists(photo.display_large.name)
    assert len(stored_files(media_root)) == 3


def test_task_for_a_photo_that_no_longer_exists_does_nothing(db):
    assert make_photo_display_sizes(987654) is False


def test_group_leader_may_upload_too(activity, leader_a):
    result = _upload(leader_a, activity, ("a.jpg", lambda: files.jpeg_bytes((300, 200))))
    assert [photo.uploaded_by for photo in result.saved] == [leader_a]


@pytest.mark.parametrize("username", ["teacher2", "leader2", "secretary", "hy-secretary", "hy-teacher1"])
def test_others_cannot_upload_to_a_groups_activity(activity, media_root, demo_schools, username):
    with pytest.raises(ActivityError):
        _upload(User.objects.get(username=username), activity, ("a.jpg", lambda: files.jpeg_bytes((300, 200))))
    assert not Photo.objects.exists()
    assert stored_files(media_root) == []


def test_no_uploads_to_a_concluded_project_or_an_archived_activity(activity, teacher, leader_a, secretary):
    from projects import services as project_services

    activity_services.activity_log_archive(actor=leader_a, activity=activity)
    with pytest.raises(ActivityError):
        _upload(teacher, activity, ("a.jpg", lambda: files.jpeg_bytes((300, 200))))
    project_services.project_conclude(actor=secretary, project=activity.project)
    with pytest.raises(ActivityError):
        _upload(leader_a, activity, ("a.jpg", lambda: files.jpeg_bytes((300, 200))))
    assert not Photo.objects.exists()


def test_archiving_a_photo_is_for_its_uploader_or_the_leader(activity, teacher, leader_b):
    photo = _upload(teacher, activity, ("a.jpg", lambda: files.jpeg_bytes((300, 200)))).saved[0]
    with pytest.raises(ActivityError):
        photo_services.photo_archive(actor=leader_b, photo=photo)
    assert not Photo.objects.get(pk=photo.pk).is_archived
    photo_services.photo_archive(actor=teacher, photo=photo)
    assert Photo.objects.get(pk=photo.pk).is_archived
