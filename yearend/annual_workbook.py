"""The school year's data workbook (.xlsx), written in streaming mode for the report task.

Sheets 汇总 (the projects' figures with native Excel charts), 月度, 项目, 指标, 活动, 成果, 评审 and
考核, each a `config.printable_sheets.PrintableSheet`: a title row, 序号, styled headers, A4
landscape one page wide with the header repeated on every page, 暂无数据 when empty. Each sheet's
columns are a list of `Column` specs below (header, width, how to read the value), so adding a
column is adding a spec.

openpyxl's write-only mode streams rows to the file, and every query is read with
``.iterator(chunk_size=...)``, so memory stays flat however many activities a year holds. The
row-heavy sheets read their to-many columns (indicator values, members) as plain tuples per
chunk rather than with ``prefetch_related``: a prefetched instance sits in a reference cycle
(its related manager's queryset points back at it), so each chunk would outlive its rows until
the next full garbage collection, and the year's peak memory would follow its row count.
Text cells go through `config.spreadsheet_cells.safe_text`, so nothing a user typed runs as a formula.
"""

from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from typing import IO, Any

from django.db.models import Count, Prefetch, Q
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from activities.models import Achievement, ActivityLog, IndicatorValue
from branches.models import Branch, Group
from config.printable_sheets import HEADER_ROW, Column, PrintableSheet
from projects.models import CriterionScore, Indicator, MicroProject, RubricCriterion, ScoreSheet
from stats.on_time import on_time_rates
from stats.selectors import ProjectStats

from .models import AssessmentResult
from .report_context import (
    CHUNK_SIZE,
    Progress,
    ReportContext,
    in_chunks,
    no_progress,
    person_name,
    published_round,
    year_achievements,
    year_projects,
)

SHEET_NAMES = ["汇总", "月度", "项目", "指标", "活动", "成果", "评审", "考核", "按时率"]


def _sheet(workbook: Workbook, context: ReportContext, title: str, what: str, columns: list[Column]) -> PrintableSheet:
    heading = f"{context.committee.school_name} {context.school_year} 学年党建微项目{what}"
    return PrintableSheet(workbook, title, heading=heading, note=context.generated_note(), columns=columns)


def _figure(key: str):
    return lambda item: item.figures.get(key, 0)


# 汇总: one row per project (a `ProjectStats`), the figures the dashboard shows.
SUMMARY_COLUMNS = [
    Column("项目名称", 30, lambda p: p.title, wrap=True),
    Column("党小组", 12, lambda p: p.group_name),
    Column("项目类型", 14, lambda p: p.type_name),
    Column("活动（次）", 10, _figure("activities")),
    Column("参与党员（人次）", 12, _figure("person_times")),
    Column("受益（人次）", 11, _figure("beneficiaries")),
    Column("活动时长（小时）", 12, _figure("hours")),
    Column("照片（张）", 10, _figure("photos")),
    Column("认定成果（项）", 12, _figure("achievements_verified")),
]

# 月度: one row per month (a `MonthStats`).
MONTH_COLUMNS = [
    Column("月份", 12, lambda m: f"{m.month.year}年{m.month.month}月"),
    Column("活动（次）", 10, _figure("activities")),
    Column("参与党员（人次）", 14, _figure("person_times")),
    Column("受益（人次）", 12, _figure("beneficiaries")),
    Column("活动时长（小时）", 14, _figure("hours")),
    Column("照片（张）", 10, _figure("photos")),
]


@dataclass(frozen=True)
class ProjectRow:
    project: MicroProject
    figures: dict[str, Any]


def _kind(row: ProjectRow) -> str:
    kind = row.project.project_type
    return str(kind.get_organisation_type_display()) if kind else ""


PROJECT_COLUMNS = [
    Column("项目名称", 26, lambda r: r.project.title, wrap=True),
    Column("党小组", 11, lambda r: r.project.group.name),
    Column("党支部", 11, lambda r: r.project.group.branch.name),
    Column("项目类型", 12, lambda r: r.project.project_type.name if r.project.project_type else ""),
    Column("三型组织", 9, _kind),
    Column("状态", 8, lambda r: str(r.project.get_status_display())),
    Column("学年", 10, lambda r: r.project.school_year),
    Column("活动（次）", 8, lambda r: r.figures.get("activities", 0)),
    Column("参与党员（人次）", 10, lambda r: r.figures.get("person_times", 0)),
    Column("受益（人）", 8, lambda r: r.figures.get("beneficiaries", 0)),
    Column("活动时长（小时）", 10, lambda r: r.figures.get("hours", 0)),
    Column("照片（张）", 8, lambda r: r.figures.get("photos", 0)),
    Column("认定成果（项）", 9, lambda r: r.figures.get("achievements_verified", 0)),
    Column("项目目标", 48, lambda r: r.project.goals, wrap=True),
]

