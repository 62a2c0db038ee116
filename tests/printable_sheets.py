"""What every printable worksheet must hold, read back from the saved file with openpyxl."""

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from config.printable_sheets import HEADER_ROW, NO_DATA


def assert_prints_on_a4(sheet: Worksheet, *, heading: str) -> list[tuple]:
    """The sheet's print settings and layout; returns its data rows without 序号."""
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == "9"  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)  # one page wide
    assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"  # the header on every page
    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
    assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == heading
    assert str(rows[1][0]).startswith(("生成时间：", "导出时间："))
    assert f"A1:{get_column_letter(sheet.max_column)}1" in {str(r) for r in sheet.merged_cells.ranges}
    header = sheet[HEADER_ROW]
    assert header[0].value == "序号"
    for cell in header:
        assert cell.font.b and cell.fill.fgColor.rgb.endswith("D9E2F3")
        assert cell.border.left.style == cell.border.bottom.style == "thin"
    body = rows[HEADER_ROW:]
    if len(body) == 1 and isinstance(body[0][0], str):  # 暂无数据, or the sheet's own way of saying so
        assert body[0][0] == NO_DATA or body[0][0].startswith("本学年")
        assert f"A{HEADER_ROW + 1}:{get_column_letter(sheet.max_column)}{HEADER_ROW + 1}" in {
            str(r) for r in sheet.merged_cells.ranges
        }
        return []
    assert [row[0] for row in body] == list(range(1, len(body) + 1))
    for row in sheet.iter_rows(min_row=HEADER_ROW + 1, max_row=HEADER_ROW + 1):
        assert all(cell.border.left.style == "thin" for cell in row)
    return [row[1:] for row in body]


def header_of(sheet: Worksheet) -> tuple:
    """The column headers after 序号."""
    return tuple(cell.value for cell in sheet[HEADER_ROW])[1:]
