"""The 年度报告 page: ask for a year's workbook or summary, watch its progress, download it.

A job's status and file are read through `report_selectors.report_job_for`: another school's
job is 404, a job of the same committee the user may not open is 403.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from rules.contrib.views import permission_required

from branches.models import Committee
from config.protected_files import protected_file_response
from members.roles import roles_of

from .. import report_selectors, report_services
from ..enums import ReportKind, ReportStatus
from ..errors import YearEndError
from ..models import ReportJob
from ..report_forms import ReportRequestForm

CONTENT_TYPES = {
    ReportKind.WORKBOOK: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportKind.SUMMARY: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ReportKind.NOTICE: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _job(request: HttpRequest, job_id: int) -> ReportJob:
    job = report_selectors.report_job_for(request.user, job_id)
    if job is None:
        raise Http404
    if not request.user.has_perm("yearend.view_report_job", job):
        raise PermissionDenied
    return job


def _download_name(job: ReportJob) -> str:
    titles = {
        ReportKind.SUMMARY: _("党建微项目工作总结"),
        ReportKind.WORKBOOK: _("党建微项目数据"),
        ReportKind.NOTICE: _("党建微项目考核结果通报"),
    }
    kind = ReportKind(job.kind)
    return f"{job.committee.school_name}-{job.school_year}-{titles[kind]}.{kind.suffix}"


def _render(request: HttpRequest, form: ReportRequestForm) -> HttpResponse:
    return render(
        request,
        "yearend/report_list.html",
        {"form": form, "jobs": report_selectors.report_jobs_of(request.user)},
    )


def _form(request: HttpRequest, data=None) -> ReportRequestForm:
    years, default = report_selectors.report_school_years(roles_of(request.user).committee_id)
    return ReportRequestForm(data, school_years=years, initial={"school_year": default})


@permission_required("yearend.export_reports", raise_exception=True)
@require_safe
def report_list(request: HttpRequest) -> HttpResponse:
    """The request form and the latest jobs, each with its progress or its download."""
    return _render(request, _form(request))


@permission_required("yearend.export_reports", raise_exception=True)
@require_POST
def report_request(request: HttpRequest) -> HttpResponse:
    form = _form(request, request.POST)
    if not form.is_valid():
        return _render(request, form)
    committee = Committee.objects.get(pk=roles_of(request.user).committee_id)
    try:
        job = report_services.report_request(
            actor=request.user,
            committee=committee,
            kind=form.cleaned_data["kind"],
            school_year=form.cleaned_data["school_year"],
            client_id=form.cleaned_data["client_id"],
        )
    except YearEndError as error:
        form.add_error(None, str(error))
        return _render(request, form)
    job.refresh_from_db(fields=["status", "error_message"])
    if job.status == ReportStatus.FAILED:
        messages.error(request, job.error_message)
    else:
        messages.success(request, _("已开始生成报告，完成后可在下方下载。"))
    return redirect("yearend:reports")


@require_safe
def report_status(request: HttpRequest, job_id: int) -> JsonResponse:
    """The job's progress for static/js/report_progress.js."""
    job = _job(request, job_id)
    done = job.status == ReportStatus.DONE and bool(job.file)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": str(job.get_status_display()),
            "progress": job.progress,
            "error": job.error_message,
            "download_url": reverse("yearend:report_download", args=[job.pk]) if done else None,
            "pdf_url": reverse("yearend:report_download_pdf", args=[job.pk]) if done and job.pdf_file else None,
        },
        headers={"Cache-Control": "no-store"},
    )


@require_safe
def report_download(request: HttpRequest, job_id: int) -> HttpResponseBase:
    """The finished file, as an attachment that is never sniffed or rendered."""
    job = _job(request, job_id)
    if job.status != ReportStatus.DONE or not job.file:
        raise Http404
    return protected_file_response(
        job.file,
        filename=_download_name(job),
        as_attachment=True,
        content_type=CONTENT_TYPES[ReportKind(job.kind)],
        cache_control="private, no-store",
    )


@require_safe
def report_download_pdf(request: HttpRequest, job_id: int) -> HttpResponseBase:
    """The finished file as PDF, when the worker could convert it (LibreOffice installed)."""
    job = _job(request, job_id)
    if job.status != ReportStatus.DONE or not job.pdf_file:
        raise Http404
    return protected_file_response(
        job.pdf_file,
        filename=_download_name(job).rsplit(".", 1)[0] + ".pdf",
        as_attachment=True,
        content_type="application/pdf",
        cache_control="private, no-store",
    )