# 指标: one row per project and indicator, as (ProjectStats, the indicator's figures).
INDICATOR_COLUMNS = [
    Column("项目名称", 30, lambda i: i[0].title, wrap=True),
    Column("党小组", 12, lambda i: i[0].group_name),
    Column("指标", 18, lambda i: i[1]["name"], wrap=True),
    Column("单位", 8, lambda i: i[1]["unit"]),
    Column("目标值", 10, lambda i: i[1]["target"]),
    Column("完成值", 10, lambda i: i[1]["actual"]),
    Column("完成率（%）", 12, lambda i: i[1]["completion"]),
    Column("计划外完成", 12, lambda i: i[1].get("unplanned", 0)),
]


def _activity_columns(indicators: list[Indicator]) -> list[Column]:
    """活动: one row per activity, as (activity, its indicator values by indicator id)."""

    def value(indicator_id: int, item) -> Any:
        return item[1].get(indicator_id)

    return [
        Column("活动日期", 11, lambda i: i[0].date),
        Column("项目名称", 24, lambda i: i[0].project.title, wrap=True),
        Column("党小组", 11, lambda i: i[0].project.group.name),
        Column("活动类型", 11, lambda i: str(i[0].get_activity_type_display()), wrap=True),
        Column("活动名称", 26, lambda i: i[0].title, wrap=True),
        Column("活动地点", 14, lambda i: i[0].place, wrap=True),
        Column("参与党员（人）", 9, lambda i: i[0].participant_count),
        Column("受益人数", 8, lambda i: i[0].beneficiaries_count),
        Column("受益对象", 12, lambda i: i[0].beneficiaries, wrap=True),
        Column("活动时长（小时）", 9, lambda i: i[0].duration_hours),
        Column("照片（张）", 7, lambda i: i[0].photo_count),
        *(Column(f"{ind.name}（{ind.unit}）", 9, partial(value, ind.pk)) for ind in indicators),
        Column("活动纪实", 48, lambda i: i[0].narrative, wrap=True),
    ]


# 成果: one row per achievement, as (achievement, the names credited).
ACHIEVEMENT_COLUMNS = [
    Column("成果名称", 36, lambda i: i[0].title, wrap=True),
    Column("成果类别", 12, lambda i: str(i[0].get_kind_display())),
    Column("级别", 7, lambda i: str(i[0].get_level_display())),
    Column("等次", 7, lambda i: str(i[0].get_rank_display())),
    Column("获得者", 16, lambda i: "、".join(i[1]), wrap=True),
    Column("学生", 12, lambda i: i[0].pupils, wrap=True),
    Column("字数", 8, lambda i: i[0].word_count),
    Column("颁发单位", 22, lambda i: i[0].issuing_body, wrap=True),
    Column("获得日期", 11, lambda i: i[0].awarded_on),
    Column("关联项目", 24, lambda i: i[0].project.title if i[0].project else "", wrap=True),
    Column("党委集体荣誉", 10, lambda i: "是" if i[0].is_committee_honour else "否"),
    Column("审核状态", 9, lambda i: str(i[0].get_status_display())),
]


def _review_columns(criteria: list[RubricCriterion]) -> list[Column]:
    """评审: one row per score sheet, as (sheet, its scores by criterion id)."""

    def score(criterion_id: int, item) -> Any:
        return item[1].get(criterion_id)

    return [
        Column("项目名称", 28, lambda i: i[0].project.title, wrap=True),
        Column("党小组", 11, lambda i: i[0].project.group.name),
        Column("评审轮次", 8, lambda i: i[0].review_round),
        Column("评审人", 10, lambda i: person_name(i[0].reviewer)),
        *(Column(criterion.name, 9, partial(score, criterion.pk)) for criterion in criteria),
        Column("加权总分", 9, lambda i: i[0].weighted_total),
        Column("总体意见", 11, lambda i: str(i[0].get_recommendation_display())),
        Column("评审意见", 40, lambda i: i[0].comment, wrap=True),
    ]


# 考核: one row per published result.
ASSESSMENT_COLUMNS = [
    Column("排名", 7, lambda r: r.rank),
    Column("项目名称", 30, lambda r: r.project.title, wrap=True),
    Column("党小组", 12, lambda r: r.project.group.name),
    Column("项目类型", 14, lambda r: r.project.project_type.name if r.project.project_type else ""),
    Column("评分人数", 9, lambda r: r.sheet_count),
    Column("平均分", 9, lambda r: r.mean),
    Column("考核等次", 10, lambda r: str(r.get_rating_display())),
]


