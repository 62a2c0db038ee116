"""Documents converted to PDF set their Chinese in the Simplified Chinese faces of Noto CJK.

Debian's fonts-noto-cjk ships each style as one collection (.ttc) of five faces (JP, KR, SC, TC,
HK) that share a single CFF table whose PostScript name is ``NotoSerifCJKjp-Regular``; only
their character maps differ, sending e.g. 直 to the Japanese or to the Chinese form of the
glyph. LibreOffice names the embedded subset after that shared table, so `pdffonts` reads
``…NotoSerifCJKjp-Regular-VKana`` whichever face was used: the name cannot tell the faces apart.
These tests check the name's family (Noto Serif / Sans CJK, embedded) and, for the face, the
glyph itself: 直 as drawn in the PDF is compared with the SC and the JP face's 直.
"""

import ctypes
import io
import shutil
import subprocess

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from docx.oxml.ns import qn
from openpyxl import Workbook
from openpyxl.styles import Font
from PIL import Image, ImageChops, ImageDraw, ImageFont

from config import office_pdf, official_docx
from tests.documents import to_pdf

# Its Simplified Chinese and Japanese forms differ visibly (the stroke at the lower left).
GLYPH = "直"
SCALE = 10  # pixels per PDF point when the page is rendered


def face(family: str) -> tuple[str, int]:
    """The file and index within it of a font family, as the conversion's fontconfig resolves it."""
    if shutil.which("fc-match") is None:
        pytest.skip("fontconfig's fc-match is not installed")
    answer = subprocess.run(
        ["fc-match", "-f", "%{file}\n%{index}", family],
        env={"FONTCONFIG_FILE": str(office_pdf.FONTCONFIG)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    return answer[0], int(answer[1])


def drawn(family: str) -> Image.Image:
    path, index = face(family)
    font = ImageFont.truetype(path, 300, index=index)
    left, top, right, bottom = font.getbbox(GLYPH)
    image = Image.new("L", (right - left + 4, bottom - top + 4), 255)
    ImageDraw.Draw(image).text((2 - left, 2 - top), GLYPH, font=font, fill=0)
    return image


def inked(image: Image.Image) -> Image.Image:
    """Black and white, cropped to the ink."""
    ink = image.point(lambda value: 0 if value < 128 else 255)
    return ink.crop(ImageChops.invert(ink).getbbox())


def mismatch(glyph: Image.Image, reference: Image.Image) -> float:
    """Share of pixels that differ once both are cropped to their ink and brought to one size."""
    glyph, reference = inked(glyph), inked(reference)
    reference = reference.resize(glyph.size)
    return ImageChops.difference(glyph, reference).histogram()[255] / (glyph.width * glyph.height)


def glyphs_in(pdf: bytes) -> list[tuple[str, Image.Image]]:
    """Each 直 of the first page as rendered, with the font PDFium says it is set in."""
    page = pdfium.PdfDocument(pdf)[0]
    image = page.render(scale=SCALE).to_pil().convert("L")
    text = page.get_textpage()
    found = []
    for index in range(text.count_chars()):
        if text.get_text_range(index, 1) != GLYPH:
            continue
        size = pdfium_c.FPDFText_GetFontInfo(text.raw, index, None, 0, None)
        name = ctypes.create_string_buffer(size)
        pdfium_c.FPDFText_GetFontInfo(text.raw, index, name, size, None)
        left, bottom, right, top = text.get_charbox(index)
        box = (int(left * SCALE), int(image.height - top * SCALE), int(right * SCALE) + 1)
        found.append((name.value.decode(), image.crop((*box, int(image.height - bottom * SCALE) + 1))))
    return found


def embedded_fonts(pdf: bytes) -> dict[str, bool]:
    """The base name of every font the first page's text uses, and whether it is embedded."""
    page = pdfium.PdfDocument(pdf)[0]
    fonts = {}
    for item in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
        font = pdfium_c.FPDFTextObj_GetFont(item.raw)
        size = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
        buffer = ctypes.create_string_buffer(size)
        pdfium_c.FPDFFont_GetBaseFontName(font, buffer, size)
        fonts[buffer.value.decode()] = bool(pdfium_c.FPDFFont_GetIsEmbedded(font))
    return fonts


def assert_simplified_chinese(name: str, glyph: Image.Image, style: str) -> None:
    assert f"Noto{style}CJK" in name, name
    sc, jp = mismatch(glyph, drawn(f"Noto {style} CJK SC")), mismatch(glyph, drawn(f"Noto {style} CJK JP"))
    assert sc < jp / 2, f"{name}: the 直 drawn differs from the SC face by {sc:.0%}, from the JP face by {jp:.0%}"


def set_language(document, language: str) -> None:
    """Mark the document's text as ``language`` (`official_docx` marks it zh-CN)."""
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    marks = defaults.find(qn("w:lang"))
    marks.set(qn("w:val"), language)
    marks.set(qn("w:eastAsia"), language)


# zh-CN: the glyphs follow the language too (the fonts' `locl` feature picks the Chinese forms in
# any face). en-US, as a document from elsewhere may say: the face fontconfig chose decides alone,
# so this is the case that fails if the official names are mapped to the Japanese face.
@pytest.mark.slow
@pytest.mark.parametrize("language", ["zh-CN", "en-US"])
def test_an_official_document_embeds_noto_cjk_and_draws_the_simplified_chinese_glyphs(language):
    document = official_docx.new_document()
    set_language(document, language)
    official_docx.add_title(document, [f"{GLYPH}属党支部工作总结"])  # 方正小标宋简体 → Noto Serif CJK SC
    official_docx.add_heading(document, f"一、{GLYPH}面问题", 1)  # 黑体 → Noto Sans CJK SC
    official_docx.add_body(document, f"{GLYPH}接联系服务群众。")  # 仿宋_GB2312 → Noto Serif CJK SC
    stream = io.BytesIO()
    document.save(stream)
    pdf = to_pdf(stream.getvalue(), ".docx", f"fonts-official-{language}")

    fonts = embedded_fonts(pdf)
    cjk = {name for name in fonts if "CJK" in name}
    assert {"NotoSerifCJK" in name for name in cjk} == {True, False}  # a serif and a sans face
    assert all(name.split("+")[-1].startswith(("NotoSerifCJK", "NotoSansCJK")) for name in cjk)
    assert all(fonts[name] for name in cjk)  # embedded: a reader without the fonts sees the same
    title, heading, body = glyphs_in(pdf)
    assert_simplified_chinese(title[0], title[1], "Serif")
    assert_simplified_chinese(heading[0], heading[1], "Sans")
    assert_simplified_chinese(body[0], body[1], "Serif")


@pytest.mark.slow
def test_a_printable_sheet_in_songti_and_heiti_draws_the_simplified_chinese_glyphs():
    book = Workbook()
    sheet = book.active
    sheet["A1"], sheet["A2"] = f"{GLYPH}属党小组", f"{GLYPH}接联系"
    sheet["A1"].font, sheet["A2"].font = Font(name="黑体", size=20), Font(name="宋体", size=20)
    stream = io.BytesIO()
    book.save(stream)
    heading, body = glyphs_in(to_pdf(stream.getvalue(), ".xlsx", "fonts-sheet"))
    assert_simplified_chinese(heading[0], heading[1], "Sans")
    assert_simplified_chinese(body[0], body[1], "Serif")
