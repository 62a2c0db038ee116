"""Celery tasks of the activities app: ids in, re-fetch, call a service."""

import datetime

from celery import shared_task

from . import photo_services


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
    # Idempotent, so a worker killed mid-job leaves the message to be redelivered, not lost.
    acks_late=True,
    reject_on_worker_lost=True,
)
def make_photo_display_sizes(photo_id: int) -> bool:
    """Make the 320 px and 1600 px JPEGs of a photo; a second run finds them and does nothing.

    OSError (storage hiccups) is retried with backoff; a photo that no longer exists is skipped.
    """
    photo = photo_services.photo_display_sizes_make(photo_id=photo_id)
    return photo is not None and photo.has_display_sizes


# Photos older than this without display sizes lost their task (broker down at upload, worker lost).
SWEEP_MIN_AGE_SECONDS = 300
SWEEP_BATCH = 500


@shared_task(soft_time_limit=60, time_limit=120, ignore_result=True)
def sweep_photo_display_sizes(min_age_seconds: int = SWEEP_MIN_AGE_SECONDS) -> int:
    """Beat, every few minutes: queue `make_photo_display_sizes` again for photos still missing them.

    Harmless to repeat: a photo that has its sizes by the time its task runs is left alone.
    Returns the number of photos queued (at most SWEEP_BATCH a run).
    """
    photo_ids = photo_services.photos_missing_display_sizes(
        older_than=datetime.timedelta(seconds=min_age_seconds), limit=SWEEP_BATCH
    )
    for photo_id in photo_ids:
        make_photo_display_sizes.delay(photo_id)
    return len(photo_ids)
