"""The 申报表: one project's application as a printable form (.docx) to sign and file.

One bordered table in the official layout (`config.official_docx`): the project, the applying
group and branch, the leader, the members taking part, the type (and its 三型 kind), the
background, goals, phases, indicator targets and expected results as entered, then the
opinion boxes with signature and date lines for the 党小组长, the 支部书记 and the 党委.
"""

from typing import IO

from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.shared import Mm, Pt

from config import official_docx as layout

from .models import MicroProject

LABEL_WIDTH, VALUE_WIDTH = Mm(28), Mm(50)
FORM_SIZE = Pt(10.5)  # 五号: the whole form on one A4 page
SIGNATURE = "签名：　　　　　　　　　　　　年　　月　　日"
OPINIONS = (
    ("党小组长意见", SIGNATURE),
    ("支部书记意见", SIGNATURE),
    ("党委意见", "党委书记签名：　　　　　（盖章）　　　年　　月　　日"),
)


def _date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _phases(project: MicroProject) -> str:
    return "\n".join(
        f"{index}.{phase.title}（{_date(phase.starts_on)}—{_date(phase.ends_on)}）"
        + (f"：{phase.description.strip()}" if phase.description.strip() else "")
        for index, phase in enumerate(project.phases.all(), start=1)
    )


def _targets(project: MicroProject) -> str:
    def value(number) -> str:
        return f"{number:f}".rstrip("0").rstrip(".") if "." in f"{number:f}" else f"{number:f}"

    return "；".join(
        f"{target.indicator.name}{value(target.target_value)}{target.indicator.unit}"
        for target in project.targets.all()
    )


def write_application_form(project: MicroProject, output: IO[bytes], *, show_phone: bool = False) -> None:
    """Write the project's application form to ``output`` (phases, targets and participants prefetched).

    The leader's phone is printed only for a reader who may see members' contacts
    (``show_phone``); otherwise its box is left blank to be filled in by hand, as on paper."""
    document = layout.new_document()
    layout.add_title(document, ["党建微项目申报表"])
    kind = project.project_type
    leader = project.group.leader
    year = project.school_year.replace("-", "—")
    pairs = [
        ("申报单位", project.committee.name, None, None),
        ("项目名称", project.title, None, None),
        ("申报党小组", project.group.name, "所属党支部", project.group.branch.name),
        (
            "项目负责人",
            leader.name if leader else "",
            "联系电话",
            (leader.phone if show_phone else " ") if leader else "",
        ),
        (
            "项目类型",
            f"{kind.name}（{kind.get_organisation_type_display()}组织）" if kind else "",
            "实施学年",
            year,
        ),
        ("参与党员", "、".join(member.name for member in project.participants.all()), None, None),
        ("项目背景", project.background.strip(), None, None),
        ("项目目标", project.goals.strip(), None, None),
        ("实施阶段", _phases(project), None, None),
        ("指标与目标值", _targets(project), None, None),
        ("预期成果", project.expected_achievements.strip(), None, None),
    ]
    table = document.add_table(rows=0, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for label, value, label_2, value_2 in pairs:
        cells = table.add_row().cells
        layout.set_cell_text(cells[0], label, bold=True, centre=True, size=FORM_SIZE)
        if label_2 is None:
            merged = cells[1].merge(cells[3])
            layout.set_cell_text(merged, value or "—", size=FORM_SIZE)
        else:
            layout.set_cell_text(cells[1], value or "—", size=FORM_SIZE)
            layout.set_cell_text(cells[2], label_2, bold=True, centre=True, size=FORM_SIZE)
            layout.set_cell_text(cells[3], value_2 or "—", size=FORM_SIZE)
    for label, signature in OPINIONS:
        row = table.add_row()
        row.height, row.height_rule = Mm(21), WD_ROW_HEIGHT_RULE.AT_LEAST
        layout.set_cell_text(row.cells[0], label, bold=True, centre=True, size=FORM_SIZE)
        merged = row.cells[1].merge(row.cells[3])
        layout.set_cell_text(merged, "\n" + signature, size=FORM_SIZE)
    layout.keep_rows_whole(table)
    layout.set_column_widths(table, [LABEL_WIDTH, VALUE_WIDTH, LABEL_WIDTH, VALUE_WIDTH - Mm(2)])
    document.save(output)
