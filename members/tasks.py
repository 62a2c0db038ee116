"""Celery tasks of the members app: the group robots' outbox."""

from celery import shared_task

from . import channels


@shared_task(soft_time_limit=30, time_limit=60, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_webhook(delivery_id: int) -> bool:
    """Post one notice to its group robot; a failure stays in the outbox for `sweep_webhook_deliveries`."""
    return channels.webhook_deliver(delivery_id=delivery_id)


@shared_task(soft_time_limit=120, time_limit=180, ignore_result=True)
def sweep_webhook_deliveries() -> int:
    """Beat, every few minutes: try again every undelivered notice (the robot or the broker was down)."""
    ids = channels.webhook_deliveries_pending()
    for delivery_id in ids:
        channels.webhook_deliver(delivery_id=delivery_id)
    return len(ids)
