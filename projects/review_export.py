"""The review queue as an Excel workbook: every current-round score sheet, and a summary per project,
each sheet laid out to print (`config.printable_sheets`)."""

from functools import partial
from io import BytesIO

from django.db.models import F, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from branches.models import Committee
from config.printable_sheets import Column, PrintableSheet
from members.roles import roles_of

from .models import CriterionScore, RubricCriterion, ScoreSheet
from .review_selectors import ReviewFilter, review_queue_projects
from .scoring import ScoreSummary

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _reviewer_name(user) -> str:
    member = getattr(user, "member", None)
    return member.name if member is not None else user.get_username()


def review_workbook(user, review_filter: ReviewFilter) -> bytes:
    """The workbook for the user's queue under the filter; a fixed number of queries."""
    projects = list(review_queue_projects(user, review_filter))
    sheets = list(
        ScoreSheet.objects.filter(project__in=projects, review_round=F("project__review_round"))
        .select_related("reviewer", "reviewer__member")
        .prefetch_related(Prefetch("scores", queryset=CriterionScore.objects.only("sheet_id", "criterion_id", "score")))
        .order_by("project_id", "created_at", "pk")
    )
    committee_ids = {project.committee_id for project in projects}
    criteria = list(
        RubricCriterion.objects.filter(
            Q(committee_id__in=committee_ids, is_active=True) | Q(scores__sheet__in=[sheet.pk for sheet in sheets])
        )
        .distinct()
        .order_by("position", "pk")
    )
    sheets_by_project: dict[int, list[ScoreSheet]] = {}
    for sheet in sheets:
        sheets_by_project.setdefault(sheet.project_id, []).append(sheet)

    school_name = (
        Committee.objects.filter(pk=roles_of(user).committee_id).values_list("school_name", flat=True).first() or ""
    )
    made = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    project_columns = [
        Column(_("项目"), 28, lambda row: row[0].title, wrap=True),
        Column(_("申报党小组"), 11, lambda row: row[0].group.name),
        Column(_("党支部"), 11, lambda row: row[0].group.branch.name),
        Column(_("项目类型"), 13, lambda row: row[0].project_type.name if row[0].project_type else ""),
        Column(_("状态"), 9, lambda row: str(row[0].get_status_display())),
        Column(_("评审轮次"), 8, lambda row: row[0].review_round),
    ]

    def score(criterion_id: int, row) -> object:
        return row[2].get(criterion_id)

    workbook = Workbook(write_only=True)
    detail = PrintableSheet(
        workbook,
        _("评分明细"),
        heading=_("%(school)s党建微项目立项评审评分明细") % {"school": school_name},
        note=_("导出时间：%(time)s") % {"time": made},
        columns=[
            *project_columns,
            Column(_("评审人"), 10, lambda row: _reviewer_name(row[1].reviewer)),
            *(Column(c.name, 9, partial(score, c.pk)) for c in criteria),
            Column(_("加权总分"), 9, lambda row: row[1].weighted_total),
            Column(_("总体意见"), 11, lambda row: str(row[1].get_recommendation_display())),
            Column(_("评审意见"), 40, lambda row: row[1].comment, wrap=True),
        ],
    )
    summary = PrintableSheet(
        workbook,
        _("汇总"),
        heading=_("%(school)s党建微项目立项评审汇总") % {"school": school_name},
        note=_("导出时间：%(time)s") % {"time": made},
        columns=[
            *project_columns,
            Column(_("评分人数"), 9, lambda row: row[1].count),
            Column(_("平均分"), 9, lambda row: row[1].mean),
            Column(_("中位数"), 9, lambda row: row[1].median),
            Column(_("极差"), 9, lambda row: row[1].spread),
        ],
    )
    for project in projects:
        project_sheets = sheets_by_project.get(project.pk, [])
        for sheet in project_sheets:
            detail.append_item((project, sheet, {score.criterion_id: score.score for score in sheet.scores.all()}))
        summary.append_item((project, ScoreSummary.of(sheet.weighted_total for sheet in project_sheets)))
    detail.close()
    summary.close()
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()
