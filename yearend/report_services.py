"""Writes of report jobs: request one, build it (from the task), record a failure.

A request records the job and queues `tasks.build_report` once the transaction commits. If
the broker is unreachable the job is still recorded, marked 未完成 with a Chinese message the
page shows, and the user asks again later: a report is never built inside a web request (a
large year takes longer than a request should), while in the embedded run (eager Celery) the
task simply runs in process after the commit.

The build re-reads the job, claims it under a row lock (a done or failed job is left alone, so
a redelivered or repeated task does nothing), writes the file to a temporary file while
updating ``progress``, converts it to PDF where LibreOffice is installed (`config.office_pdf`),
then stores both under MEDIA_ROOT/reports/<committee>/ with random names.
"""

import datetime
import logging
import tempfile
import uuid
from functools import partial
from typing import IO

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Committee
from config import office_pdf
from config.idempotency import ClientIdInUse, create_once, created_before
from members.models import User
from members.roles import roles_of
from projects.school_years import normalise_school_year
from stats import services as stats_services
from stats.selectors import committee_stats

from .annual_summary import write_summary
from .annual_workbook import write_workbook
from .assessment_notice import write_notice
from .enums import ReportKind, ReportStatus
from .errors import YearEndError
from .models import ReportJob
from .report_context import Progress, ReportContext, no_progress, published_round

logger = logging.getLogger(__name__)

# A job asked for again within this time while still queued or running is not asked twice.
DUPLICATE_WINDOW = datetime.timedelta(minutes=15)


def _write_notice(context: ReportContext, output: IO[bytes], progress: Progress = no_progress) -> None:
    """The year's 考核结果通报 (its round is published: `report_request` checks)."""
    assessment_round = published_round(context.committee, context.school_year)
    if assessment_round is None:
        raise YearEndError(_("本学年的年度考核结果尚未公布，暂不能生成考核结果通报。"))
    write_notice(assessment_round, output)
    progress(90)


_BUILDERS = {ReportKind.WORKBOOK: write_workbook, ReportKind.SUMMARY: write_summary, ReportKind.NOTICE: _write_notice}


def queue_failed_message() -> str:
    return _("任务队列暂时不可用，报告未能开始生成。数据没有受影响，请稍后重新点击“生成”。")


@transaction.atomic
def report_request(
    *, actor: User, committee: Committee, kind: str, school_year: str, client_id: uuid.UUID | None = None
) -> ReportJob:
    """Record a report job of the committee's school year and queue its build after the commit.

    Only the committee's secretary and committee members may ask. Asking again for the same
    report while the previous request is still queued or running returns that job; with a
    `client_id` (the form's one-time id) a repeated post returns the job the first one made, done
    or not, and two racing posts make one.
    """
    roles = roles_of(actor)
    if not actor.has_perm("yearend.export_reports") or roles.committee_id != committee.pk:
        raise YearEndError(_("只有本校党委书记和党委委员可以生成年度报告。"))
    in_use = YearEndError(_("这份表单的提交编号已被使用，请刷新页面后重新填写。"))
    try:
        if (earlier := created_before(ReportJob, client_id, owner="requested_by", actor=actor)) is not None:
            return earlier
    except ClientIdInUse as error:
        raise in_use from error
    if kind not in ReportKind.values:
        raise YearEndError(_("请选择报告类型。"))
    try:
        school_year = normalise_school_year(school_year)
    except ValueError:
        raise YearEndError(_("学年格式应为 2024-2025。")) from None
    if kind == ReportKind.NOTICE and published_round(committee, school_year) is None:
        raise YearEndError(_("本学年的年度考核结果尚未公布，暂不能生成考核结果通报。"))
    pending = (
        ReportJob.objects.filter(
            committee=committee,
            kind=kind,
            school_year=school_year,
            requested_by=actor,
            status__in=(ReportStatus.QUEUED, ReportStatus.RUNNING),
            created_at__gte=timezone.now() - DUPLICATE_WINDOW,
        )
        .order_by("-created_at")
        .first()
    )
    if pending is not None:
        return pending
    made: list[ReportJob] = []

    def create() -> ReportJob:
        made.append(
            ReportJob.objects.create(
                committee=committee, kind=kind, school_year=school_year, requested_by=actor, client_id=client_id
            )
        )
        return made[0]

    try:
        job = create_once(ReportJob, client_id, owner="requested_by", actor=actor, create=create)
    except ClientIdInUse as error:
        raise in_use from error
    if made:  # else a racing copy of this post made the job and queued its build
        transaction.on_commit(partial(_queue_build, job.pk))
    return job


