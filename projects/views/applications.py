"""Pages of the application side: list, detail with timeline, write, submit, withdraw."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from rules.contrib.views import permission_required

from branches import selectors as branch_selectors
from config.document_checks import CONTENT_TYPES
from config.protected_files import protected_file_response
from members.roles import roles_of

from .. import application_pdf_services, calendar_selectors, review_selectors, selectors, services
from ..application_form import write_application_form
from ..enums import PdfStatus, ProjectStatus
from ..errors import ProjectError
from ..forms import ApplicationForm, CommentForm, PhaseFormSet, ProjectFilterForm, TargetFormSet
from ..models import MicroProject
from ..school_years import school_years_to_apply_for

PROJECTS_PER_PAGE = 30
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _visible_project(request: HttpRequest, project_id: int, permission: str = "projects.view_project") -> MicroProject:
    """The project if the user may see it (else 404) and has the permission (else 403)."""
    project = selectors.project_detail(request.user, project_id)
    if project is None:
        raise Http404
    if not request.user.has_perm(permission, project):
        raise PermissionDenied
    return project


@permission_required("projects.view_project_list", raise_exception=True)
def project_list(request: HttpRequest) -> HttpResponse:
    form = ProjectFilterForm(
        request.GET or None,
        project_types=selectors.project_types_of(request.user, active_only=False),
        branches=branch_selectors.branches_visible_to(request.user),
        school_years=selectors.school_years_of(request.user),
    )
    project_filter = selectors.ProjectFilter()
    if form.is_valid():
        data = form.cleaned_data
        project_filter = selectors.ProjectFilter(
            query=data["q"],
            status=data["status"],
            project_type_id=data["project_type"],
            branch_id=data["branch"],
            school_year=data["school_year"],
        )
    page = Paginator(selectors.project_list(request.user, project_filter), PROJECTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    return render(
        request,
        "projects/project_list.html",
        {"form": form, "page": page, "query_without_page": query_without_page.urlencode()},
    )


def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _visible_project(request, project_id)
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "missing": services.missing_for_submission(project)
            if request.user.has_perm("projects.submit_project", project)
            else [],
            "shared_reviews": selectors.shared_review_comments(project)
            if request.user.has_perm("projects.view_shared_reviews", project)
            else [],
            "comment_form": CommentForm(),
            "decision": review_selectors.decision_in(project.events.all()),
            "window_note": calendar_selectors.window_note(project)
            if request.user.has_perm("projects.submit_project", project)
            else "",
            # The 申报表 as PDF only where LibreOffice is installed (no button without it).
            "pdf_offered": (offered := application_pdf_services.pdf_offered()),
            "application_pdf": application_pdf_services.latest_pdf(project) if offered else None,
        },
    )


def _application_forms(request: HttpRequest, project: MicroProject | None):
    """The application form and its two formsets, bound to POST or filled from the project."""
    roles = roles_of(request.user)
    groups = branch_selectors.groups_visible_to(request.user).filter(pk__in=roles.led_group_ids)
    if project is not None:
        groups = groups.filter(pk=project.group_id)
    group = project.group if project is not None else groups.select_related("branch").first()
    indicators = selectors.indicators_of(request.user)
    today = timezone.localdate()
    school_years = school_years_to_apply_for(today, keep=project.school_year if project is not None else "")
    form_kwargs = {
        "groups": groups,
        "project_types": selectors.project_types_of(request.user),
        "participants": selectors.participant_choices(group),
        "school_years": school_years,
    }
    if request.method == "POST":
        form = ApplicationForm(request.POST, request.FILES, **form_kwargs)
        phases = PhaseFormSet(request.POST, prefix="phases")
        targets = TargetFormSet(request.POST, prefix="targets", form_kwargs={"indicators": indicators})
        return form, phases, targets
    initial = {"group": group}
    if project is None and group is not None:
        initial["school_year"] = calendar_selectors.application_default_year(
            group.pk, group.branch.committee_id, school_years, today
        )
    phase_initial, target_initial = [], []
    if project is not None:
        initial.update(
            title=project.title,
            project_type=project.project_type,
            school_year=project.school_year,
            background=project.background,
            goals=project.goals,
            expected_achievements=project.expected_achievements,
            participants=list(project.participants.all()),
        )
        phase_initial = [
            {"title": p.title, "starts_on": p.starts_on, "ends_on": p.ends_on, "description": p.description}
            for p in project.phases.all()
        ]
        target_initial = [{"indicator": t.indicator, "target_value": t.target_value} for t in project.targets.all()]
    form = ApplicationForm(initial=initial, **form_kwargs)
    phases = PhaseFormSet(prefix="phases", initial=phase_initial)
    targets = TargetFormSet(prefix="targets", initial=target_initial, form_kwargs={"indicators": indicators})
    return form, phases, targets


def _application_data(form, phases, targets) -> services.ApplicationData:
    data = form.cleaned_data
    return services.ApplicationData(
        title=data["title"],
        school_year=data["school_year"],
        project_type=data["project_type"],
        background=data["background"],
        goals=data["goals"],
        expected_achievements=data["expected_achievements"],
        participants=list(data["participants"]),
        phases=[
            services.PhaseData(
                title=p["title"], starts_on=p["starts_on"], ends_on=p["ends_on"], description=p["description"]
            )
            for p in phases.cleaned_data
            if p and not p.get("DELETE")
        ],
        targets=[
            services.TargetData(indicator=t["indicator"], target_value=t["target_value"])
            for t in targets.cleaned_data
            if t and not t.get("DELETE")
        ],
    )


def _save_application(request: HttpRequest, project: MicroProject | None) -> HttpResponse:
    form, phases, targets = _application_forms(request, project)
    if request.method == "POST" and form.is_valid() and phases.is_valid() and targets.is_valid():
        data = _application_data(form, phases, targets)
        try:
            if project is None:
                project = services.project_create(
                    actor=request.user,
                    group=form.cleaned_data["group"],
                    data=data,
                    attachment=form.cleaned_data["attachment"] or None,
                    client_id=form.cleaned_data["client_id"],
                )
            else:
                project = services.project_update(
                    actor=request.user, project=project, data=data, attachment=form.cleaned_data["attachment"] or None
                )
            if "submit" in request.POST:
                if project.status != ProjectStatus.SUBMITTED:  # else: a repeat of the post that submitted it
                    services.project_submit(actor=request.user, project=project)
                messages.success(request, _("申报已提交，等待党委评审。"))
            else:
                messages.success(request, _("已保存草稿。"))
            return redirect("projects:detail", project_id=project.pk)
        except ProjectError as error:
            if project is not None and project.pk and "submit" in request.POST:
                # The content was saved; only the submission was refused.
                messages.warning(request, _("内容已保存，但未能提交：%(reason)s") % {"reason": error.message})
                return redirect("projects:edit", project_id=project.pk)
            form.add_error(None, error.message)
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "phases": phases, "targets": targets, "project": project},
    )


@permission_required("projects.add_project", raise_exception=True)
def project_create(request: HttpRequest) -> HttpResponse:
    return _save_application(request, None)


def project_edit(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _visible_project(request, project_id, "projects.change_project")
    return _save_application(request, project)


def _workflow_action(request: HttpRequest, project_id: int, permission: str, action, done_message: str):
    project = _visible_project(request, project_id, permission)
    form = CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        action(actor=request.user, project=project, comment=comment)
        messages.success(request, done_message)
    except ProjectError as error:
        messages.error(request, error.message)
    return redirect("projects:detail", project_id=project.pk)


@require_POST
def project_submit(request: HttpRequest, project_id: int) -> HttpResponse:
    return _workflow_action(
        request,
        project_id,
        "projects.submit_project",
        lambda *, actor, project, comment: services.project_submit(actor=actor, project=project),
        _("申报已提交，等待党委评审。"),
    )


@require_POST
def project_withdraw(request: HttpRequest, project_id: int) -> HttpResponse:
    return _workflow_action(
        request, project_id, "projects.withdraw_project", services.project_withdraw, _("申报已撤回。")
    )


@require_POST
def project_start(request: HttpRequest, project_id: int) -> HttpResponse:
    return _workflow_action(
        request,
        project_id,
        "projects.start_project",
        lambda *, actor, project, comment: services.project_start(actor=actor, project=project),
        _("项目已进入实施阶段。"),
    )


@require_POST
def project_conclude(request: HttpRequest, project_id: int) -> HttpResponse:
    return _workflow_action(
        request, project_id, "projects.conclude_project", services.project_conclude, _("项目已结项。")
    )


def project_attachment(request: HttpRequest, project_id: int) -> HttpResponseBase:
    project = _visible_project(request, project_id)
    if not project.attachment:
        raise Http404
    # Served as the kind found at upload: never a type guessed from the uploader's file name.
    return protected_file_response(
        project.attachment,
        filename=project.attachment_name or "attachment",
        as_attachment=True,
        content_type=CONTENT_TYPES.get(project.attachment_kind, "application/octet-stream"),
    )


@require_safe
def project_application_form(request: HttpRequest, project_id: int) -> HttpResponse:
    """The application as a printable 申报表 (.docx), for whoever may see the project."""
    project = _visible_project(request, project_id)
    output = io.BytesIO()
    leader = project.group.leader
    show_phone = leader is not None and request.user.has_perm("members.view_member_contact", leader)
    write_application_form(project, output, show_phone=show_phone)
    response = HttpResponse(output.getvalue(), content_type=DOCX_CONTENT_TYPE)
    name = f"党建微项目申报表-{project.group.name}-{project.school_year}.docx"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def project_application_pdf_request(request: HttpRequest, project_id: int) -> HttpResponse:
    """Ask the worker for the 申报表 as PDF; an unchanged application is never converted twice."""
    project = _visible_project(request, project_id)
    try:
        job = application_pdf_services.application_pdf_request(actor=request.user, project=project)
    except ProjectError as error:
        messages.error(request, str(error))
    else:
        job.refresh_from_db()  # the embedded run converts in process, after the service's commit
        if job.status == PdfStatus.DONE:
            messages.success(request, _("申报表 PDF 已生成，可以下载。"))
        elif job.status == PdfStatus.FAILED:
            messages.error(request, job.error_message)
        else:
            messages.info(request, _("申报表 PDF 正在生成，请稍候刷新本页。"))
    return redirect("projects:detail", project.pk)


@require_safe
def project_application_pdf(request: HttpRequest, project_id: int) -> HttpResponseBase:
    """The 申报表 as PDF, for whoever may download it as .docx, once the worker has made it."""
    project = _visible_project(request, project_id)
    job = application_pdf_services.latest_pdf(project)
    if job is None or job.status != PdfStatus.DONE or not job.pdf_file:
        raise Http404
    return protected_file_response(
        job.pdf_file,
        filename=f"党建微项目申报表-{project.group.name}-{project.school_year}.pdf",
        as_attachment=True,
        content_type="application/pdf",
        cache_control="private, no-store",
    )
