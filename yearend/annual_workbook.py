"""The school year's data workbook (.xlsx), written in streaming mode for the report task.

openpyxl's write-only mode streams rows to the file, and every query is read with
``.iterator(chunk_size=...)``, so memory stays flat however many activities a year holds. The
row-heavy sheets read their to-many columns (indicator values, members) as plain tuples per
chunk rather than with ``prefetch_related``: a prefetched instance sits in a reference cycle
(its related manager's queryset points back at it), so each chunk would outlive its rows until
the next full garbage collection, and the year's peak memory would follow its row count.
Text cells go through `config.spreadsheet_cells.safe_text`, so nothing a user typed runs as a formula.
The annual summary document lives in `report_document`; writes of jobs in `report_services`.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from activities.models import Achievement, ActivityLog, IndicatorValue
from branches.models import Branch, Committee, Group
from config.spreadsheet_cells import safe_text
from members.models import User
from projects.enums import PUBLIC_STATUSES
from projects.models import CriterionScore, Indicator, MicroProject, RubricCriterion, ScoreSheet
from projects.school_years import school_year_bounds
from stats.on_time import on_time_rates
from stats.selectors import CommitteeStats

from .enums import AssessmentStatus
from .models import AssessmentResult, AssessmentRound

CHUNK_SIZE = 500
Progress = Callable[[int], None]


def no_progress(_percent: int) -> None:
    return None


@dataclass(frozen=True)
class ReportContext:
    """What both report files are about: whose year, seen by whom, with which figures."""

    committee: Committee
    school_year: str
    viewer: User
    stats: CommitteeStats


def year_projects(committee: Committee, school_year: str) -> QuerySet[MicroProject]:
    """The year's approved projects in the order of the organisation (branch, group, title)."""
    return (
        MicroProject.objects.filter(committee=committee, school_year=school_year, status__in=PUBLIC_STATUSES)
        .select_related("group__branch", "project_type")
        .order_by("group__branch__position", "group__position", "title", "pk")
    )


def year_achievements(committee: Committee, school_year: str) -> QuerySet[Achievement]:
    """Achievements of the year's projects, and the committee's own of dates within the year."""
    first, last = school_year_bounds(school_year)
    return Achievement.objects.filter(committee=committee).filter(
        Q(project__school_year=school_year) | Q(project__isnull=True, awarded_on__range=(first, last))
    )


def _in_chunks(queryset: QuerySet[Any]) -> Iterator[list[Any]]:
    """The queryset's rows streamed from the database, CHUNK_SIZE at a time."""
    rows = queryset.iterator(chunk_size=CHUNK_SIZE)
    while chunk := list(islice(rows, CHUNK_SIZE)):
        yield chunk


def person_name(user: User | None) -> str:
    member = getattr(user, "member", None) if user is not None else None
    return member.name if member is not None else (user.get_username() if user is not None else "")


class _Sheet:
    """A write-only worksheet with a header row, fixed column widths and formula-safe cells."""

    def __init__(self, workbook: Workbook, title: str, header: list[str], widths: list[int]) -> None:
        self.sheet = workbook.create_sheet(title)
        for index, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.sheet.freeze_panes = "A2"
        self.append(header)

    def append(self, values: Iterable[Any]) -> None:
        self.sheet.append([safe_text(value) for value in values])


def _projects_sheet(workbook: Workbook, context: ReportContext) -> None:
    sheet = _Sheet(
        workbook,
        _("项目"),
        [
            _("项目名称"),
            _("党小组"),
            _("党支部"),
            _("项目类型"),
            _("三型组织"),
            _("状态"),
            _("学年"),
            _("活动（次）"),
            _("参与党员（人次）"),
            _("受益（人）"),
            _("活动时长（小时）"),
            _("照片（张）"),
            _("认定成果（项）"),
            _("项目目标"),
        ],
        [30, 12, 12, 14, 10, 10, 11, 10, 14, 10, 14, 10, 13, 60],
    )
    figures = {project.id: project.figures for project in context.stats.projects}
    for project in year_projects(context.committee, context.school_year).iterator(chunk_size=CHUNK_SIZE):
        numbers = figures.get(project.pk, {})
        kind = project.project_type
        sheet.append(
            [
                project.title,
                project.group.name,
                project.group.branch.name,
                kind.name if kind else "",
                str(kind.get_organisation_type_display()) if kind else "",
                str(project.get_status_display()),
                project.school_year,
                numbers.get("activities", 0),
                numbers.get("person_times", 0),
                numbers.get("beneficiaries", 0),
                numbers.get("hours", 0),
                numbers.get("photos", 0),
                numbers.get("achievements_verified", 0),
                project.goals,
            ]
        )


