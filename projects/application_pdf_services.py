"""Writes of the 申报表's PDF: ask for it (from the project page), build it (from the task).

The 申报表 itself is written in the request (`application_form`, a fraction of a second); its PDF
takes LibreOffice several seconds, so the worker makes it, as it does the year's reports
(`yearend.report_services`, which projects may not import). A request records one row per
version of the application (the project's ``updated_at``) and queues `tasks.build_application_pdf`
once the transaction commits; asking again for an unchanged application returns that row, so a
repeated click never makes a second conversion. In the embedded run (eager Celery) the task runs
in process after the commit. A row that failed is queued again on the next request.
"""

import io
import logging
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config import office_pdf
from members.models import User

from . import selectors
from .application_form import write_application_form
from .application_pdf_models import ApplicationPdf
from .enums import PdfStatus
from .errors import ProjectError
from .models import MicroProject

logger = logging.getLogger(__name__)


def pdf_offered() -> bool:
    """Whether the 申报表 comes as PDF here: LibreOffice installed and REPORT_PDF on."""
    return bool(settings.REPORT_PDF) and office_pdf.available()


def latest_pdf(project: MicroProject) -> ApplicationPdf | None:
    """The newest PDF row of the project's current application, or None (one query)."""
    return ApplicationPdf.objects.filter(project=project, version=project.updated_at).first()


@transaction.atomic
def application_pdf_request(*, actor: User, project: MicroProject) -> ApplicationPdf:
    """The PDF row of the project's application as it stands, queued for the worker if new or failed.

    Whoever may download the 申报表 (.docx) may ask for its PDF.
    """
    if not actor.has_perm("projects.view_project", project):
        raise ProjectError(_("您无权查看这个项目。"))
    if not pdf_offered():
        raise ProjectError(_("服务器未安装 LibreOffice，暂不能生成 PDF，请下载 Word 版申报表。"))
    # get_or_create on the (project, version) constraint: two racing clicks make one row.
    job, created = ApplicationPdf.objects.get_or_create(
        project=project, version=project.updated_at, defaults={"requested_by": actor}
    )
    if not created and job.status == PdfStatus.FAILED:
        updated = ApplicationPdf.objects.filter(pk=job.pk, status=PdfStatus.FAILED).update(
            status=PdfStatus.QUEUED, error_message="", finished_at=None, requested_by=actor
        )
        created = bool(updated)
        job.refresh_from_db()
    if created:
        transaction.on_commit(partial(_queue_build, job.pk))
    return job


def _queue_build(job_id: int) -> None:
    """After the commit: send the task; with the broker down, say so on the row instead of failing the request."""
    from .tasks import build_application_pdf  # noqa: PLC0415 - task/service handshake

    try:
        build_application_pdf.apply_async(args=[job_id], retry=False)
    except Exception:
        logger.warning("application pdf: %s not queued", job_id, exc_info=True)
        ApplicationPdf.objects.filter(pk=job_id, status=PdfStatus.QUEUED).update(
            status=PdfStatus.FAILED,
            error_message=_("任务队列暂时不可用，PDF 未能开始生成。请稍后重新点击“生成PDF”。"),
            finished_at=timezone.now(),
        )


def application_pdf_build(*, job_id: int) -> str:
    """Convert the 申报表 of a queued row to PDF; a done or failed row is left alone. Returns its status."""
    with transaction.atomic():
        job = ApplicationPdf.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return "missing"
        if job.status in (PdfStatus.DONE, PdfStatus.FAILED):
            return job.status
        job.status = PdfStatus.RUNNING
        job.save(update_fields=["status"])
    # Re-read as the person who asked sees it (the same loading as the .docx download).
    project = selectors.project_detail(job.requested_by, job.project_id)
    if project is None:
        return application_pdf_fail(job_id=job_id, error=ProjectError(_("项目已不可见。")))
    source = io.BytesIO()
    # One PDF serves everyone who may see the project, so it never carries the leader's phone.
    write_application_form(project, source, show_phone=False)
    pdf = office_pdf.convert_to_pdf(source.getvalue(), ".docx")
    with transaction.atomic():
        job = ApplicationPdf.objects.select_for_update().get(pk=job_id)
        job.pdf_file.save("application.pdf", ContentFile(pdf), save=False)
        job.status = PdfStatus.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["pdf_file", "status", "finished_at"])
    return job.status


def application_pdf_fail(*, job_id: int, error: BaseException) -> str:
    """Record that the conversion failed; the page offers 生成PDF again."""
    logger.warning("application pdf: %s failed", job_id, exc_info=error)
    message = str(error) if isinstance(error, ProjectError) else _("PDF 生成失败，请稍后重试，或下载 Word 版申报表。")
    ApplicationPdf.objects.filter(pk=job_id).exclude(status=PdfStatus.DONE).update(
        status=PdfStatus.FAILED, error_message=message, finished_at=timezone.now()
    )
    return PdfStatus.FAILED
