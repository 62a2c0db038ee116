"""Photo pages: upload through the activity page, the gallery and lightbox, file URLs and the project zip."""

import io
import zipfile

import pytest
from django.conf import settings
from django.urls import reverse
from PIL import Image

from activities import photo_services
from activities.models import Photo
from activities.tasks import make_photo_display_sizes
from members.models import User
from tests.activities import image_files as files
from tests.activities.conftest import stored_files


def _upload_url(activity) -> str:
    return reverse("activities:photo_upload", args=[activity.pk])


def _messages(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in response.context["messages"]]


def test_activity_page_offers_a_multiple_camera_friendly_file_chooser(login, teacher, activity):
    page = login(teacher).get(reverse("activities:activity_detail", args=[activity.pk])).content.decode()
    assert 'data-testid="photo-upload-form"' in page
    assert 'enctype="multipart/form-data"' in page
    chooser = page[page.index('name="photos"') - 200 : page.index('name="photos"') + 200]
    assert 'type="file"' in chooser and "multiple" in chooser and 'accept="image/*"' in chooser
    assert "<script>" not in page and "style=" not in page


def test_upload_keeps_the_good_files_and_names_the_bad_one_in_chinese(login, teacher, activity, media_root):
    response = login(teacher).post(
        _upload_url(activity),
        {
            "caption": "结对辅导现场",
            "photos": [
                files.upload("IMG_0001.jpg", files.jpeg_bytes((1200, 900))),
                files.upload("notes.jpg", files.text_as_jpeg()),
                files.upload("IMG_0002.png", files.sixteen_bit_png()),
            ],
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("activities:activity_detail", args=[activity.pk]) + "#gallery"
    photos = list(Photo.objects.order_by("pk"))
    assert [(p.original_name, p.caption, p.uploaded_by) for p in photos] == [
        ("IMG_0001.jpg", "结对辅导现场", teacher),
        ("IMG_0002.png", "结对辅导现场", teacher),
    ]
    assert len(stored_files(media_root)) == 2
    shown = _messages(response)
    assert ("success", "已上传 2 张照片，缩略图稍后生成。") in shown
    errors = [text for level, text in shown if level == "error"]
    assert len(errors) == 1 and errors[0].startswith("「notes.jpg」未上传：") and "不是支持的图片格式" in errors[0]
    # Display sizes are made after the commit, so the page shows both photos as being processed.
    assert response.content.decode().count('data-testid="photo-pending"') == 2


def test_gallery_shows_a_placeholder_until_the_display_sizes_exist(login, teacher, activity):
    photo_services.photo_upload(
        actor=teacher, activity=activity, files=[files.upload("a.jpg", files.jpeg_bytes((900, 600)))]
    )
    photo = Photo.objects.get()
    client = login(teacher)
    url = reverse("activities:activity_detail", args=[activity.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="photo-pending"' in page and "处理中" in page
    assert reverse("activities:photo_file", args=[photo.pk, "small"]) not in page

    make_photo_display_sizes(photo.pk)
    page = client.get(url).content.decode()
    assert 'data-testid="photo-pending"' not in page
    assert f'src="{reverse("activities:photo_file", args=[photo.pk, "small"])}"' in page
    assert f'href="{reverse("activities:photo_file", args=[photo.pk, "large"])}"' in page
    assert 'data-lightbox="activity"' in page and 'id="lightbox-activity"' in page
    assert "js/lightbox.js" in page


def test_nothing_uploads_without_files(login, teacher, activity):
    response = login(teacher).post(_upload_url(activity), {"caption": "空"}, follow=True)
    assert ("error", "请选择要上传的照片。") in _messages(response)
    assert not Photo.objects.exists()


@pytest.mark.parametrize(("username", "status"), [("teacher2", 403), ("leader2", 403), ("hy-teacher1", 404)])
def test_only_the_groups_people_upload(login, activity, media_root, username, status):
    response = login(User.objects.get(username=username)).post(
        _upload_url(activity), {"photos": [files.upload("a.jpg", files.jpeg_bytes((300, 200)))]}
    )
    assert response.status_code == status
    assert not Photo.objects.exists() and stored_files(media_root) == []


def test_no_upload_form_or_upload_on_a_concluded_project(login, teacher, secretary, activity):
    from projects import services as project_services

    project_services.project_conclude(actor=secretary, project=activity.project, comment="按期完成。")
    client = login(teacher)
    page = client.get(reverse("activities:activity_detail", args=[activity.pk])).content.decode()
    assert 'data-testid="photo-upload-form"' not in page
    response = client.post(_upload_url(activity), {"photos": [files.upload("a.jpg", files.jpeg_bytes((300, 200)))]})
    assert response.status_code == 403 and not Photo.objects.exists()


def test_the_uploader_removes_a_photo_from_the_gallery_others_may_not(login, teacher, leader_b, activity):
    photo = photo_services.photo_upload(
        actor=teacher, activity=activity, files=[files.upload("a.jpg", files.jpeg_bytes((300, 200)))]
    ).saved[0]
    url = reverse("activities:photo_archive", args=[photo.pk])
    assert login(leader_b).post(url).status_code == 403
    assert not Photo.objects.get(pk=photo.pk).is_archived
    response = login(teacher).post(url)
    assert response.status_code == 302
    assert Photo.objects.get(pk=photo.pk).is_archived  # archived, not deleted
    page = login(teacher).get(reverse("activities:activity_detail", args=[activity.pk])).content.decode()
    assert 'data-testid="gallery-photo"' not in page


@pytest.fixture
def ready_photo(activity, teacher) -> Photo:
    photo = photo_services.photo_upload(
        actor=teacher,
        activity=activity,
        files=[files.upload("IMG_0001.jpg", files.jpeg_bytes((2000, 1500)))],
        caption="示范课",
    ).saved[0]
    make_photo_display_sizes(photo.pk)
    photo.refresh_from_db()
    return photo


@pytest.mark.parametrize(("size", "width"), [("original", 2000), ("large", 1600), ("small", 320)])
def test_photo_file_urls_are_private_images_that_are_never_sniffed(login, secretary, ready_photo, size, width):
    response = login(secretary).get(reverse("activities:photo_file", args=[ready_photo.pk, size]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"].startswith("private")
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).size[0] == width


@pytest.mark.parametrize("size", ["original", "large", "small"])
def test_photo_file_urls_are_404_for_another_school_and_a_login_for_anonymous(
    login, anonymous_client, other_school_user, ready_photo, size
):
    url = reverse("activities:photo_file", args=[ready_photo.pk, size])
    assert login(other_school_user).get(url).status_code == 404
    response = anonymous_client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_media_is_not_served_at_media_url(login, secretary, ready_photo):
    response = login(secretary).get("/" + settings.MEDIA_URL.strip("/") + "/" + ready_photo.original.name)
    assert response.status_code == 404


def _zip_of(client, project) -> zipfile.ZipFile:
    response = client.get(reverse("activities:project_photos_zip", args=[project.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_project_zip_holds_every_current_photo_with_readable_names(login, leader_b, teacher, activity, ready_photo):
    second = photo_services.photo_upload(
        actor=teacher, activity=activity, files=[files.upload("IMG_0002.png", files.sixteen_bit_png())]
    ).saved[0]
    archived = photo_services.photo_upload(
        actor=teacher, activity=activity, files=[files.upload("old.jpg", files.jpeg_bytes((300, 200)))]
    ).saved[0]
    photo_services.photo_archive(actor=teacher, photo=archived)
    archive = _zip_of(login(leader_b), activity.project)  # any member of the committee may download
    assert archive.namelist() == [
        "2025-10-15_一对一助学_01.jpg",
        f"2025-10-15_一对一助学_02{second.original.name[-4:]}",
    ]
    with ready_photo.original.open("rb") as original:
        assert archive.read("2025-10-15_一对一助学_01.jpg") == original.read()


def test_project_zip_is_404_for_another_school(login, other_school_user, ready_photo):
    url = reverse("activities:project_photos_zip", args=[ready_photo.activity.project_id])
    assert login(other_school_user).get(url).status_code == 404


def test_project_page_gallery_links_the_zip_and_the_lightbox(login, teacher, ready_photo):
    page = login(teacher).get(reverse("projects:detail", args=[ready_photo.activity.project_id])).content.decode()
    assert reverse("activities:project_photos_zip", args=[ready_photo.activity.project_id]) in page
    assert 'data-lightbox="project"' in page and 'data-caption="示范课"' in page
