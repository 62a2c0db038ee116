"""Writing roster workbooks: the blank template to fill in and the export of the member list.

Both use the columns `roster` reads, so an exported file imports back unchanged.
"""

import io
from collections.abc import Iterable

import openpyxl
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from branches.models import Group
from config.printable_sheets import Column, PrintableSheet
from config.spreadsheet_cells import safe_text

from .models import Member
from .roster import (
    GENDER_WORDS,
    HEADERS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    PARTY_STATUS_WORDS,
    SHEET_TITLE,
)

HELP_SHEET_TITLE = "填写说明"
COLUMN_WIDTHS = (12, 6, 12, 12, 14, 14, 16, 16, 16)


def _workbook_bytes(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _set_widths(sheet) -> None:
    for index, width in enumerate(COLUMN_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def roster_template_workbook(groups: Iterable[Group]) -> bytes:
    """The blank roster to fill in, with drop-downs and a sheet of instructions listing the
    committee's branches and groups (given with their branch joined)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    _set_widths(sheet)
    sheet.freeze_panes = "A2"
    last_row = MAX_ROWS + 1
    for column, words in (("B", GENDER_WORDS), ("E", PARTY_STATUS_WORDS)):
        validation = DataValidation(type="list", formula1='"' + ",".join(words) + '"', allow_blank=True)
        validation.add(f"{column}2:{column}{last_row}")
        sheet.add_data_validation(validation)

    help_sheet = workbook.create_sheet(HELP_SHEET_TITLE)
    help_sheet.column_dimensions["A"].width = 16
    help_sheet.column_dimensions["B"].width = 70
    limits = {"rows": MAX_ROWS, "megabytes": MAX_FILE_BYTES // (1024 * 1024)}
    lines = [
        (_("填写说明"), ""),
        ("姓名", _("必填，同一文件中不可重复。按姓名匹配本党委已有党员：同名则更新，否则新增。")),
        ("性别", _("男 / 女，可不填。")),
        ("政治面貌", _("必填：正式党员 / 预备党员 / 入党积极分子。")),
        ("入党时间", _("如 2012-07-01、2012/7/1 或 2012年7月1日；入党积极分子不填。")),
        ("党支部、党小组", _("须为本党委下列名称；党小组须属于所填党支部。两者都不填表示暂不分组。")),
        ("联系电话", _("可不填。")),
        (_("限制"), _("每个文件不超过 %(rows)d 行、%(megabytes)d MB，格式为 .xlsx。") % limits),
        ("", ""),
        (_("示例"), "张三 | 女 | 语文 | 一级教师 | 正式党员 | 2012-07-01 | 第一党支部 | 第一党小组 | 13800000000"),
        ("", ""),
    ]
    for line in lines:
        help_sheet.append(line)
    help_sheet.append(("党支部", "党小组"))
    for row in (1, help_sheet.max_row):
        for cell in help_sheet[row]:
            cell.font = Font(bold=True)
    for group in groups:
        help_sheet.append((safe_text(group.branch.name), safe_text(group.name)))
    return _workbook_bytes(workbook)


def roster_export_workbook(members: Iterable[Member], *, school_name: str) -> bytes:
    """The members, with group and branch joined in, in the template's columns (re-importable:
    the import finds the header row under the title and ignores 序号), laid out to print."""
    workbook = openpyxl.Workbook(write_only=True)
    gender_words = {value: word for word, value in GENDER_WORDS.items()}
    status_words = {value: word for word, value in PARTY_STATUS_WORDS.items()}
    values = [
        lambda m: m.name,
        lambda m: gender_words.get(m.gender, ""),
        lambda m: m.subject,
        lambda m: m.professional_title,
        lambda m: status_words.get(m.party_status, ""),
        lambda m: m.joined_party_on,
        lambda m: m.group.branch.name if m.group else "",
        lambda m: m.group.name if m.group else "",
        lambda m: m.phone,
    ]
    columns = [
        Column(header, width, value, number_format="yyyy-mm-dd" if header == "入党时间" else None)
        for header, width, value in zip(HEADERS, COLUMN_WIDTHS, values, strict=True)
    ]
    made = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    sheet = PrintableSheet(
        workbook, SHEET_TITLE, heading=f"{school_name}党员名册", note=f"导出时间：{made}", columns=columns
    )
    for member in members:
        sheet.append_item(member)
    sheet.close()
    return _workbook_bytes(workbook)