def _bar_chart(title: str, y_title: str, data: Reference, categories: Reference, horizontal: bool) -> BarChart:
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.title, chart.y_axis.title = title, y_title
    chart.legend = None
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(categories)
    chart.height, chart.width = 7.5, 16
    chart.y_axis.scaling.min = 0  # bars start at zero, never at the smallest value
    chart.x_axis.delete = chart.y_axis.delete = False  # newer Excel hides axes not marked shown
    return chart


def _summary_sheet(workbook: Workbook, context: ReportContext, indicator_rows: int) -> None:
    """汇总: the projects' figures, and native charts of the months and the indicators' completion."""
    sheet = _sheet(workbook, context, "汇总", "数据汇总", SUMMARY_COLUMNS)
    for project in context.stats.projects:
        sheet.append_item(project)
    sheet.close()
    anchor_row = HEADER_ROW + max(sheet.rows, 1) + 3
    months = workbook["月度"] if "月度" in workbook.sheetnames else None
    if months is not None and any(m.figures.get("activities") for m in context.stats.months):
        # Columns of 月度: 序号, 月份, 活动 …; rows from the header down.
        last = HEADER_ROW + len(context.stats.months)
        data = Reference(months, min_col=3, min_row=HEADER_ROW, max_row=last)
        categories = Reference(months, min_col=2, min_row=HEADER_ROW + 1, max_row=last)
        sheet.sheet.add_chart(_bar_chart("各月开展活动次数", "活动（次）", data, categories, False), f"B{anchor_row}")
    if indicator_rows:
        indicators = workbook["指标"]
        last = HEADER_ROW + indicator_rows
        data = Reference(indicators, min_col=8, min_row=HEADER_ROW, max_row=last)  # 完成率（%）
        categories = Reference(indicators, min_col=4, min_row=HEADER_ROW + 1, max_row=last)  # 指标
        chart = _bar_chart("各项指标完成率", "完成率（%）", data, categories, True)
        chart.height = max(7.5, 0.6 * indicator_rows)
        sheet.sheet.add_chart(chart, f"F{anchor_row}")


def _months_sheet(workbook: Workbook, context: ReportContext) -> None:
    sheet = _sheet(workbook, context, "月度", "月度活动", MONTH_COLUMNS)
    if any(month.figures.get("activities") for month in context.stats.months):
        for month in context.stats.months:
            sheet.append_item(month)
    sheet.close()


def _projects_sheet(workbook: Workbook, context: ReportContext) -> None:
    sheet = _sheet(workbook, context, "项目", "项目", PROJECT_COLUMNS)
    figures = {project.id: project.figures for project in context.stats.projects}
    for project in year_projects(context.committee, context.school_year).iterator(chunk_size=CHUNK_SIZE):
        sheet.append_item(ProjectRow(project, figures.get(project.pk, {})))
    sheet.close()


def _indicators_sheet(workbook: Workbook, context: ReportContext) -> int:
    sheet = _sheet(workbook, context, "指标", "指标完成情况", INDICATOR_COLUMNS)
    projects: list[ProjectStats] = context.stats.projects
    for project in projects:
        for row in project.figures.get("indicators", []):
            sheet.append_item((project, row))
    sheet.close()
    return sheet.rows


