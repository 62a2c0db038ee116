"""Celery tasks of the year's end: building report files. Ids in, re-read, call a service."""

from celery import shared_task
from django.db import DatabaseError

# Reports: storage and database errors are retried with backoff, then recorded on the job, as
# is any other error; the time limits leave room for a large year's workbook.


@shared_task(bind=True, soft_time_limit=600, time_limit=660, max_retries=3, acks_late=True, ignore_result=True)
def build_report(self, job_id: int) -> str:
    """Build a report job's file; a done or failed job is left alone. Returns the job's status."""

    # Task/service handshake (report_services queues this task); a worker that never builds a
    # report never imports python-docx and openpyxl either.
    from . import report_services  # noqa: PLC0415 - task/service handshake

    try:
        return report_services.report_build(job_id=job_id)
    except (DatabaseError, OSError) as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=min(300, 10 * 2**self.request.retries)) from exc
        return report_services.report_fail(job_id=job_id, error=exc)
    except Exception as exc:  # whatever went wrong, the user sees the job failed
        return report_services.report_fail(job_id=job_id, error=exc)
