"""Celery tasks of the deadlines app."""

from celery import shared_task

from . import services


@shared_task(soft_time_limit=240, time_limit=300, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_deadline_reminders() -> int:
    """Beat, hourly: today's deadline reminders. Idempotent, so acknowledged late: a worker killed
    mid-run leaves the message to be redelivered, and the rerun sends only what was not sent."""
    return services.reminders_send()
