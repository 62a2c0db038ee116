"""Uploaded documents typed by their content, never by their name: PDF and OOXML checks.

A PDF is parsed with pypdf: it must open, be unencrypted, have 1 to MAX_PDF_PAGES pages, and no
object reachable from its root may carry JavaScript, launch actions, embedded or attached
files, rich media or XFA forms. An OOXML file (.docx, .xlsx, .pptx) is a zip: its entry count,
unpacked size and per-entry compression ratio are bounded before anything is unpacked, it may
hold no macros (vbaProject.bin, macro-enabled content types), no external relationships other
than hyperlinks (external workbooks, remote templates, linked OLE objects) and no XML DTD (the
billion-laughs entity expansion needs one; OOXML never uses one).

The verdict is a `DocumentKind`, stored with the file; the file is later served with that
kind's Content-Type, never with one guessed from the uploader's file name.
"""

import io
import zipfile
from typing import BinaryIO
from xml.etree import ElementTree

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

MAX_PDF_PAGES = 200
MAX_PDF_OBJECTS = 200_000
MAX_ZIP_ENTRIES = 2_000
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100  # per entry, for entries over 1 MB unpacked
_READ_CHUNK = 64 * 1024


class DocumentKind(models.TextChoices):
    JPEG = "jpeg", "JPEG"
    PNG = "png", "PNG"
    WEBP = "webp", "WebP"
    PDF = "pdf", "PDF"
    DOCX = "docx", gettext_lazy("Word 文档")
    XLSX = "xlsx", gettext_lazy("Excel 工作簿")
    PPTX = "pptx", gettext_lazy("PowerPoint 演示文稿")


CONTENT_TYPES = {
    DocumentKind.JPEG: "image/jpeg",
    DocumentKind.PNG: "image/png",
    DocumentKind.WEBP: "image/webp",
    DocumentKind.PDF: "application/pdf",
    DocumentKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    DocumentKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    DocumentKind.PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
EXTENSIONS = {kind: f".{kind.value}" for kind in DocumentKind} | {DocumentKind.JPEG: ".jpg"}
IMAGE_KINDS = {DocumentKind.JPEG, DocumentKind.PNG, DocumentKind.WEBP}
_IMAGE_EXTENSIONS = {".jpg": DocumentKind.JPEG, ".png": DocumentKind.PNG, ".webp": DocumentKind.WEBP}

# Keys and values that make a PDF act rather than show.
_ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/XFA", "/Launch"}
_ACTIVE_VALUES = {"/JavaScript", "/Launch", "/FileAttachment", "/RichMedia", "/EmbeddedFile", "/Movie", "/Sound"}

# The main part of each OOXML kind.
_OOXML_MAIN_PARTS = {
    "word/document.xml": DocumentKind.DOCX,
    "xl/workbook.xml": DocumentKind.XLSX,
    "ppt/presentation.xml": DocumentKind.PPTX,
}
_RELATIONSHIP_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


class DocumentRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def image_kind(extension: str) -> DocumentKind:
    """The kind of an image we re-encoded ourselves, from the extension our encoder chose."""
    return _IMAGE_EXTENSIONS[extension]


def check_pdf(data: bytes) -> DocumentKind:
    """DocumentKind.PDF for a PDF that only shows pages, else DocumentRefused."""
    if not data.startswith(b"%PDF-"):
        raise DocumentRefused(_("不是有效的 PDF 文件。"))
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise DocumentRefused(_("PDF 文件已加密，请上传未加密的文件。"))
        pages = len(reader.pages)
        if not 1 <= pages <= MAX_PDF_PAGES:
            raise DocumentRefused(_("PDF 文件应有 1 到 %(max)s 页。") % {"max": MAX_PDF_PAGES})
        _refuse_active_content(reader.trailer)
    except DocumentRefused:
        raise
    except Exception as exc:  # pypdf raises many kinds of errors on damaged or hostile files
        raise DocumentRefused(_("PDF 文件已损坏或无法读取，请重新导出后上传。")) from exc
    return DocumentKind.PDF


def _refuse_active_content(root) -> None:
    seen: set[tuple[int, int]] = set()
    stack = [root]
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise DocumentRefused(_("PDF 文件结构过于复杂。"))
        if isinstance(item, DictionaryObject):
            for key, value in item.items():
                if key in _ACTIVE_KEYS or (key == "/AA"):
                    raise DocumentRefused(_("PDF 文件含有脚本、自动动作或嵌入文件，已拒收。"))
                if isinstance(value, NameObject) and value in _ACTIVE_VALUES and key in {"/S", "/Subtype", "/Type"}:
                    raise DocumentRefused(_("PDF 文件含有脚本、自动动作或嵌入文件，已拒收。"))
                if key != "/Parent":  # the page tree's back links lead nowhere new
                    stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)


