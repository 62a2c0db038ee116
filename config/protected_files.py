"""The one way an uploaded file leaves the portal: after a view has checked who may see it.

MEDIA_ROOT has no public URL. A view checks scope and permission, then calls
`protected_file_response`. In the embedded run the file is streamed from this process; with
DJANGO_SENDFILE=nginx the view answers with an empty body and `X-Accel-Redirect`, and nginx
sends the bytes from an `internal` location (deploy/nginx.conf), so a photo download never ties
up a gunicorn worker.
"""

from pathlib import PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.core.files import File
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

# Whatever we serve is never rendered as a page of our origin, and never sniffed.
SANDBOX_CSP = "default-src 'none'; sandbox"


def protected_file_response(
    field_file: File,
    *,
    filename: str,
    as_attachment: bool,
    content_type: str | None = None,
    cache_control: str = "private, max-age=3600",
) -> HttpResponse | FileResponse:
    """A response for a stored file: streamed here, or handed to nginx by X-Accel-Redirect.

    `content_type` is what the upload was verified to be; without one the file is plain bytes
    (application/octet-stream), never a type guessed from a name.
    """
    if settings.SENDFILE_BACKEND == "nginx":
        name = PurePosixPath(field_file.name)
        if name.is_absolute() or ".." in name.parts:
            # Storage names are relative to MEDIA_ROOT; anything else is not ours to redirect to.
            raise ValueError(f"not a MEDIA_ROOT-relative name: {field_file.name!r}")
        response = HttpResponse(content_type=content_type or "application/octet-stream")
        response["X-Accel-Redirect"] = quote(f"{settings.SENDFILE_URL}{name.as_posix()}")
        disposition = content_disposition_header(as_attachment=as_attachment, filename=filename)
        if disposition:
            response["Content-Disposition"] = disposition
    else:
        # FileResponse would guess a missing type from `filename`, the uploader's name: never.
        response = FileResponse(
            field_file.open("rb"),
            as_attachment=as_attachment,
            filename=filename,
            content_type=content_type or "application/octet-stream",
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["Cache-Control"] = cache_control
    return response
