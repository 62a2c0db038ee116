"""Reading the Party roster (党员花名册) from an uploaded Excel workbook; the file's vocabulary.

An upload comes from a browser, so it is read defensively: its packed size is checked by the
form, its unpacked size and entry count here before openpyxl opens it, and its row count while
the sheet is streamed. Every refusal is a RosterFileError whose message can be shown as it is.
Nothing here writes to the database; `services.roster_import_apply` does the import, and
`roster_workbooks` writes the template and the export in the same columns.
"""

import datetime
import re
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any, TypedDict

import openpyxl
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils.datetime import from_excel

from branches.models import Branch, Committee, Group
from config.spreadsheet_cells import FORMULA_PREFIXES
from config.text_input import nfkc, without_invisibles

from .enums import Gender, PartyStatus
from .models import Member

MAX_FILE_BYTES = 2 * 1024 * 1024
# A roster of 2000 people unpacks to 1–2 MB; the margin covers styles and WPS extras.
MAX_UNPACKED_BYTES = 10 * 1024 * 1024
MAX_ARCHIVE_ENTRIES = 200
MAX_ROWS = 2000
# Blank or merely formatted rows count here, so a sheet that claims a million rows stops early.
MAX_SCANNED_ROWS = 10 * MAX_ROWS
MAX_COLUMNS = 30
HEADER_SEARCH_ROWS = 10

SHEET_TITLE = "花名册"
# The file's words are fixed Chinese, not translated: a file reads the same in every UI language.
HEADERS = ("姓名", "性别", "任教学科", "职称", "政治面貌", "入党时间", "党支部", "党小组", "联系电话")
GENDER_WORDS = {"男": Gender.MALE, "女": Gender.FEMALE}
PARTY_STATUS_WORDS = {
    "正式党员": PartyStatus.FULL,
    "预备党员": PartyStatus.PROBATIONARY,
    "入党积极分子": PartyStatus.ACTIVIST,
}
PARTY_STATUS_ALIASES = {
    **PARTY_STATUS_WORDS,
    "中共党员": PartyStatus.FULL,
    "党员": PartyStatus.FULL,
    "中共预备党员": PartyStatus.PROBATIONARY,
    "积极分子": PartyStatus.ACTIVIST,
}
EARLIEST_JOINING = datetime.date(1921, 7, 1)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RosterFileError(Exception):
    """The upload as a whole cannot be read; the message is translated and fit to show."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class RowStatus(models.TextChoices):
    NEW = "new", gettext_lazy("新增")
    UPDATE = "update", gettext_lazy("更新")
    SAME = "same", gettext_lazy("无变化")
    ERROR = "error", gettext_lazy("错误")


class MemberValues(TypedDict):
    """A valid row's values in model terms; JSON-serialisable (the date as ISO text)."""

    name: str
    gender: str
    subject: str
    professional_title: str
    party_status: str
    joined_party_on: str | None
    group_id: int | None
    phone: str


class RosterRow(TypedDict):
    """One data row of an upload, as kept in the session between preview and confirm."""

    row: int  # the row number Excel shows
    cells: list[str]  # what the user entered, as text, in HEADERS order
    values: MemberValues | None  # None when the row has errors
    errors: list[str]
    status: str  # a RowStatus value
    changes: list[str]  # labels of the fields an update changes


def roster_read(file: IO[bytes], *, committee: Committee) -> list[RosterRow]:
    """Read and validate an uploaded roster against the committee's organisation and members.

    Raises RosterFileError when the file is not a readable .xlsx within the limits, has no
    header row with every column, or has no data. Row problems are kept on their rows.
    """
    sheet_rows = _sheet_rows(file)
    header_index, columns = _find_header(sheet_rows)
    data_rows = sheet_rows[header_index + 1 :]
    if not data_rows:
        raise RosterFileError(_("文件中没有党员数据：请在表头下方逐行填写。"))
    if len(data_rows) > MAX_ROWS:
        raise RosterFileError(_("文件超过 %(limit)d 行党员数据，请分成几个文件导入。") % {"limit": MAX_ROWS})
    organisation = _Organisation.of(committee)
    rows = [_validate_row(number, [values[i] for i in columns], organisation) for number, values in data_rows]
    _mark_duplicate_names(rows)
    existing = {member.name: member for member in Member.objects.filter(committee=committee)}
    for row in rows:
        _set_status(row, existing.get(row["values"]["name"]) if row["values"] else None)
    return rows