def _activities_sheet(workbook: Workbook, context: ReportContext, progress: Progress, start: int, end: int) -> None:
    logs = ActivityLog.objects.filter(
        project__in=year_projects(context.committee, context.school_year).values("pk"), is_archived=False
    )
    indicators = list(
        Indicator.objects.filter(values__activity__in=logs.values("pk")).distinct().order_by("position", "name", "pk")
    )
    sheet = _sheet(workbook, context, "活动", "活动记录", _activity_columns(indicators))
    total = logs.count()
    rows = (
        logs.select_related("project__group")
        .annotate(
            participant_count=Count("participants", distinct=True),
            photo_count=Count("photos", filter=Q(photos__is_archived=False), distinct=True),
        )
        .order_by("date", "pk")
    )
    done = 0
    for chunk in in_chunks(rows):
        values: dict[int, dict[int, Any]] = defaultdict(dict)
        for activity_id, indicator_id, value in (
            IndicatorValue.objects.filter(activity__in=[activity.pk for activity in chunk])
            .order_by()
            .values_list("activity_id", "indicator_id", "value")
        ):
            values[activity_id][indicator_id] = value
        for activity in chunk:
            sheet.append_item((activity, values[activity.pk]))
        done += len(chunk)
        progress(start + (end - start) * done // total)
    sheet.close()


def _achievements_sheet(workbook: Workbook, context: ReportContext) -> None:
    sheet = _sheet(workbook, context, "成果", "成果", ACHIEVEMENT_COLUMNS)
    achievements = (
        year_achievements(context.committee, context.school_year).select_related("project").order_by("awarded_on", "pk")
    )
    holders = Achievement.members.through.objects.order_by("member__name", "member_id")
    for chunk in in_chunks(achievements):
        names: dict[int, list[str]] = defaultdict(list)
        for achievement_id, name in holders.filter(
            achievement__in=[achievement.pk for achievement in chunk]
        ).values_list("achievement_id", "member__name"):
            names[achievement_id].append(name)
        for achievement in chunk:
            sheet.append_item((achievement, names[achievement.pk]))
    sheet.close()


def _reviews_sheet(workbook: Workbook, context: ReportContext) -> None:
    # Score sheets follow the app's rule: a viewer with a conflict of interest never sees them.
    projects = year_projects(context.committee, context.school_year).prefetch_related("participants")
    allowed = [project.pk for project in projects if context.viewer.has_perm("projects.view_scores", project)]
    criteria = list(
        RubricCriterion.objects.filter(scores__sheet__project__in=allowed).distinct().order_by("position", "pk")
    )
    sheet = _sheet(workbook, context, "评审", "立项评审", _review_columns(criteria))
    sheets = (
        ScoreSheet.objects.filter(project__in=allowed)
        .select_related("project__group", "reviewer__member")
        .prefetch_related(Prefetch("scores", queryset=CriterionScore.objects.only("sheet_id", "criterion_id", "score")))
        .order_by("project__group__position", "project__title", "project_id", "review_round", "created_at", "pk")
    )
    for score_sheet in sheets.iterator(chunk_size=CHUNK_SIZE):
        sheet.append_item((score_sheet, {score.criterion_id: score.score for score in score_sheet.scores.all()}))
    sheet.close()


def _assessment_sheet(workbook: Workbook, context: ReportContext) -> None:
    sheet = _sheet(workbook, context, "考核", "年度考核结果", ASSESSMENT_COLUMNS)
    assessment_round = published_round(context.committee, context.school_year)
    if assessment_round is None:
        sheet.close("本学年的年度考核结果尚未公布。")
        return
    results = (
        AssessmentResult.objects.filter(assessment_round=assessment_round)
        .select_related("project__group", "project__project_type")
        .order_by("rank", "pk")
    )
    for result in results.iterator(chunk_size=CHUNK_SIZE):
        sheet.append_item(result)
    sheet.close()


# 按时率: one row per branch, its groups under it, then the school's first-round reviews.
ON_TIME_COLUMNS = [
    Column("党支部 / 党小组", 24),
    Column("应完成", 10),
    Column("按时完成", 10),
    Column("按时率（%）", 12),
]


def _on_time_sheet(workbook: Workbook, context: ReportContext) -> None:
    """按时率: each branch and group's months logged on time, and the first-round reviews (stats/on_time.py)."""
    sheet = _sheet(workbook, context, "按时率", "按时率", ON_TIME_COLUMNS)
    rates = on_time_rates(context.committee, context.school_year)
    if rates.logging_day is None and rates.reviews is None:
        sheet.close("本学年的学年日程未设置活动记录截止日和评审截止日期。")
        return
    groups = Group.objects.filter(pk__in=rates.groups).select_related("branch").order_by("branch__position", "position")
    for branch in Branch.objects.filter(pk__in=rates.branches).order_by("position", "pk"):
        rate = rates.branches[branch.pk]
        sheet.append([branch.name, rate.due, rate.on_time, rate.percent])
        for group in (group for group in groups if group.branch_id == branch.pk):
            rate = rates.groups[group.pk]
            sheet.append([f"  {group.name}", rate.due, rate.on_time, rate.percent])
    if rates.reviews is not None:
        sheet.append(["首轮评审（全校）", rates.reviews.due, rates.reviews.on_time, rates.reviews.percent])
    sheet.close()


def write_workbook(context: ReportContext, output: IO[bytes], progress: Progress = no_progress) -> None:
    """Write the year's workbook to ``output`` (progress 0–90); sheets in `SHEET_NAMES` order."""
    workbook = Workbook(write_only=True)
    # 汇总 comes first but its charts point at 月度 and 指标: those are written first and moved.
    _months_sheet(workbook, context)
    _projects_sheet(workbook, context)
    indicator_rows = _indicators_sheet(workbook, context)
    progress(15)
    _activities_sheet(workbook, context, progress, 15, 60)
    progress(60)
    _achievements_sheet(workbook, context)
    progress(70)
    _reviews_sheet(workbook, context)
    progress(80)
    _assessment_sheet(workbook, context)
    _on_time_sheet(workbook, context)
    _summary_sheet(workbook, context, indicator_rows)
    workbook.move_sheet("汇总", offset=-(len(workbook.sheetnames) - 1))
    progress(85)
    workbook.save(output)
    progress(90)
