"""Pages of the review side: the score sheet, the review table and decision, the queue, export."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rules.contrib.views import permission_required

from branches import selectors as branch_selectors
from members.roles import roles_of

from .. import review_export, review_selectors, review_services, selectors
from ..calendar_selectors import review_quorum
from ..enums import ProjectStatus
from ..errors import ProjectError
from ..models import MicroProject, ScoreSheet
from ..review_forms import BulkDecisionForm, DecisionForm, ReviewFilterForm, ScoreSheetForm
from ..review_selectors import QUEUE_SORTS, QUEUE_STATUSES, ReviewFilter
from ..rules import has_conflict_of_interest


def _review_project(request: HttpRequest, project_id: int, permission: str = "projects.view_review") -> MicroProject:
    """The application if it is of the user's committee (else 404) and the user may review it (else 403)."""
    project = review_selectors.project_for_review(request.user, project_id)
    if project is None:
        raise Http404
    if not request.user.has_perm(permission, project):
        raise PermissionDenied
    return project


def _own_sheet(request: HttpRequest, project: MicroProject) -> ScoreSheet | None:
    return (
        ScoreSheet.objects.filter(project=project, reviewer=request.user, review_round=project.review_round)
        .prefetch_related("scores")
        .first()
    )


def _render_review(
    request: HttpRequest,
    project: MicroProject,
    *,
    score_form: ScoreSheetForm | None = None,
    decision_form: DecisionForm | None = None,
) -> HttpResponse:
    user = request.user
    all_sheets = review_selectors.review_sheets(project)
    sheets = project.current_sheets
    own_sheet = next((sheet for sheet in sheets if sheet.reviewer_id == user.pk), None)
    can_score = user.has_perm("projects.score_project", project)
    can_view_scores = user.has_perm("projects.view_scores", project)
    # The rubric, read once for the score form and the table of scores.
    needs_form = score_form is None and can_score
    criteria = review_selectors.active_criteria(project.committee_id) if needs_form or can_view_scores else []
    if needs_form:
        score_form = ScoreSheetForm(criteria=criteria, sheet=own_sheet)
    can_decide = user.has_perm("projects.decide_project", project)
    quorum = review_quorum(project, review_selectors.reviewers_for(project)) if can_decide else None
    if decision_form is None and can_decide:
        decision_form = DecisionForm(
            initial={"share_reviewer_comments": project.share_reviewer_comments}, quorum_reached=quorum.reached
        )
    return render(
        request,
        "projects/review_detail.html",
        {
            "project": project,
            "own_sheet": own_sheet,
            "has_conflict": has_conflict_of_interest(user, project),
            "can_score": can_score,
            "score_form": score_form if can_score else None,
            "can_view_scores": can_view_scores,
            "table": review_selectors.review_table(project, all_sheets, criteria) if can_view_scores else None,
            "sheet_count": None if can_view_scores else len(sheets),
            "can_decide": can_decide,
            "decision_form": decision_form if can_decide else None,
            "quorum": quorum,
            "decision": review_selectors.decision_of(project),
        },
    )


def review(request: HttpRequest, project_id: int) -> HttpResponse:
    """The reviewer's score sheet; the review table for those allowed; the secretary's decision."""
    project = _review_project(request, project_id)
    if request.method != "POST":
        return _render_review(request, project)
    # Refused before reading the form: a conflicted reviewer or a closed review writes nothing.
    if not request.user.has_perm("projects.score_project", project):
        raise PermissionDenied
    form = ScoreSheetForm(
        request.POST,
        criteria=review_selectors.active_criteria(project.committee_id),
        sheet=_own_sheet(request, project),
    )
    if form.is_valid():
        try:
            review_services.score_record(
                actor=request.user,
                project=project,
                scores=form.scores(),
                recommendation=form.cleaned_data["recommendation"],
                comment=form.cleaned_data["comment"],
            )
        except ProjectError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("评分已保存。党委作出决定前，您可以随时修改。"))
            return redirect("projects:review", project_id=project.pk)
    return _render_review(request, project, score_form=form)