def _queue_build(job_id: int) -> None:
    """After the commit: send the task; with the broker down, say so on the job instead of failing the request."""
    from .tasks import build_report  # noqa: PLC0415 - task/service handshake

    try:
        # retry=False: with the broker down, fail at once instead of holding the request.
        build_report.apply_async(args=[job_id], retry=False)
    except Exception:
        logger.warning("report: job %s not queued", job_id, exc_info=True)
        ReportJob.objects.filter(pk=job_id, status=ReportStatus.QUEUED).update(
            status=ReportStatus.FAILED, error_message=queue_failed_message(), finished_at=timezone.now()
        )


@transaction.atomic
def _claim(job_id: int) -> ReportJob | None:
    job = ReportJob.objects.select_for_update().select_related("committee", "requested_by").filter(pk=job_id).first()
    if job is None or job.status in (ReportStatus.DONE, ReportStatus.FAILED):
        return None
    job.status, job.progress, job.error_message = ReportStatus.RUNNING, 0, ""
    job.started_at = timezone.now()
    job.save(update_fields=["status", "progress", "error_message", "started_at"])
    return job


def _set_progress(job_id: int, percent: int) -> None:
    ReportJob.objects.filter(pk=job_id, status=ReportStatus.RUNNING).update(progress=max(0, min(percent, 99)))


def _context(committee: Committee, school_year: str, viewer: User) -> ReportContext:
    """The figures a report shows: the dashboard's snapshots, recomputed first if edits made them stale."""
    figures = committee_stats(committee, school_year)
    if figures.stale:
        stats_services.stats_recompute(committee_id=committee.pk, school_year=school_year)
        figures = committee_stats(committee, school_year)
    return ReportContext(committee=committee, school_year=school_year, viewer=viewer, stats=figures)


def report_context(job: ReportJob) -> ReportContext:
    """A job's report context: its committee and year, seen by the person who asked for it."""
    return _context(job.committee, job.school_year, job.requested_by)


def report_write(*, committee: Committee, school_year: str, kind: str, viewer: User, output: IO[bytes]) -> None:
    """Write a school year's report file without a job (the `annual_report` command): the same file a job makes."""
    _BUILDERS[ReportKind(kind)](_context(committee, school_year, viewer), output, no_progress)


def report_build(*, job_id: int) -> str:
    """Build the job's file and mark it done; returns the job's status afterwards.

    A job that is missing, done or failed is left as it is (the task is idempotent). Errors
    propagate to the task, which retries or calls `report_fail`.
    """
    job = _claim(job_id)
    if job is None:
        return ReportJob.objects.filter(pk=job_id).values_list("status", flat=True).first() or ""
    builder = _BUILDERS[ReportKind(job.kind)]
    with tempfile.TemporaryFile() as output:
        builder(report_context(job), output, partial(_set_progress, job_id))
        # Converted before the row is locked: LibreOffice may take minutes, and a time limit hit
        # inside the transaction would roll back a job whose files were already stored.
        pdf = _pdf_of(job_id, output, ReportKind(job.kind).suffix)
        output.seek(0)
        with transaction.atomic():
            job = ReportJob.objects.select_for_update().get(pk=job_id)
            if job.status != ReportStatus.RUNNING:
                return job.status
            job.file.save(f"report.{ReportKind(job.kind).suffix}", File(output), save=False)
            if pdf is not None:
                job.pdf_file.save("report.pdf", ContentFile(pdf), save=False)
            job.status, job.progress, job.finished_at = ReportStatus.DONE, 100, timezone.now()
            job.save(update_fields=["file", "pdf_file", "status", "progress", "finished_at"])
    return job.status


def _pdf_of(job_id: int, output: IO[bytes], suffix: str) -> bytes | None:
    """The built file as PDF where LibreOffice is installed; None without it, or when it fails
    (the job is still done: the .docx or .xlsx is what matters, the PDF a convenience)."""
    if not settings.REPORT_PDF or not office_pdf.available():
        return None
    _set_progress(job_id, 92)
    output.seek(0)
    try:
        return office_pdf.convert_to_pdf(output.read(), f".{suffix}")
    except office_pdf.ConversionFailed:
        logger.warning("report: job %s not converted to PDF", job_id, exc_info=True)
        return None


def report_fail(*, job_id: int, error: BaseException) -> str:
    """Mark an unfinished job failed with a message for the user (a done job stays done); returns its status."""
    if isinstance(error, SoftTimeLimitExceeded):
        message = _("报告生成超时，请稍后重新生成。")
    elif isinstance(error, DatabaseError | OSError):
        message = _("报告生成失败（存储或数据库暂时不可用），请稍后重新生成。")
    else:
        message = _("报告生成失败，请稍后重新生成；如再次失败请联系系统管理员。")
    logger.error("report: job %s failed", job_id, exc_info=error)
    ReportJob.objects.filter(pk=job_id).exclude(status=ReportStatus.DONE).update(
        status=ReportStatus.FAILED, error_message=message, finished_at=timezone.now()
    )
    return ReportJob.objects.filter(pk=job_id).values_list("status", flat=True).first() or ""