def status_counts(rows: Iterable[RosterRow]) -> dict[str, int]:
    """How many rows have each RowStatus, every status present."""
    counts = Counter(row["status"] for row in rows)
    return {status: counts.get(status, 0) for status in RowStatus.values}


def member_changes(member: Member, values: MemberValues) -> list[str]:
    """Labels of the fields that writing these values would change on the member."""
    joined = datetime.date.fromisoformat(values["joined_party_on"]) if values["joined_party_on"] else None
    new = {**values, "joined_party_on": joined}
    changes = []
    for name in ("gender", "subject", "professional_title", "party_status", "joined_party_on", "group_id", "phone"):
        if getattr(member, name) != new[name]:
            changes.append(str(Member._meta.get_field(name.removesuffix("_id")).verbose_name))
    if not member.is_active:
        changes.append(_("恢复在册"))
    return changes


def _check_archive(file: IO[bytes]) -> None:
    """Refuse what is not a zip, or unpacks too large (a zip bomb), before openpyxl reads it.

    The sizes in the zip directory are trustworthy bounds: Python's zipfile stops
    decompressing an entry at its declared size.
    """
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise RosterFileError(_not_xlsx_message()) from exc
    if len(entries) > MAX_ARCHIVE_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
        raise RosterFileError(
            _("文件解压后超过 %(limit)d MB，不像是一份花名册，已拒绝。请使用下载的模板填写。")
            % {"limit": MAX_UNPACKED_BYTES // (1024 * 1024)}
        )
    file.seek(0)


def _not_xlsx_message() -> str:
    return _("无法识别为 Excel 工作簿（.xlsx）。请用 Excel 或 WPS 打开后“另存为 .xlsx”，或使用下载的模板填写。")


def _sheet_rows(file: IO[bytes]) -> list[tuple[int, tuple[Any, ...]]]:
    """(row number, cell values) of the roster sheet's non-blank rows, streamed within the limits."""
    _check_archive(file)
    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds of error on a malformed package
        raise RosterFileError(_not_xlsx_message()) from exc
    rows: list[tuple[int, tuple[Any, ...]]] = []
    try:
        sheet = workbook[SHEET_TITLE] if SHEET_TITLE in workbook.sheetnames else workbook.worksheets[0]
        # The stored dimension may be wrong either way; the limits below bound the reading instead.
        sheet.reset_dimensions()
        for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            if number > MAX_SCANNED_ROWS or len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise RosterFileError(_("文件超过 %(limit)d 行党员数据，请分成几个文件导入。") % {"limit": MAX_ROWS})
            if any(_text(value) for value in values):
                rows.append((number, tuple(values)))
    except RosterFileError:
        raise
    except Exception as exc:  # malformed sheet XML surfaces only while streaming
        raise RosterFileError(_not_xlsx_message()) from exc
    finally:
        workbook.close()
    return rows


def _find_header(sheet_rows: list[tuple[int, tuple[Any, ...]]]) -> tuple[int, list[int]]:
    """The header row's index (a title row above it is allowed) and each column's position."""
    for index, (_number, values) in enumerate(sheet_rows[:HEADER_SEARCH_ROWS]):
        texts = [re.sub(r"\s+", "", _text(value)) for value in values]
        if HEADERS[0] not in texts:
            continue
        missing = [header for header in HEADERS if header not in texts]
        if missing:
            raise RosterFileError(
                _("表头缺少以下列：%(columns)s。请使用下载的模板。") % {"columns": "、".join(missing)}
            )
        return index, [texts.index(header) for header in HEADERS]
    raise RosterFileError(_("没有找到表头（含“姓名”的一行）。请使用下载的模板。"))


def _text(value: Any) -> str:
    """A cell as the text a user sees, without surrounding (full-width) spaces."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value).strip().replace("\u3000", " ").strip()
    # Undo the export's formula guard so an exported file imports back unchanged.
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_PREFIXES:
        text = text[1:]
    return text


def _clean_name(text: str) -> str:
    """Names padded to align in a table ("张  玺") lose the padding; other spaces collapse to one.

    Zero-width and bidi-control characters go first: a look-alike "张\u200b玺" is 张玺.
    """
    text = without_invisibles(text).strip()
    if re.fullmatch(r"[\u4e00-\u9fff·\s]+", text):
        return re.sub(r"\s+", "", text)
    return re.sub(r"\s+", " ", text)


_FULL_DATE = re.compile(r"(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_CHINESE_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(?:(\d{1,2})\s*日)?")
_MONTH_DATE = re.compile(r"(\d{4})\s*[-/.]\s*(\d{1,2})")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")


def _parse_date(value: Any) -> datetime.date | None:
    """A joining date from an Excel date, a serial number or text such as 2012-07-01, 2012/7/1,
    2012年7月1日 (a month alone means its first day). Raises ValueError when not a plausible date.
    """
    if isinstance(value, datetime.datetime):
        found = value.date()
    elif isinstance(value, datetime.date):
        found = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        found = from_excel(value).date() if 0 < value < 2958466 else None
    else:
        found = _parse_date_text(_text(value))
    if found is None or not EARLIEST_JOINING <= found <= timezone.localdate():
        raise ValueError
    return found


def _parse_date_text(text: str) -> datetime.date | None:
    for pattern in (_FULL_DATE, _CHINESE_DATE, _MONTH_DATE, _COMPACT_DATE):
        match = pattern.fullmatch(text)
        if match:
            parts = match.groups()
            day = parts[2] if len(parts) > 2 and parts[2] else "1"
            try:
                return datetime.date(int(parts[0]), int(parts[1]), int(day))
            except ValueError:
                return None
    return None


@dataclass
class _Organisation:
    """The committee's branch and group names, looked up only in that committee."""

    branch_names: set[str] = field(default_factory=set)
    group_ids: dict[tuple[str, str], int] = field(default_factory=dict)
    branches_by_group: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, committee: Committee) -> "_Organisation":
        organisation = cls(branch_names=set(Branch.objects.filter(committee=committee).values_list("name", flat=True)))
        for group_id, group_name, branch_name in Group.objects.filter(branch__committee=committee).values_list(
            "pk", "name", "branch__name"
        ):
            organisation.group_ids[(branch_name, group_name)] = group_id
            organisation.branches_by_group[group_name].append(branch_name)
        return organisation

    def group_id(self, branch: str, group: str) -> int | None:
        """The group's id; raises ValueError with the message when the names do not fit."""
        if not branch and not group:
            return None
        if branch and branch not in self.branch_names:
            raise ValueError(_("本党委没有党支部“%(branch)s”") % {"branch": branch})
        if not group:
            raise ValueError(_("已填写党支部“%(branch)s”，请同时填写党小组") % {"branch": branch})
        branches = self.branches_by_group.get(group, [])
        if not branches:
            raise ValueError(_("本党委没有党小组“%(group)s”") % {"group": group})
        if not branch:
            if len(branches) > 1:
                raise ValueError(_("党小组“%(group)s”在多个党支部中重名，请填写党支部") % {"group": group})
            branch = branches[0]
        if branch not in branches:
            raise ValueError(_("党小组“%(group)s”不属于“%(branch)s”") % {"group": group, "branch": branch})
        return self.group_ids[(branch, group)]


