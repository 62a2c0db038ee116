"""A small JPEG of a PDF certificate's first page, shown beside its link instead of an icon.

PDFium (pypdfium2, its binary in the wheel) renders page 1 at the scale that makes the longer
side PREVIEW_SIZE px, so the bitmap is tiny whatever the page size claims. The PDF has passed
config.document_checks already, but PDFium is C code reading an uploader's file: it runs in a
child Python process with an address-space and CPU limit and a wall-clock timeout, so a page
that would need gigabytes (a compressed content-stream bomb makes PDFium abort) or minutes
costs the request at most that, never the worker. Any failure means no preview: the
certificate is kept and shown with the PDF icon.

The parent half imports only the standard library; the child half (run as this file, in
isolated mode) imports only pypdfium2 and Pillow.
"""

import io
import logging
import resource
import subprocess
import sys
from pathlib import Path

PREVIEW_SIZE = 320
MEMORY_LIMIT_BYTES = 512 * 1024 * 1024
CPU_SECONDS = 5
TIMEOUT_SECONDS = 10
MAX_PREVIEW_BYTES = 512 * 1024

logger = logging.getLogger(__name__)


def first_page_jpeg(pdf: bytes) -> bytes | None:
    """Page 1 of `pdf` as a JPEG whose longer side is PREVIEW_SIZE px, or None if it cannot be made."""
    try:
        result = subprocess.run(
            [sys.executable, "-I", str(Path(__file__).resolve())],
            input=pdf,
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        logger.warning("certificate preview not made: %r", error)
        return None
    jpeg = result.stdout
    if result.returncode != 0 or not jpeg.startswith(b"\xff\xd8") or len(jpeg) > MAX_PREVIEW_BYTES:
        reason = result.stderr[-300:].decode(errors="replace")
        logger.warning("certificate preview not made: exit %s, %s", result.returncode, reason)
        return None
    return jpeg


def _render_stdin_to_stdout() -> None:
    # The child: limits first, before PDFium is even loaded.
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    import pypdfium2  # noqa: PLC0415 - loaded in the child only, under the limits above

    document = pypdfium2.PdfDocument(sys.stdin.buffer.read())
    page = document[0]
    width, height = page.get_size()
    scale = PREVIEW_SIZE / max(width, height, 1.0)
    image = page.render(scale=scale).to_pil().convert("RGB")
    # PDFium rounds the bitmap up; never more than the preview size on either side.
    image.thumbnail((PREVIEW_SIZE, PREVIEW_SIZE))
    output = io.BytesIO()
    image.save(output, "JPEG", quality=82, optimize=True)
    sys.stdout.buffer.write(output.getvalue())


if __name__ == "__main__":
    _render_stdin_to_stdout()
