"""Pages of the year-end assessment: rounds, the round's projects, settings, score sheets, ranking, publication."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from rules.contrib.views import permission_required

from projects.rules import has_conflict_of_interest
from stats.on_time import on_time_rates

from .. import selectors as assessment_selectors
from .. import services as assessment_services
from ..assessment_notice import write_notice
from ..enums import AssessmentStatus
from ..errors import YearEndError
from ..forms import AssessmentOpenForm, AssessmentSheetForm, CriterionFormSet, ThresholdsForm
from ..models import AssessmentRound
from ..selectors import AssessmentEntry

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _round(request: HttpRequest, round_id: int, permission: str = "yearend.view_assessment") -> AssessmentRound:
    """The round if it is of the user's committee (else 404) and the user has the permission (else 403)."""
    assessment_round = assessment_selectors.assessment_round_for(request.user, round_id)
    if assessment_round is None:
        raise Http404
    if not request.user.has_perm(permission, assessment_round):
        raise PermissionDenied
    return assessment_round


@permission_required("yearend.view_assessments", raise_exception=True)
def assessment_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "yearend/assessment_list.html",
        {"rounds": assessment_selectors.assessment_rounds_of(request.user)},
    )


@permission_required("yearend.open_assessment", raise_exception=True)
def assessment_open(request: HttpRequest) -> HttpResponse:
    years, default = assessment_selectors.school_years_to_assess(request.user)
    form = AssessmentOpenForm(request.POST or None, school_years=years, default=default)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment_round = assessment_services.assessment_round_open(
                actor=request.user,
                school_year=data["school_year"],
                excellent_threshold=data["excellent_threshold"],
                good_threshold=data["good_threshold"],
                pass_threshold=data["pass_threshold"],
                client_id=data["client_id"],
            )
        except YearEndError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("年度考核已开启，已通知党委委员。评分开始前可以修改考核细则。"))
            return redirect("yearend:assessment_round", round_id=assessment_round.pk)
    return render(request, "yearend/assessment_open.html", {"form": form})


def assessment_round(request: HttpRequest, round_id: int) -> HttpResponse:
    """The round's concluded projects with each one's state for the user, and the secretary's actions."""
    assessment_round = _round(request, round_id)
    can_publish = request.user.has_perm("yearend.publish_assessment", assessment_round)
    return render(
        request,
        "yearend/assessment_round.html",
        {
            "round": assessment_round,
            "criteria": list(assessment_round.criteria.all()),
            "rows": assessment_selectors.assessment_board(request.user, assessment_round),
            "can_publish": can_publish,
            "events": assessment_selectors.assessment_events(assessment_round) if can_publish else [],
        },
    )


def _render_settings(
    request: HttpRequest,
    assessment_round: AssessmentRound,
    *,
    thresholds_form: ThresholdsForm | None = None,
    rubric_formset=None,
) -> HttpResponse:
    can_edit_rubric = request.user.has_perm("yearend.edit_assessment_rubric", assessment_round)
    if rubric_formset is None and can_edit_rubric:
        rubric_formset = CriterionFormSet(queryset=assessment_round.criteria.order_by("position", "pk"))
    return render(
        request,
        "yearend/assessment_settings.html",
        {
            "round": assessment_round,
            "criteria": list(assessment_round.criteria.all()),
            "thresholds_form": thresholds_form or ThresholdsForm(assessment_round=assessment_round),
            "rubric_formset": rubric_formset if can_edit_rubric else None,
        },
    )


def assessment_settings(request: HttpRequest, round_id: int) -> HttpResponse:
    """The secretary's thresholds (until publication) and rubric (until the first sheet)."""
    assessment_round = _round(request, round_id, "yearend.set_assessment_thresholds")
    return _render_settings(request, assessment_round)


@require_POST
def assessment_thresholds(request: HttpRequest, round_id: int) -> HttpResponse:
    assessment_round = _round(request, round_id, "yearend.set_assessment_thresholds")
    form = ThresholdsForm(request.POST)
    if form.is_valid():
        try:
            assessment_services.assessment_thresholds_set(
                actor=request.user, assessment_round=assessment_round, **form.cleaned_data
            )
        except YearEndError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("等次分数线已保存。"))
            return redirect("yearend:assessment_round", round_id=assessment_round.pk)
    return _render_settings(request, assessment_round, thresholds_form=form)


@require_POST
def assessment_rubric(request: HttpRequest, round_id: int) -> HttpResponse:
    assessment_round = _round(request, round_id, "yearend.edit_assessment_rubric")
    formset = CriterionFormSet(request.POST, queryset=assessment_round.criteria.order_by("position", "pk"))
    if formset.is_valid():
        criteria = [
            assessment_services.CriterionData(
                name=form.cleaned_data["name"],
                max_score=form.cleaned_data["max_score"],
                weight=form.cleaned_data["weight"],
                description=form.cleaned_data.get("description", ""),
            )
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            assessment_services.assessment_rubric_save(
                actor=request.user, assessment_round=assessment_round, criteria=criteria
            )
        except YearEndError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("考核细则已保存。"))
            return redirect("yearend:assessment_round", round_id=assessment_round.pk)
    return _render_settings(request, assessment_round, rubric_formset=formset)