def _max_length(name: str) -> int:
    return Member._meta.get_field(name).max_length


def _validate_row(number: int, values: list[Any], organisation: _Organisation) -> RosterRow:
    cells = [_text(value) for value in values]
    name, gender, subject, title, status, _joined, branch, group, phone = cells
    name = _clean_name(name)
    phone = nfkc(phone)
    problems: list[str] = []
    if not name:
        problems.append(_("姓名不能为空"))
    for label, text, model_field in (
        ("姓名", name, "name"),
        ("任教学科", subject, "subject"),
        ("职称", title, "professional_title"),
        ("联系电话", phone, "phone"),
    ):
        if len(text) > _max_length(model_field):
            problems.append(_("%(column)s超过 %(limit)d 个字") % {"column": label, "limit": _max_length(model_field)})
    if gender and gender not in GENDER_WORDS:
        problems.append(_("性别“%(value)s”无效，应为 男 或 女") % {"value": gender})
    party_status = PARTY_STATUS_ALIASES.get(status.replace(" ", ""))
    if not status:
        problems.append(_("政治面貌不能为空"))
    elif party_status is None:
        problems.append(_("政治面貌“%(value)s”无效，应为 正式党员、预备党员 或 入党积极分子") % {"value": status})
    joined = None
    if cells[5]:
        try:
            joined = _parse_date(values[5])
        except ValueError:
            problems.append(_("入党时间“%(value)s”无法识别，请填写如 2012-07-01 的日期") % {"value": cells[5]})
    if joined and party_status == PartyStatus.ACTIVIST:
        problems.append(_("入党积极分子不应填写入党时间"))
    if phone and not re.fullmatch(r"[0-9+\-\s()（）转]+", phone):
        problems.append(_("联系电话“%(value)s”格式不正确") % {"value": phone})
    group_id = None
    try:
        group_id = organisation.group_id(branch, group)
    except ValueError as exc:
        problems.append(str(exc))
    values_out: MemberValues | None = None
    if not problems:
        values_out = MemberValues(
            name=name,
            gender=GENDER_WORDS.get(gender, ""),
            subject=subject,
            professional_title=title,
            party_status=party_status,
            joined_party_on=joined.isoformat() if joined else None,
            group_id=group_id,
            phone=phone,
        )
    return RosterRow(
        row=number,
        cells=[name, *cells[1:]],
        values=values_out,
        errors=[_row_message(number, problem) for problem in problems],
        status=RowStatus.ERROR if problems else RowStatus.NEW,
        changes=[],
    )


def _row_message(number: int, problem: str) -> str:
    return _("第 %(row)d 行：%(problem)s") % {"row": number, "problem": problem}


def _mark_duplicate_names(rows: list[RosterRow]) -> None:
    """Every row of a name given twice is an error: which one is right is for the user to say."""
    rows_by_name: dict[str, list[RosterRow]] = defaultdict(list)
    for row in rows:
        if row["cells"][0]:
            rows_by_name[row["cells"][0]].append(row)
    for name, same_name in rows_by_name.items():
        if len(same_name) < 2:
            continue
        numbers = "、".join(str(row["row"]) for row in same_name)
        for row in same_name:
            problem = _("姓名“%(name)s”在文件中重复（第 %(rows)s 行）") % {"name": name, "rows": numbers}
            row["errors"].append(_row_message(row["row"], problem))
            row["values"] = None
            row["status"] = RowStatus.ERROR


def _set_status(row: RosterRow, existing: Member | None) -> None:
    if row["values"] is None:
        return
    if existing is None:
        row["status"] = RowStatus.NEW
        return
    row["changes"] = member_changes(existing, row["values"])
    row["status"] = RowStatus.UPDATE if row["changes"] else RowStatus.SAME