def check_ooxml(file: BinaryIO) -> DocumentKind:
    """The kind of a plain .docx, .xlsx or .pptx, else DocumentRefused. Leaves the file at 0."""
    try:
        with zipfile.ZipFile(file) as archive:
            return _check_archive(archive)
    except DocumentRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, RuntimeError) as exc:
        raise DocumentRefused(_("不是有效的 Office 文件。")) from exc
    finally:
        file.seek(0)


def _check_archive(archive: zipfile.ZipFile) -> DocumentKind:
    entries = archive.infolist()
    if len(entries) > MAX_ZIP_ENTRIES:
        raise DocumentRefused(_("Office 文件包含的部件过多，已拒收。"))
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
        raise DocumentRefused(_("Office 文件解压后过大，已拒收。"))
    for entry in entries:
        if entry.file_size > 1024 * 1024 and entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1):
            raise DocumentRefused(_("Office 文件的压缩比异常（疑似压缩炸弹），已拒收。"))
    names = {entry.filename for entry in entries}
    kinds = {kind for part, kind in _OOXML_MAIN_PARTS.items() if part in names}
    if "[Content_Types].xml" not in names or len(kinds) != 1:
        raise DocumentRefused(_("附件内容不是 Word、Excel 或 PowerPoint 文件。"))
    lowered = {name.lower() for name in names}
    if any(
        name.endswith("vbaproject.bin") or name.startswith(("xl/externallinks/", "word/activex/")) for name in lowered
    ):
        raise DocumentRefused(_("Office 文件含有宏或外部链接，已拒收。请另存为不含宏的文件。"))
    for entry in entries:
        if not entry.filename.lower().endswith((".xml", ".rels")):
            continue
        text = _read_part(archive, entry)
        if b"<!DOCTYPE" in text or b"<!ENTITY" in text:
            raise DocumentRefused(_("Office 文件含有不允许的 XML 声明，已拒收。"))
        if entry.filename == "[Content_Types].xml" and b"macroEnabled" in text:
            raise DocumentRefused(_("Office 文件含有宏或外部链接，已拒收。请另存为不含宏的文件。"))
        if entry.filename.lower().endswith(".rels"):
            _refuse_external_relationships(text)
    return kinds.pop()


def _read_part(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bytes:
    # Read no more than the entry claims: a lying header cannot unpack more than was checked.
    chunks, total = [], 0
    with archive.open(entry) as part:
        while chunk := part.read(_READ_CHUNK):
            total += len(chunk)
            if total > entry.file_size:
                raise DocumentRefused(_("Office 文件解压后过大，已拒收。"))
            chunks.append(chunk)
    return b"".join(chunks)


def _refuse_external_relationships(text: bytes) -> None:
    try:
        relationships = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        raise DocumentRefused(_("不是有效的 Office 文件。")) from exc
    for relationship in relationships.iter(f"{_RELATIONSHIP_NS}Relationship"):
        if relationship.get("TargetMode") == "External" and not relationship.get("Type", "").endswith("/hyperlink"):
            raise DocumentRefused(_("Office 文件含有宏或外部链接，已拒收。请另存为不含宏的文件。"))