@require_POST
def decide(request: HttpRequest, project_id: int) -> HttpResponse:
    """The secretary's decision on one application in review."""
    project = _review_project(request, project_id)
    if not request.user.has_perm("projects.decide_project", project):
        if request.user.has_perm("projects.decide_in_bulk"):
            # The secretary, but the application is no longer (or not yet) in review.
            messages.error(
                request,
                _("项目当前状态为「%(status)s」，不能作出决定。") % {"status": project.get_status_display()},
            )
            return redirect("projects:review", project_id=project.pk)
        raise PermissionDenied
    form = DecisionForm(request.POST, quorum_reached=False)
    if form.is_valid():
        try:
            review_services.project_decide(
                actor=request.user,
                project=project,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
                share_reviewer_comments=form.cleaned_data["share_reviewer_comments"],
                confirm_below_quorum=form.cleaned_data["confirm_below_quorum"],
            )
        except ProjectError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已作出决定，并通知了申报党小组。"))
            return redirect("projects:review", project_id=project.pk)
    return _render_review(request, project, decision_form=form)


def _queue_candidates(request: HttpRequest) -> QuerySet[MicroProject]:
    committee_id = roles_of(request.user).committee_id
    return MicroProject.objects.filter(committee_id=committee_id, status__in=QUEUE_STATUSES)


@require_POST
@permission_required("projects.decide_in_bulk", raise_exception=True)
def bulk_decide(request: HttpRequest) -> HttpResponse:
    """Decide the ticked applications at once; the ones the workflow refuses are listed."""
    candidates = _queue_candidates(request)
    form = BulkDecisionForm(request.POST, project_ids=candidates.values_list("pk", flat=True))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("projects:queue")
    projects = list(candidates.filter(pk__in=form.cleaned_data["projects"]).order_by("submitted_at", "pk"))
    decided, refused = review_services.projects_decide_in_bulk(
        actor=request.user,
        projects=projects,
        decision=form.cleaned_data["decision"],
        comment=form.cleaned_data["comment"],
    )
    if decided:
        messages.success(request, _("已对 %(count)d 个项目作出决定。") % {"count": len(decided)})
    for project, reason in refused:
        messages.warning(request, _("《%(title)s》未处理：%(reason)s") % {"title": project.title, "reason": reason})
    return redirect("projects:queue")


def _queue_filter(request: HttpRequest) -> tuple[ReviewFilterForm, ReviewFilter]:
    form = ReviewFilterForm(
        request.GET or None,
        project_types=selectors.project_types_of(request.user, active_only=False),
        branches=branch_selectors.branches_visible_to(request.user),
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return form, ReviewFilter(
            status=data["status"],
            project_type_id=data["project_type"],
            branch_id=data["branch"],
            sort=data["sort"] or "submitted",
        )
    return form, ReviewFilter()


def _sort_links(request: HttpRequest, current: str) -> dict[str, str]:
    """Query strings for the sortable headers: a click sorts by the column, a second click reverses it."""
    links = {}
    for key in QUEUE_SORTS:
        query = request.GET.copy()
        query["sort"] = f"-{key}" if current == key else key
        links[key] = query.urlencode()
    return links


@permission_required("projects.view_review_queue", raise_exception=True)
def queue(request: HttpRequest) -> HttpResponse:
    form, review_filter = _queue_filter(request)
    can_bulk = request.user.has_perm("projects.decide_in_bulk")
    rows = review_selectors.review_queue(request.user, review_filter)
    # 我的待评 lists every application waiting for this reviewer, whatever the filter: an
    # unfiltered queue already holds them all.
    pending = review_selectors.my_pending_reviews(request.user, queue=None if review_filter.narrows else rows)
    return render(
        request,
        "projects/review_queue.html",
        {
            "form": form,
            "rows": rows,
            "pending": pending,
            "sort": review_filter.sort,
            "sort_links": _sort_links(request, review_filter.sort),
            "bulk_form": BulkDecisionForm(auto_id="bulk_%s") if can_bulk else None,
            "in_review": ProjectStatus.IN_REVIEW,
            "query": request.GET.urlencode(),
        },
    )


@permission_required("projects.export_review", raise_exception=True)
def export_review(request: HttpRequest) -> HttpResponse:
    """The queue as it is filtered, with every current-round sheet, as an Excel workbook."""
    _form, review_filter = _queue_filter(request)
    response = HttpResponse(
        review_export.review_workbook(request.user, review_filter), content_type=review_export.XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename="评审汇总.xlsx")
    return response
