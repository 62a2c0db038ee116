"""A PDF certificate's first page as a small JPEG beside its link, served like the certificate."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from activities.models import Achievement
from tests.activities import image_files as files
from tests.activities.test_achievement_views import form_data, member_of, recorded


def _pdf(name: str = "获奖证书.pdf", content: bytes | None = None):
    return files.upload(name, files.pdf_bytes() if content is None else content, "application/pdf")


def _preview_url(achievement: Achievement) -> str:
    return reverse("activities:certificate_preview_file", args=[achievement.pk])


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_pdf_certificate_gets_a_jpeg_of_its_first_page(login, teacher, media_root):
    achievement = recorded(teacher, certificate=_pdf())
    stored = Achievement.objects.get(pk=achievement.pk)
    assert stored.certificate_kind == "pdf" and stored.certificate_preview.name.endswith(".jpg")
    assert stored.certificate_preview.name.startswith(f"activities/certificates/{stored.committee_id}/previews/")
    image = Image.open(media_root / stored.certificate_preview.name)
    # An A4 page (595 × 842 pt) at 320 px on the long side.
    assert image.format == "JPEG" and image.height == 320 and 225 <= image.width <= 227

    client = login(teacher)
    response = client.get(_preview_url(achievement))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert not response.get("Content-Disposition", "").startswith("attachment")
    assert Image.open(io.BytesIO(_body(response))).size == image.size

    page = client.get(reverse("activities:achievement_detail", args=[achievement.pk])).content.decode()
    assert 'data-testid="certificate-preview"' in page and _preview_url(achievement) in page
    assert 'alt="证书首页预览"' in page
    assert 'data-testid="certificate-icon"' not in page


@pytest.mark.parametrize(
    "persona", ["teacher", "secretary", "committee_member", "leader_a", "leader_b", "branch_secretary"]
)
def test_the_preview_opens_for_exactly_those_who_may_open_the_certificate(request, login, teacher, persona):
    achievement = recorded(teacher, certificate=_pdf())
    client = login(request.getfixturevalue(persona))
    certificate = client.get(reverse("activities:certificate_file", args=[achievement.pk]))
    preview = client.get(_preview_url(achievement))
    assert preview.status_code == certificate.status_code
    if persona in {"teacher", "secretary", "committee_member"}:  # the recorder and the committee
        assert preview.status_code == 200 and _body(preview).startswith(b"\xff\xd8")


def test_another_school_and_anonymous_get_no_preview(login, anonymous_client, teacher, other_school_user):
    achievement = recorded(teacher, certificate=_pdf())
    response = login(other_school_user).get(_preview_url(achievement))
    assert response.status_code == 404 and b"\xff\xd8" not in response.content
    response = anonymous_client.get(_preview_url(achievement))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_image_certificate_is_its_own_thumbnail_and_has_no_preview(login, teacher):
    achievement = recorded(teacher, certificate=files.upload("证书.jpg", files.jpeg_bytes((600, 400))))
    assert not Achievement.objects.get(pk=achievement.pk).certificate_preview
    client = login(teacher)
    assert client.get(_preview_url(achievement)).status_code == 404
    page = client.get(reverse("activities:achievement_detail", args=[achievement.pk])).content.decode()
    assert 'data-testid="certificate-thumb"' in page and 'data-testid="certificate-preview"' not in page


@pytest.mark.slow
def test_a_pdf_the_renderer_cannot_render_is_kept_with_the_icon(login, teacher, secretary, media_root):
    # Passes the document checks, but its page needs more memory than the renderer may use.
    bomb = files.pdf_content_bomb()
    achievement = recorded(teacher, certificate=_pdf("大证书.pdf", bomb))
    stored = Achievement.objects.get(pk=achievement.pk)
    assert stored.certificate_kind == "pdf" and not stored.certificate_preview
    assert (media_root / stored.certificate.name).read_bytes() == bomb
    client = login(secretary)
    assert client.get(_preview_url(achievement)).status_code == 404
    certificate = client.get(reverse("activities:certificate_file", args=[achievement.pk]))
    assert certificate.status_code == 200 and _body(certificate) == bomb
    page = client.get(reverse("activities:achievement_detail", args=[achievement.pk])).content.decode()
    assert 'data-testid="certificate-icon"' in page and 'data-testid="certificate-preview"' not in page
    assert "大证书.pdf" in page


def test_replacing_the_certificate_replaces_the_preview(login, teacher, media_root, django_capture_on_commit_callbacks):
    achievement = recorded(teacher, certificate=_pdf("旧证书.pdf"))
    old_preview = Achievement.objects.get(pk=achievement.pk).certificate_preview.name
    client = login(teacher)
    edit_url = reverse("activities:achievement_edit", args=[achievement.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit_url, {**form_data(member_of(teacher)), "certificate": _pdf("新证书.pdf")})
    assert response.status_code == 302
    stored = Achievement.objects.get(pk=achievement.pk)
    assert stored.certificate_name == "新证书.pdf"
    assert stored.certificate_preview and stored.certificate_preview.name != old_preview
    assert (media_root / stored.certificate_preview.name).is_file()
    assert not (media_root / old_preview).exists()  # the old preview goes with its certificate
    assert _body(client.get(_preview_url(achievement))) == (media_root / stored.certificate_preview.name).read_bytes()

    # An image in place of the PDF is its own thumbnail: the PDF's preview goes.
    pdf_preview = stored.certificate_preview.name
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            edit_url, {**form_data(member_of(teacher)), "certificate": files.upload("证书.jpg", files.jpeg_bytes())}
        )
    assert response.status_code == 302
    stored = Achievement.objects.get(pk=achievement.pk)
    assert stored.certificate_kind == "jpeg" and not stored.certificate_preview
    assert not (media_root / pdf_preview).exists()
    assert client.get(_preview_url(achievement)).status_code == 404


def test_a_revision_without_a_new_file_keeps_the_preview(login, teacher, media_root):
    achievement = recorded(teacher, certificate=_pdf())
    preview = Achievement.objects.get(pk=achievement.pk).certificate_preview.name
    response = login(teacher).post(
        reverse("activities:achievement_edit", args=[achievement.pk]),
        form_data(member_of(teacher), title="渝中区班主任基本功大赛一等奖（更正）"),
    )
    assert response.status_code == 302
    assert Achievement.objects.get(pk=achievement.pk).certificate_preview.name == preview
    assert (media_root / preview).is_file()
