"""Word documents in the layout of Chinese official documents (GB/T 9704-2012 as the model).

A4 with margins of 37 / 35 / 28 / 26 mm (top, bottom, left, right); the title centred in 2号
(22 pt) 方正小标宋简体; body text 3号 (16 pt) 仿宋_GB2312 at an exact 28-point line spacing with
a first-line indent of two characters; first-level headings (一、) in 黑体, second-level ones
（一） in 楷体_GB2312; page numbers “— 1 —” in 4号 宋体, odd pages on the right and even pages on
the left; the 落款 (issuer, and the date under it) right-aligned as the standard sets it. Every run names its
East-Asian font (``w:eastAsia``), so Word on a school PC uses these fonts and not the theme's; the
font table names a fallback for each (仿宋, 楷体, 宋体…) for a PC without the GB2312 fonts, and
LibreOffice substitutes through fontconfig. The annual summary, the application form and the
assessment notice are built from these pieces.
"""

import datetime
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Emu, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from .text_input import xml_safe

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
# What Word uses on a PC without the font (font table ``w:altName``); all ship with Windows.
FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING_FONT: "SimHei", SUBHEADING_FONT: "楷体", "宋体": "SimSun"}

TITLE_SIZE = Pt(22)  # 2号
BODY_SIZE = Pt(16)  # 3号
PAGE_NUMBER_SIZE = Pt(14)  # 4号
TABLE_SIZE = Pt(12)  # 小4号: tables and captions
LINE_SPACING = Pt(28)
TEXT_WIDTH = Mm(210 - 28 - 26)  # the type area's width on A4 portrait
TEXT_WIDTH_LANDSCAPE = Mm(297 - 37 - 35)  # margins turn with the page


def set_run_font(run: Run, east_asian: str, size: Pt | None = None, *, bold: bool | None = None) -> Run:
    """Name the run's East-Asian font (``w:eastAsia``) beside its Latin one, and its size."""
    run.font.name = LATIN_FONT
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:hint"), "eastAsia")
    if size is not None:
        run.font.size = size
    if bold is not None:
        run.font.bold = bold
    return run


def _style_font(style, east_asian: str, size: Pt) -> None:
    style.font.name = LATIN_FONT
    style.font.size = size
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)


