"""Documents checked as a reader gets them: converted to PDF by LibreOffice, read back with PDFium.

`to_pdf` converts (skipping the test where LibreOffice is missing, failing instead with
DOCUMENTS_REQUIRED=1, which `.ci/run` sets) and keeps the PDF and a PNG of every page under
test-artifacts/documents/. `Page` gives a page's size, its lines of text and its characters'
boxes, in millimetres from the page's bottom-left corner.
"""

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn

from config import office_pdf

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "documents"
POINTS_PER_MM = 72 / 25.4
A4 = (210, 297)
PAGE_NUMBER = re.compile(r"^—\d+—$")
OFFICIAL_FONTS = {"方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"}


def to_pdf(data: bytes, suffix: str, name: str) -> bytes:
    if not office_pdf.available():
        if os.environ.get("DOCUMENTS_REQUIRED") == "1":
            pytest.fail("LibreOffice (soffice) is required for the document tests (DOCUMENTS_REQUIRED=1)")
        pytest.skip("LibreOffice (soffice) is not installed: documents are not converted to PDF")
    pdf = office_pdf.convert_to_pdf(data, suffix)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}{suffix}").write_bytes(data)
    (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
    document = pdfium.PdfDocument(pdf)
    for index in range(len(document)):
        document[index].render(scale=100 / 72).to_pil().save(ARTIFACTS / f"{name}-{index + 1}.png")
    return pdf


@dataclass(frozen=True)
class Char:
    text: str
    left: float
    bottom: float
    right: float
    top: float


@dataclass(frozen=True)
class Page:
    width: float  # mm
    height: float
    lines: list[str]
    chars: list[Char]

    @property
    def landscape(self) -> bool:
        return self.width > self.height

    def is_a4(self) -> bool:
        size = sorted((round(self.width), round(self.height)))
        return size == list(A4)

    def outside(self, top: float, bottom: float, left: float, right: float, tolerance: float = 1.5) -> str:
        """The characters (joined) outside the type area given by its margins in mm."""
        return "".join(
            char.text
            for char in self.chars
            if char.left < left - tolerance
            or char.right > self.width - right + tolerance
            or char.bottom < bottom - tolerance
            or char.top > self.height - top + tolerance
        )


def squeeze(text: str) -> str:
    """The text without whitespace (ideographic spaces included)."""
    return re.sub(r"\s+", "", text)


def pages(pdf: bytes) -> list[Page]:
    document = pdfium.PdfDocument(pdf)
    found = []
    for index in range(len(document)):
        page = document[index]
        width, height = page.get_size()
        text = page.get_textpage()
        chars = []
        for position in range(text.count_chars()):
            character = text.get_text_range(position, 1)
            if character.strip():
                left, bottom, right, top = text.get_charbox(position)
                chars.append(Char(character, *(value / POINTS_PER_MM for value in (left, bottom, right, top))))
        # PDFium puts a space where the font changes (2024—2025 学年): lines are compared without any.
        lines = [squeeze(line) for line in text.get_text_range().splitlines() if line.strip()]
        found.append(Page(width / POINTS_PER_MM, height / POINTS_PER_MM, lines, chars))
    return found


def assert_official_pages(found: list[Page]) -> None:
    """A4 portrait, every character inside the 37/35/28/26 mm type area but the page numbers
    “— n —”, which stand below it."""
    for number, page in enumerate(found, start=1):
        assert page.is_a4() and not page.landscape, f"page {number} is {page.width:.0f}×{page.height:.0f} mm"
        outside = page.outside(top=37, bottom=35, left=28, right=26)
        assert PAGE_NUMBER.match(squeeze(outside)) and str(number) in outside, (
            f"page {number}: text outside the margins: {outside!r}"
        )


def assert_in_order(lines: list[str], expected: list[str]) -> None:
    """Each expected text is a whole line, in this order (a line that breaks would not match)."""
    start = 0
    for text in map(squeeze, expected):
        assert text in lines[start:], f"{text!r} is not a line of the document after line {start}"
        start = lines.index(text, start) + 1


def east_asian_fonts(document: DocumentObject) -> set[str]:
    """Every East-Asian font a run of the document names (body, tables, footers)."""
    parts = [document.element, *(section.footer._element for section in document.sections)]
    parts += [section.even_page_footer._element for section in document.sections]
    return {
        fonts.get(qn("w:eastAsia"))
        for part in parts
        for fonts in part.iter(qn("w:rFonts"))
        if fonts.get(qn("w:eastAsia"))
    }


def assert_official_docx(document: DocumentObject, title_lines: list[str]) -> None:
    """A4 with the official margins, the title in 小标宋, only official fonts, page numbers."""
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == A4
    margins = (section.top_margin.mm, section.bottom_margin.mm, section.left_margin.mm, section.right_margin.mm)
    assert [round(value) for value in margins] == [37, 35, 28, 26]
    assert east_asian_fonts(document) <= OFFICIAL_FONTS
    for paragraph, line in zip(document.paragraphs, title_lines, strict=False):
        assert paragraph.text == line and paragraph.alignment == 1  # centred
        assert {run._element.rPr.rFonts.get(qn("w:eastAsia")) for run in paragraph.runs} == {"方正小标宋简体"}
        assert {run.font.size.pt for run in paragraph.runs} == {22}
    assert document.styles["Normal"].font.size.pt == 16
    assert document.styles["Normal"].paragraph_format.line_spacing.pt == 28
    footer = section.footer.paragraphs[0]
    assert footer.text.startswith("— ") and footer.text.endswith(" —")
    assert 'w:instrText xml:space="preserve"> PAGE </w:instrText>' in footer._p.xml
