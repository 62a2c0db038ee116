"""The review queue as an Excel workbook: every current-round score sheet, and a summary per project."""

from io import BytesIO

from django.db.models import F, Prefetch, Q
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from config.spreadsheet_cells import safe_text

from .models import CriterionScore, RubricCriterion, ScoreSheet
from .review_selectors import ReviewFilter, review_queue_projects
from .scoring import ScoreSummary

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _append(sheet, values) -> None:
    sheet.append([safe_text(value) for value in values])


def _reviewer_name(user) -> str:
    member = getattr(user, "member", None)
    return member.name if member is not None else user.get_username()


def _fit_columns(sheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


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

    workbook = Workbook()
    detail = workbook.active
    detail.title = _("评分明细")
    project_columns = [_("项目"), _("申报党小组"), _("党支部"), _("项目类型"), _("状态"), _("评审轮次")]
    _append(
        detail,
        [*project_columns, _("评审人"), *(c.name for c in criteria), _("加权总分"), _("总体意见"), _("评审意见")],
    )
    summary = workbook.create_sheet(_("汇总"))
    _append(summary, [*project_columns, _("评分人数"), _("平均分"), _("中位数"), _("极差")])

    for project in projects:
        described = [
            project.title,
            project.group.name,
            project.group.branch.name,
            project.project_type.name if project.project_type else "",
            str(project.get_status_display()),
            project.review_round,
        ]
        project_sheets = sheets_by_project.get(project.pk, [])
        for sheet in project_sheets:
            scores = {score.criterion_id: score.score for score in sheet.scores.all()}
            _append(
                detail,
                [
                    *described,
                    _reviewer_name(sheet.reviewer),
                    *(scores.get(criterion.pk) for criterion in criteria),
                    sheet.weighted_total,
                    str(sheet.get_recommendation_display()),
                    sheet.comment,
                ],
            )
        stats = ScoreSummary.of(sheet.weighted_total for sheet in project_sheets)
        _append(summary, [*described, stats.count, stats.mean, stats.median, stats.spread])

    _fit_columns(detail, [30, 12, 12, 14, 10, 8, 10] + [10] * len(criteria) + [10, 12, 40])
    _fit_columns(summary, [30, 12, 12, 14, 10, 8, 10, 10, 10, 10])
    detail.freeze_panes = "B2"
    summary.freeze_panes = "B2"
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()
