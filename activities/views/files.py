"""Files of activities: photos and certificates, served only inside their own committee.

Everything outside the viewer's committee is 404 (not 403), so ids of other schools reveal
nothing. Responses forbid type sniffing and carry a sandboxing CSP, and anything that is not
one of our re-encoded images is sent as an attachment.
"""

from pathlib import Path

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe

from config.document_checks import CONTENT_TYPES, IMAGE_KINDS
from config.protected_files import protected_file_response

from .. import achievement_selectors, photo_selectors
from ..models import Achievement

_IMAGE_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}
_SIZES = {"original": "original", "small": "display_small", "large": "display_large"}


def _file_response(field_file, download_name: str) -> HttpResponseBase:
    # Photos and their display sizes are our own re-encoded files, named by our encoder.
    content_type = _IMAGE_TYPES.get(Path(field_file.name).suffix.lower())
    return protected_file_response(
        field_file,
        filename=download_name,
        as_attachment=content_type is None,
        content_type=content_type or "application/octet-stream",
    )


@require_safe
def photo_file(request: HttpRequest, photo_id: int, size: str) -> HttpResponseBase:
    """A photo's original or display size; 404 outside the committee, when archived or not made yet."""
    photo = photo_selectors.photo_for(request.user, photo_id)
    if (
        photo is None
        or photo.is_archived
        or size not in _SIZES
        or not request.user.has_perm("activities.view_photo", photo)
    ):
        raise Http404
    field_file = getattr(photo, _SIZES[size])
    if not field_file:
        raise Http404
    return _file_response(field_file, photo.original_name or "photo")


def _readable_achievement(request: HttpRequest, achievement_id: int) -> Achievement:
    achievement = achievement_selectors.achievement_for(request.user, achievement_id)
    if (
        achievement is None
        or not achievement.certificate
        or not request.user.has_perm("activities.view_achievement", achievement)
    ):
        raise Http404
    return achievement


@require_safe
def certificate_file(request: HttpRequest, achievement_id: int) -> HttpResponseBase:
    """An achievement's certificate: an image inline, a PDF as a download.

    Only for those who may read the achievement: a pending or rejected one's certificate stays
    with those concerned, like its page.
    """
    achievement = _readable_achievement(request, achievement_id)
    # Served as the kind found at upload: never a type guessed from the uploader's file name.
    kind = achievement.certificate_kind
    return protected_file_response(
        achievement.certificate,
        filename=achievement.certificate_name or "certificate",
        as_attachment=kind not in IMAGE_KINDS,
        content_type=CONTENT_TYPES.get(kind, "application/octet-stream"),
    )


@require_safe
def certificate_preview_file(request: HttpRequest, achievement_id: int) -> HttpResponseBase:
    """The first-page preview of a PDF certificate, inline, for exactly those who may open the certificate."""
    achievement = _readable_achievement(request, achievement_id)
    if not achievement.certificate_preview:
        raise Http404
    # Our own JPEG, rendered at upload (certificate_previews).
    return protected_file_response(
        achievement.certificate_preview, filename="preview.jpg", as_attachment=False, content_type="image/jpeg"
    )
