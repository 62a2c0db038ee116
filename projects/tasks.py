"""Celery tasks of the projects: converting a 申报表 to PDF. Ids in, re-read, call a service."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError


# LibreOffice itself stops after config.office_pdf.TIMEOUT_SECONDS (180 s); the task's limits
# are above it. Storage and database errors are retried with backoff, then recorded on the row.
@shared_task(bind=True, soft_time_limit=240, time_limit=300, max_retries=3, acks_late=True, ignore_result=True)
def build_application_pdf(self, job_id: int) -> str:
    """Build one 申报表 PDF row; a done or failed row is left alone. Returns its status."""
    # Task/service handshake (the service queues this task).
    from . import application_pdf_services as services  # noqa: PLC0415 - task/service handshake

    try:
        return services.application_pdf_build(job_id=job_id)
    except (DatabaseError, OSError) as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=min(300, 10 * 2**self.request.retries)) from exc
        return services.application_pdf_fail(job_id=job_id, error=exc)
    except (SoftTimeLimitExceeded, Exception) as exc:  # whatever went wrong, the user sees it failed
        return services.application_pdf_fail(job_id=job_id, error=exc)
