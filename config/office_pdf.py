"""Converting the portal's .docx and .xlsx files to PDF with LibreOffice (``soffice --headless``).

Only where LibreOffice is installed (`deploy/` and `.ci/run` install Debian's libreoffice-writer
and libreoffice-calc); `available()` says whether it is, and callers offer no PDF without it. Each
conversion runs in a throwaway LibreOffice profile (so conversions in parallel workers never meet
on one profile's lock), with a time limit, and with `fonts/official-fonts.conf` as fontconfig's
file, so the official fonts the documents name fall back to fonts of the same style.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

FONTCONFIG = Path(__file__).resolve().parent / "fonts" / "official-fonts.conf"
TIMEOUT_SECONDS = 180


class ConversionFailed(Exception):
    """LibreOffice is missing, timed out or made no PDF."""


def soffice() -> str | None:
    """The LibreOffice program, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    return soffice() is not None


def convert_to_pdf(data: bytes, suffix: str, timeout: int = TIMEOUT_SECONDS) -> bytes:
    """The PDF of a document given as bytes with its suffix (".docx", ".xlsx")."""
    program = soffice()
    if program is None:
        raise ConversionFailed("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory(prefix="office-pdf-") as folder:
        work = Path(folder)
        source = work / f"document{suffix}"
        source.write_bytes(data)
        environment = {**os.environ, "HOME": str(work)}
        if FONTCONFIG.exists():
            environment["FONTCONFIG_FILE"] = str(FONTCONFIG)
        command = [
            program,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ]
        try:
            subprocess.run(command, env=environment, capture_output=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise ConversionFailed(f"LibreOffice did not convert the document: {error}") from error
        target = work / "document.pdf"
        if not target.exists() or target.stat().st_size == 0:
            raise ConversionFailed("LibreOffice made no PDF")
        return target.read_bytes()
