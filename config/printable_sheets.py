"""Worksheets that print as a school hands them in: the layout every workbook of the portal shares.

A `PrintableSheet` is a write-only openpyxl worksheet (rows stream to the file, memory stays flat)
laid out for A4: a title row (school, year, what the sheet is), a line saying when it was made,
a 序号 column, bold headers with borders and a fill, the header frozen and repeated on every
printed page, long text wrapped in sensible widths, landscape and fit to one page wide, page
numbers in the footer, and 暂无数据 when nothing was written. Columns are declared as a list of
`Column` specs (header, width, how to read the value from a row's item), so adding a column to a
sheet is adding one spec. Text cells go through `spreadsheet_cells.safe_text`.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties

from .spreadsheet_cells import safe_text

NO_DATA = "暂无数据"
TITLE_ROW, NOTE_ROW, HEADER_ROW = 1, 2, 3
SERIAL_HEADER = "序号"
SERIAL_WIDTH = 6
# openpyxl's code for A4 paper (ECMA-376 paperSize 9).
PAPER_A4 = "9"

_THIN = Side(style="thin", color="808080")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9E2F3")
HEADER_FONT = Font(name="黑体", bold=True, size=11)
TITLE_FONT = Font(name="黑体", bold=True, size=16)
NOTE_FONT = Font(name="宋体", size=10, color="404040")
BODY_FONT = Font(name="宋体", size=10.5)
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP_ALIGNMENT = Alignment(vertical="top", wrap_text=True)
PLAIN_ALIGNMENT = Alignment(vertical="top")
CENTRE_ALIGNMENT = Alignment(horizontal="center", vertical="top")


@dataclass(frozen=True)
class Column:
    """One column of a printable sheet: its header, its width in characters, and its values.

    ``value`` reads the cell from the row's item (`PrintableSheet.append_item`); ``wrap`` makes
    long text wrap inside the width instead of being cut off; ``number_format`` is Excel's.
    """

    header: str
    width: float
    value: Callable[[Any], Any] | None = None
    wrap: bool = False
    number_format: str | None = None


class PrintableSheet:
    """A write-only worksheet with the portal's print layout; call `close()` after the last row."""

    def __init__(
        self,
        workbook: Workbook,
        sheet_title: str,
        *,
        heading: str,
        note: str,
        columns: Sequence[Column],
        numbered: bool = True,
    ) -> None:
        self.sheet = workbook.create_sheet(sheet_title)
        self.columns = list(columns)
        self.numbered = numbered
        self.rows = 0
        widths = ([SERIAL_WIDTH] if numbered else []) + [column.width for column in self.columns]
        self.width = len(widths)
        for index, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self._print_setup(heading)
        # Heights of the rows above the data (data rows grow with their wrapped text on opening).
        for row, height in ((TITLE_ROW, 30), (NOTE_ROW, 18), (HEADER_ROW, 33)):
            self.sheet.row_dimensions[row].height = height
        last = get_column_letter(self.width)
        self.sheet.merged_cells.add(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
        self.sheet.merged_cells.add(f"A{NOTE_ROW}:{last}{NOTE_ROW}")
        self.sheet.append([self._cell(heading, TITLE_FONT, Alignment(horizontal="center", vertical="center"))])
        self.sheet.append([self._cell(note, NOTE_FONT, Alignment(horizontal="right"))])
        headers = ([SERIAL_HEADER] if numbered else []) + [column.header for column in self.columns]
        self.sheet.append([self._cell(text, HEADER_FONT, HEADER_ALIGNMENT, HEADER_FILL, BORDER) for text in headers])

    def _print_setup(self, heading: str) -> None:
        sheet = self.sheet
        sheet.freeze_panes = f"A{HEADER_ROW + 1}"
        sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = PAPER_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0  # as many pages tall as the rows need
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        sheet.print_options.horizontalCentered = True
        sheet.page_margins = PageMargins(left=0.5, right=0.5, top=0.7, bottom=0.7, header=0.3, footer=0.3)
        sheet.oddHeader.left.text = heading.replace("&", "&&")
        sheet.oddHeader.left.size = 9
        sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
        sheet.oddFooter.center.size = 9

    def _cell(self, value: Any, font: Font, alignment: Alignment, fill=None, border=None) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet, value=safe_text(value))
        cell.font, cell.alignment = font, alignment
        if fill is not None:
            cell.fill = fill
        if border is not None:
            cell.border = border
        return cell

    def append(self, values: Iterable[Any]) -> None:
        """One data row, the values in the columns' order (序号 is added)."""
        self.rows += 1
        cells = [self._cell(self.rows, BODY_FONT, CENTRE_ALIGNMENT, border=BORDER)] if self.numbered else []
        for column, value in zip(self.columns, values, strict=True):
            cell = self._cell(value, BODY_FONT, WRAP_ALIGNMENT if column.wrap else PLAIN_ALIGNMENT, border=BORDER)
            if column.number_format:
                cell.number_format = column.number_format
            elif hasattr(value, "year") and hasattr(value, "day"):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        self.sheet.append(cells)

    def append_item(self, item: Any) -> None:
        """One data row read from ``item`` by each column's ``value``."""
        self.append(column.value(item) if column.value else None for column in self.columns)

    def close(self, empty_message: str = NO_DATA) -> None:
        """After the last row: a sheet without any says so in one merged row."""
        if self.rows:
            return
        row = HEADER_ROW + 1
        self.sheet.merged_cells.add(f"A{row}:{get_column_letter(self.width)}{row}")
        self.sheet.append([self._cell(empty_message, BODY_FONT, Alignment(horizontal="center"), border=BORDER)])
