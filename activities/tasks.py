"""Celery tasks of the activities app: ids in, re-fetch, call a service."""

from celery import shared_task

from . import services


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
    acks_late=True,
)
def make_photo_display_sizes(photo_id: int) -> bool:
    """Make the 320 px and 1600 px JPEGs of a photo; a second run finds them and does nothing.

    OSError (storage hiccups) is retried with backoff; a photo that no longer exists is skipped.
    """
    photo = services.photo_display_sizes_make(photo_id=photo_id)
    return photo is not None and photo.has_display_sizes