def _entry(request: HttpRequest, round_id: int, project_id: int) -> AssessmentEntry:
    entry = assessment_selectors.assessment_entry_for(request.user, round_id, project_id)
    if entry is None:
        raise Http404
    if not request.user.has_perm("yearend.view_assessment", entry.assessment_round):
        raise PermissionDenied
    return entry


def _render_sheet(request: HttpRequest, entry: AssessmentEntry, form: AssessmentSheetForm | None = None):
    user = request.user
    own_sheet = assessment_selectors.own_sheet(user, entry)
    can_score = user.has_perm("yearend.score_assessment", entry)
    criteria = list(entry.assessment_round.criteria.all())
    if form is None and can_score:
        form = AssessmentSheetForm(criteria=criteria, sheet=own_sheet)
    can_view_scores = user.has_perm("yearend.view_assessment_scores", entry)
    return render(
        request,
        "yearend/assessment_sheet.html",
        {
            "round": entry.assessment_round,
            "entry": entry,
            "project": entry.project,
            "criteria": criteria,
            "own_sheet": own_sheet,
            "has_conflict": has_conflict_of_interest(user, entry.project),
            "form": form if can_score else None,
            "can_view_scores": can_view_scores,
            "sheet_rows": assessment_selectors.assessment_sheet_rows(entry) if can_view_scores else None,
            "evidence": assessment_selectors.evidence_of(entry.project),
            "logging_on_time": on_time_rates(
                entry.assessment_round.committee_id, entry.assessment_round.school_year
            ).projects.get(entry.project.pk),
        },
    )


def assessment_sheet(request: HttpRequest, round_id: int, project_id: int) -> HttpResponse:
    """The assessor's score sheet beside the project's targets and evidence; others' sheets once allowed."""
    entry = _entry(request, round_id, project_id)
    if request.method != "POST":
        return _render_sheet(request, entry)
    # Refused before reading the form: a conflicted assessor or a published round writes nothing.
    if not request.user.has_perm("yearend.score_assessment", entry):
        raise PermissionDenied
    form = AssessmentSheetForm(
        request.POST,
        criteria=list(entry.assessment_round.criteria.all()),
        sheet=assessment_selectors.own_sheet(request.user, entry),
    )
    if form.is_valid():
        try:
            assessment_services.assessment_score_record(
                actor=request.user,
                assessment_round=entry.assessment_round,
                project=entry.project,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
            )
        except YearEndError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("考核评分已保存。结果公布前，您可以随时修改。"))
            return redirect("yearend:assessment_sheet", round_id=entry.assessment_round.pk, project_id=entry.project.pk)
    return _render_sheet(request, entry, form)


def assessment_ranking(request: HttpRequest, round_id: int) -> HttpResponse:
    """Every project's mean, rating and rank: for the secretary, and for the committee once published."""
    assessment_round = _round(request, round_id, "yearend.view_assessment_ranking")
    return render(
        request,
        "yearend/assessment_ranking.html",
        {
            "round": assessment_round,
            "ranking": assessment_selectors.assessment_ranking(assessment_round),
            "can_publish": request.user.has_perm("yearend.publish_assessment", assessment_round),
        },
    )


@require_POST
def assessment_publish(request: HttpRequest, round_id: int) -> HttpResponse:
    assessment_round = _round(request, round_id)
    if not request.user.has_perm("yearend.publish_assessment", assessment_round):
        if not request.user.has_perm("yearend.open_assessment"):
            raise PermissionDenied
        # The secretary, but the results are already published.
        messages.error(request, _("考核结果已经公布。"))
        return redirect("yearend:assessment_ranking", round_id=assessment_round.pk)
    try:
        results = assessment_services.assessment_publish(actor=request.user, assessment_round=assessment_round)
    except YearEndError as error:
        messages.error(request, error.message)
        return redirect("yearend:assessment_ranking", round_id=assessment_round.pk)
    messages.success(request, _("已公布 %(count)d 个项目的考核结果，并通知了各党小组。") % {"count": len(results)})
    return redirect("yearend:assessment_ranking", round_id=assessment_round.pk)


@require_safe
def assessment_notice(request: HttpRequest, round_id: int) -> HttpResponse:
    """The published results as the 考核结果通报 (.docx), for whoever may see the ranking."""
    assessment_round = _round(request, round_id, "yearend.view_assessment_ranking")
    if assessment_round.status != AssessmentStatus.PUBLISHED:
        raise Http404
    output = io.BytesIO()
    write_notice(assessment_round, output)
    name = f"{assessment_round.committee.short_school_name}-{assessment_round.school_year}-考核结果通报.docx"
    response = HttpResponse(output.getvalue(), content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