def _chinese_language(document: DocumentObject) -> None:
    """Mark the document's East-Asian text as Chinese (zh-CN) in its defaults.

    python-docx's template says en-US; with that, LibreOffice picks the Japanese face of the Noto
    CJK collection for the PDF (Japanese glyph shapes for some characters), and Word's proofing
    treats the text as English."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    language = run_defaults.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        run_defaults.append(language)
    language.set(qn("w:val"), "zh-CN")
    language.set(qn("w:eastAsia"), "zh-CN")


def _name_fallbacks(document: DocumentObject) -> None:
    """Add each font to the font table with its fallback (``w:altName``) and the GB2312 charset."""
    part = document.part.part_related_by(RELATIONSHIP_TYPE.FONT_TABLE)
    fonts = parse_xml(part.blob)
    for name, fallback in FALLBACKS.items():
        font = parse_xml(
            f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{fallback}"/>'
            '<w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'
        )
        fonts.append(font)
    # python-docx keeps the font table as bytes only; replacing them is how to edit it.
    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_number(paragraph: Paragraph) -> None:
    """“— 1 —”: the page number as a PAGE field between two em dashes, in 4号 宋体."""

    def field(kind: str) -> None:
        run = set_run_font(paragraph.add_run(), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = " PAGE "
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._element.append(element)

    set_run_font(paragraph.add_run("— "), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    field("begin")
    field("instr")
    field("separate")
    set_run_font(paragraph.add_run("1"), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    field("end")
    set_run_font(paragraph.add_run(" —"), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)


def new_document(*, landscape: bool = False) -> DocumentObject:
    """An empty A4 document with the official margins, body style and page numbers."""
    document = Document()
    section = document.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.left_margin, section.right_margin = Mm(37), Mm(35)
        section.top_margin, section.bottom_margin = Mm(28), Mm(26)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(22)

    normal = document.styles["Normal"]
    _style_font(normal, BODY_FONT, BODY_SIZE)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = LINE_SPACING
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.widow_control = True
    _chinese_language(document)
    _name_fallbacks(document)

    # Odd pages carry the number on the right, even pages on the left, one character in.
    document.settings.odd_and_even_pages_header_footer = True
    for footer, alignment in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.alignment = alignment
        paragraph.paragraph_format.first_line_indent = Pt(0)
        if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
            paragraph.paragraph_format.right_indent = PAGE_NUMBER_SIZE
        else:
            paragraph.paragraph_format.left_indent = PAGE_NUMBER_SIZE
        _page_number(paragraph)
    return document


def add_title(document: DocumentObject, lines: Sequence[str]) -> list[Paragraph]:
    """The title, each line a centred paragraph in 2号 小标宋 (break it where the meaning breaks),
    then an empty line before the body."""
    paragraphs = []
    for line in lines:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.line_spacing = Pt(35)
        paragraph.paragraph_format.keep_with_next = True
        set_run_font(paragraph.add_run(xml_safe(line)), TITLE_FONT, TITLE_SIZE)
        paragraphs.append(paragraph)
    document.add_paragraph()
    return paragraphs


def add_body(
    document: DocumentObject, text: str = "", *, lead: str = "", indent: bool = True, keep_with_next: bool = False
) -> Paragraph:
    """A body paragraph in 3号 仿宋, first line indented two characters; ``lead`` starts it in bold."""
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.keep_with_next = keep_with_next or None
    if indent:
        paragraph.paragraph_format.first_line_indent = BODY_SIZE * 2
    if lead:
        set_run_font(paragraph.add_run(xml_safe(lead)), BODY_FONT, BODY_SIZE, bold=True)
    if text:
        set_run_font(paragraph.add_run(xml_safe(text)), BODY_FONT, BODY_SIZE)
    return paragraph


def add_heading(document: DocumentObject, text: str, level: int = 1) -> Paragraph:
    """一、 headings in 黑体 (level 1), （一） headings in 楷体 (level 2), indented like the body."""
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.first_line_indent = BODY_SIZE * 2
    paragraph.paragraph_format.keep_with_next = True
    set_run_font(paragraph.add_run(xml_safe(text)), HEADING_FONT if level == 1 else SUBHEADING_FONT, BODY_SIZE)
    return paragraph


def add_draft_note(document: DocumentObject, text: str) -> Paragraph:
    """A paragraph left for the author to write, highlighted so it cannot be missed or handed in as is."""
    paragraph = add_body(document)
    run = set_run_font(paragraph.add_run(xml_safe(text)), SUBHEADING_FONT, BODY_SIZE)
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    return paragraph


def chinese_date(day: datetime.date) -> str:
    """2025年7月1日 (Arabic numerals, no leading zeros, as GB/T 9704-2012 writes the date)."""
    return f"{day.year}年{day.month}月{day.day}日"


def _width_in_characters(text: str) -> float:
    """How many full-width characters the text takes (ASCII digits and letters are half width)."""
    return sum(0.5 if ord(character) < 128 else 1 for character in text)


def add_signature(document: DocumentObject, issuer: str, day: datetime.date) -> list[Paragraph]:
    """The 落款 as GB/T 9704-2012 sets it for a document without a seal: one empty line after the
    text, the issuer right-aligned two characters in, and the date on the next line starting two
    characters right of the issuer's first character; kept on one page with the text before it
    (a 落款 never stands on a page of its own)."""
    if document.paragraphs:
        document.paragraphs[-1].paragraph_format.keep_with_next = True
    document.add_paragraph().paragraph_format.keep_with_next = True
    date = chinese_date(day)
    issuer_indent = 2
    date_indent = max(0.0, issuer_indent + _width_in_characters(issuer) - 2 - _width_in_characters(date))
    paragraphs = []
    for text, indent in ((issuer, issuer_indent), (date, date_indent)):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = Emu(int(BODY_SIZE * indent))
        paragraph.paragraph_format.keep_with_next = True
        set_run_font(paragraph.add_run(xml_safe(text)), BODY_FONT, BODY_SIZE)
        paragraphs.append(paragraph)
    return paragraphs


def _cell_text(cell: _Cell, text: str, *, bold: bool = False, centre: bool = False, size: Pt = TABLE_SIZE) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.first_line_indent = Pt(0)
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if centre:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    lines = str(text).split("\n")
    for index, line in enumerate(lines):
        run = set_run_font(paragraph.add_run(xml_safe(line)), HEADING_FONT if bold else BODY_FONT, size)
        if index < len(lines) - 1:
            run.add_break()


def set_cell_text(cell: _Cell, text: Any, *, bold: bool = False, centre: bool = False, size: Pt = TABLE_SIZE) -> None:
    """Replace the cell's text, in the table font (黑体 for headers), single-spaced."""
    for paragraph in cell.paragraphs[1:]:
        paragraph._element.getparent().remove(paragraph._element)
    cell.paragraphs[0].clear()
    _cell_text(cell, "" if text is None else str(text), bold=bold, centre=centre, size=size)


def set_column_widths(table: Table, widths: Sequence[Mm]) -> None:
    """Fixed column widths (Word and LibreOffice both honour the cells' ``w:tcW``)."""
    table.autofit = False
    widths = [Emu(int(width)) for width in widths]
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = width
    for column, width in zip(table.columns, widths, strict=False):
        column.width = width


def add_table(
    document: DocumentObject,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    *,
    numeric: Sequence[int] = (),
) -> Table:
    """A bordered table across the type area: a bold centred header repeated on every page, then
    the rows (columns in ``numeric`` centred). ``widths`` are relative and share the full width."""
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header_row = table.rows[0]
    header_row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for cell, text in zip(header_row.cells, header, strict=True):
        set_cell_text(cell, text, bold=True, centre=True)
    for values in rows:
        cells = table.add_row().cells
        for index, (cell, value) in enumerate(zip(cells, values, strict=True)):
            set_cell_text(cell, value, centre=index in numeric)
    total = sum(widths)
    set_column_widths(table, [Mm(TEXT_WIDTH.mm * width / total) for width in widths])
    document.add_paragraph()
    return table


def keep_rows_whole(table: Table) -> None:
    """No row breaks across a page (a photo stays with its caption, a table row with itself)."""
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def remove_borders(table: Table) -> None:
    """A layout table (the photo grid): no borders at all."""
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)
