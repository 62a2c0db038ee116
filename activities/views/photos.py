"""Photo pages: upload to an activity, archive a photo, download a project's photos as a zip.

The photo bytes themselves are served only by `files.photo_file`, never from MEDIA_URL.
"""

import tempfile
import zipfile
from collections import Counter
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from projects import selectors as project_selectors

from .. import activity_selectors, photo_selectors, photo_services
from ..enums import ActivityType
from ..errors import ActivityError
from ..forms import PhotoUploadForm
from ..models import Photo


@require_POST
def photo_upload(request: HttpRequest, activity_id: int) -> HttpResponse:
    """Store the good files of an upload; each refused file gets its own message."""
    activity = activity_selectors.activity_for(request.user, activity_id)
    if activity is None:
        raise Http404
    if not request.user.has_perm("activities.upload_photo", activity):
        raise PermissionDenied
    form = PhotoUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        # An overlong caption: the page again with the caption kept and its message beside it,
        # rather than photos stored without the caption the user wrote.
        return render(
            request,
            "activities/activity_detail.html",
            {
                "activity": activity,
                "project": activity.project,
                "photos": photo_selectors.activity_gallery(activity),
                "upload_form": form,
            },
        )
    data = form.cleaned_data
    try:
        result = photo_services.photo_upload(
            actor=request.user,
            activity=activity,
            files=data.get("photos", []),
            caption=data.get("caption", ""),
            client_id=data.get("client_id"),
        )
    except ActivityError as error:
        messages.error(request, error.message)
    else:
        if result.saved:
            messages.success(request, _("已上传 %(count)s 张照片，缩略图稍后生成。") % {"count": len(result.saved)})
        for refusal in result.refused:
            messages.error(
                request,
                _("「%(name)s」未上传：%(reason)s") % {"name": refusal.file_name, "reason": refusal.message},
            )
    return redirect(reverse("activities:activity_detail", args=[activity.pk]) + "#gallery")


@require_POST
def photo_archive(request: HttpRequest, photo_id: int) -> HttpResponse:
    photo = photo_selectors.photo_for(request.user, photo_id)
    if photo is None:
        raise Http404
    if not request.user.has_perm("activities.archive_photo", photo):
        raise PermissionDenied
    try:
        photo_services.photo_archive(actor=request.user, photo=photo)
        messages.success(request, _("照片已从相册移除（原图仍保留）。"))
    except ActivityError as error:
        messages.error(request, error.message)
    return redirect(reverse("activities:activity_detail", args=[photo.activity_id]) + "#gallery")


def zip_entry_names(photos: list[Photo]) -> list[str]:
    """Readable names in the zip: 2025-03-12_示范课_01.jpg, numbered per day and activity type."""
    seen: Counter[str] = Counter()
    names = []
    for photo in photos:
        activity = photo.activity
        stem = f"{activity.date:%Y-%m-%d}_{ActivityType(activity.activity_type).label}"
        seen[stem] += 1
        names.append(f"{stem}_{seen[stem]:02d}{Path(photo.original.name).suffix.lower() or '.jpg'}")
    return names


@require_safe
def project_photos_zip(request: HttpRequest, project_id: int) -> FileResponse:
    """All current photos of a project, originals, in one zip built in a temporary file."""
    project = project_selectors.projects_visible_to(request.user).filter(pk=project_id).first()
    if project is None:
        raise Http404
    if not request.user.has_perm("projects.view_project", project):
        raise PermissionDenied
    photos = list(photo_selectors.project_photos(project))
    # On disk, not in memory: a year of photos can be hundreds of megabytes. FileResponse closes it.
    archive_file = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        # JPEGs do not compress further; storing them keeps the download fast.
        with zipfile.ZipFile(archive_file, "w", compression=zipfile.ZIP_STORED) as archive:
            for photo, name in zip(photos, zip_entry_names(photos), strict=True):
                with photo.original.open("rb") as original, archive.open(name, "w", force_zip64=True) as entry:
                    for chunk in original.chunks():
                        entry.write(chunk)
    except BaseException:
        archive_file.close()
        raise
    archive_file.seek(0)
    response = FileResponse(
        archive_file,
        as_attachment=True,
        filename=_("%(title)s_照片.zip") % {"title": project.title},
        content_type="application/zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
