"""Celery tasks of the members app: the group robots' outbox."""

from celery import shared_task

from . import channels

# A delivery deferred by its robot's budget is tried again each minute for this long; one still
# waiting after that (a robot flooded for an hour) stays in the outbox for the sweep.
WEBHOOK_MAX_DEFERRALS = 60


@shared_task(
    bind=True,
    soft_time_limit=30,
    time_limit=60,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    max_retries=WEBHOOK_MAX_DEFERRALS,
)
def deliver_webhook(self, delivery_id: int) -> bool:
    """Post one notice to its group robot; a failure stays in the outbox for `sweep_webhook_deliveries`.

    Over the robot's 20 posts a minute it runs again when the next minute begins (a retry with a
    countdown; in process, where a retry would run at once, the sweep takes it).
    """
    outcome = channels.webhook_deliver(delivery_id=delivery_id)
    if outcome.retry_in is not None and not self.request.is_eager and self.request.retries < self.max_retries:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.delivered


@shared_task(soft_time_limit=120, time_limit=180, ignore_result=True)
def sweep_webhook_deliveries() -> int:
    """Beat, every few minutes: try again every undelivered notice (the robot or the broker was down).

    Within each robot's budget: what is over it waits for the next sweep.
    """
    ids = channels.webhook_deliveries_pending()
    for delivery_id in ids:
        channels.webhook_deliver(delivery_id=delivery_id)
    return len(ids)