def _indicators_sheet(workbook: Workbook, context: ReportContext) -> None:
    sheet = _Sheet(
        workbook,
        _("指标"),
        [_("项目名称"), _("党小组"), _("指标"), _("单位"), _("目标值"), _("完成值"), _("完成率（%）"), _("计划外完成")],
        [30, 12, 18, 8, 10, 10, 12],
    )
    for project in context.stats.projects:
        for row in project.figures.get("indicators", []):
            sheet.append(
                [
                    project.title,
                    project.group_name,
                    row["name"],
                    row["unit"],
                    row["target"],
                    row["actual"],
                    row["completion"],
                    row.get("unplanned", 0),
                ]
            )


def _activities_sheet(workbook: Workbook, context: ReportContext, progress: Progress, start: int, end: int) -> None:
    logs = ActivityLog.objects.filter(
        project__in=year_projects(context.committee, context.school_year).values("pk"), is_archived=False
    )
    indicators = list(
        Indicator.objects.filter(values__activity__in=logs.values("pk")).distinct().order_by("position", "name", "pk")
    )
    sheet = _Sheet(
        workbook,
        _("活动"),
        [
            _("活动日期"),
            _("项目名称"),
            _("党小组"),
            _("活动类型"),
            _("活动名称"),
            _("活动地点"),
            _("参与党员（人）"),
            _("受益人数"),
            _("受益对象"),
            _("活动时长（小时）"),
            _("照片（张）"),
            *(f"{indicator.name}（{indicator.unit}）" for indicator in indicators),
            _("活动纪实"),
        ],
        [12, 30, 12, 12, 30, 16, 14, 10, 16, 14, 10, *([14] * len(indicators)), 60],
    )
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
    for chunk in _in_chunks(rows):
        values: dict[int, dict[int, Any]] = defaultdict(dict)
        for activity_id, indicator_id, value in (
            IndicatorValue.objects.filter(activity__in=[activity.pk for activity in chunk])
            .order_by()
            .values_list("activity_id", "indicator_id", "value")
        ):
            values[activity_id][indicator_id] = value
        for activity in chunk:
            _activity_row(sheet, activity, indicators, values[activity.pk])
        done += len(chunk)
        progress(start + (end - start) * done // total)


def _activity_row(sheet: _Sheet, activity: ActivityLog, indicators: list[Indicator], values: dict[int, Any]) -> None:
    sheet.append(
        [
            activity.date,
            activity.project.title,
            activity.project.group.name,
            str(activity.get_activity_type_display()),
            activity.title,
            activity.place,
            activity.participant_count,
            activity.beneficiaries_count,
            activity.beneficiaries,
            activity.duration_hours,
            activity.photo_count,
            *(values.get(indicator.pk) for indicator in indicators),
            activity.narrative,
        ]
    )


def _achievements_sheet(workbook: Workbook, context: ReportContext) -> None:
    sheet = _Sheet(
        workbook,
        _("成果"),
        [
            _("成果名称"),
            _("成果类别"),
            _("级别"),
            _("等次"),
            _("获得者"),
            _("学生"),
            _("字数"),
            _("颁发单位"),
            _("获得日期"),
            _("关联项目"),
            _("党委集体荣誉"),
            _("审核状态"),
        ],
        [40, 14, 8, 8, 20, 16, 8, 24, 12, 30, 12, 10],
    )
    achievements = (
        year_achievements(context.committee, context.school_year).select_related("project").order_by("awarded_on", "pk")
    )
    holders = Achievement.members.through.objects.order_by("member__name", "member_id")
    for chunk in _in_chunks(achievements):
        names: dict[int, list[str]] = defaultdict(list)
        for achievement_id, name in holders.filter(
            achievement__in=[achievement.pk for achievement in chunk]
        ).values_list("achievement_id", "member__name"):
            names[achievement_id].append(name)
        for achievement in chunk:
            sheet.append(
                [
                    achievement.title,
                    str(achievement.get_kind_display()),
                    str(achievement.get_level_display()),
                    str(achievement.get_rank_display()),
                    "、".join(names[achievement.pk]),
                    achievement.pupils,
                    achievement.word_count,
                    achievement.issuing_body,
                    achievement.awarded_on,
                    achievement.project.title if achievement.project else "",
                    _("是") if achievement.is_committee_honour else _("否"),
                    str(achievement.get_status_display()),
                ]
            )


def _reviews_sheet(workbook: Workbook, context: ReportContext) -> None:
    # Score sheets follow the app's rule: a viewer with a conflict of interest never sees them.
    projects = year_projects(context.committee, context.school_year).prefetch_related("participants")
    allowed = [project.pk for project in projects if context.viewer.has_perm("projects.view_scores", project)]
    criteria = list(
        RubricCriterion.objects.filter(scores__sheet__project__in=allowed).distinct().order_by("position", "pk")
    )
    sheet = _Sheet(
        workbook,
        _("评审"),
        [
            _("项目名称"),
            _("党小组"),
            _("评审轮次"),
            _("评审人"),
            *(criterion.name for criterion in criteria),
            _("加权总分"),
            _("总体意见"),
            _("评审意见"),
        ],
        [30, 12, 10, 10, *([10] * len(criteria)), 10, 12, 40],
    )
    sheets = (
        ScoreSheet.objects.filter(project__in=allowed)
        .select_related("project__group", "reviewer__member")
        .prefetch_related(Prefetch("scores", queryset=CriterionScore.objects.only("sheet_id", "criterion_id", "score")))
        .order_by("project__group__position", "project__title", "project_id", "review_round", "created_at", "pk")
    )
    for score_sheet in sheets.iterator(chunk_size=CHUNK_SIZE):
        scores = {score.criterion_id: score.score for score in score_sheet.scores.all()}
        sheet.append(
            [
                score_sheet.project.title,
                score_sheet.project.group.name,
                score_sheet.review_round,
                person_name(score_sheet.reviewer),
                *(scores.get(criterion.pk) for criterion in criteria),
                score_sheet.weighted_total,
                str(score_sheet.get_recommendation_display()),
                score_sheet.comment,
            ]
        )


def published_round(committee: Committee, school_year: str) -> AssessmentRound | None:
    return AssessmentRound.objects.filter(
        committee=committee, school_year=school_year, status=AssessmentStatus.PUBLISHED
    ).first()


def _assessment_sheet(workbook: Workbook, context: ReportContext) -> None:
    sheet = _Sheet(
        workbook,
        _("考核"),
        [_("排名"), _("项目名称"), _("党小组"), _("项目类型"), _("评分人数"), _("平均分"), _("考核等次")],
        [8, 30, 12, 14, 10, 10, 10],
    )
    assessment_round = published_round(context.committee, context.school_year)
    if assessment_round is None:
        sheet.append([_("本学年的年度考核结果尚未公布。")])
        return
    results = (
        AssessmentResult.objects.filter(assessment_round=assessment_round)
        .select_related("project__group", "project__project_type")
        .order_by("rank", "pk")
    )
    for result in results.iterator(chunk_size=CHUNK_SIZE):
        kind = result.project.project_type
        sheet.append(
            [
                result.rank,
                result.project.title,
                result.project.group.name,
                kind.name if kind else "",
                result.sheet_count,
                result.mean,
                str(result.get_rating_display()),
            ]
        )


def _on_time_sheet(workbook: Workbook, context: ReportContext) -> None:
    """按时率: each branch and group's months logged on time, and the first-round reviews (stats/on_time.py)."""
    sheet = _Sheet(
        workbook, _("按时率"), [_("党支部 / 党小组"), _("应完成"), _("按时完成"), _("按时率（%）")], [24, 10, 10, 12]
    )
    rates = on_time_rates(context.committee, context.school_year)
    if rates.logging_day is None and rates.reviews is None:
        sheet.append([_("本学年的学年日程未设置活动记录截止日和评审截止日期。")])
        return
    groups = Group.objects.filter(pk__in=rates.groups).select_related("branch").order_by("branch__position", "position")
    for branch in Branch.objects.filter(pk__in=rates.branches).order_by("position", "pk"):
        rate = rates.branches[branch.pk]
        sheet.append([branch.name, rate.due, rate.on_time, rate.percent])
        for group in (group for group in groups if group.branch_id == branch.pk):
            rate = rates.groups[group.pk]
            sheet.append([f"  {group.name}", rate.due, rate.on_time, rate.percent])
    if rates.reviews is not None:
        sheet.append([_("首轮评审（全校）"), rates.reviews.due, rates.reviews.on_time, rates.reviews.percent])


def write_workbook(context: ReportContext, output: IO[bytes], progress: Progress = no_progress) -> None:
    """Write the year's workbook to ``output``: 项目, 指标, 活动, 成果, 评审, 考核, 按时率 (progress 0–90)."""
    workbook = Workbook(write_only=True)
    _projects_sheet(workbook, context)
    _indicators_sheet(workbook, context)
    progress(15)
    _activities_sheet(workbook, context, progress, 15, 60)
    progress(60)
    _achievements_sheet(workbook, context)
    progress(70)
    _reviews_sheet(workbook, context)
    progress(80)
    _assessment_sheet(workbook, context)
    _on_time_sheet(workbook, context)
    progress(85)
    workbook.save(output)
    progress(90)
