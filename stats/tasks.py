"""Celery tasks of the statistics: the snapshots. Ids in, re-read, call a service.

Every task is idempotent (an upsert under the snapshots' unique constraints), so it is
acknowledged late and retried with backoff on database errors; its hard time limit stays
well below the broker's visibility timeout (3600 s) so a running task is never redelivered.
"""

import datetime

from celery import shared_task
from django.db import DatabaseError

from branches.models import Committee

from . import services as stats_services

RETRY = {
    "autoretry_for": (DatabaseError, OSError),
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
    "acks_late": True,
    # A worker killed mid-recompute leaves the message to be redelivered: running it again is harmless.
    "reject_on_worker_lost": True,
    # Nobody reads their results; without a result, sending never waits on the result backend.
    "ignore_result": True,
}


@shared_task(soft_time_limit=120, time_limit=180, **RETRY)
def recompute_stats_for(committee_id: int, school_year: str, scope_keys: list[str] | None) -> int:
    """Recompute the snapshots of a few scopes (keys such as ``"group:3"``; None: every scope) after edits.

    Queued by `stats.services.stats_queue` with a countdown; it clears the scopes' pending
    marks first, so an edit made while it runs queues the next recompute. Returns rows written.
    """
    stats_services.stats_pending_clear(committee_id=committee_id, school_year=school_year, scopes=scope_keys)
    return stats_services.stats_recompute(committee_id=committee_id, school_year=school_year, scopes=scope_keys)


@shared_task(soft_time_limit=900, time_limit=1200, **RETRY)
def recompute_committee_stats(committee_id: int, school_year: str | None = None) -> int:
    """Recompute every snapshot of one committee (every school year unless one is given)."""
    return stats_services.stats_recompute(committee_id=committee_id, school_year=school_year)


@shared_task(soft_time_limit=60, time_limit=120, **RETRY)
def recompute_all_stats() -> int:
    """The nightly full recompute (beat, 02:30): one `recompute_committee_stats` per committee.

    Returns the number of committees queued.
    """
    committee_ids = list(Committee.objects.order_by("pk").values_list("pk", flat=True))
    for committee_id in committee_ids:
        recompute_committee_stats.delay(committee_id)
    return len(committee_ids)


@shared_task(soft_time_limit=60, time_limit=120, **RETRY)
def sweep_stale_stats(min_age_seconds: int = stats_services.STALE_SWEEP_MIN_AGE_SECONDS) -> int:
    """Beat, every few minutes: recompute snapshots edited after they were computed and left so.

    Catches edits whose debounced recompute was never sent (broker or cache down) or was lost;
    one `recompute_stats_for` per committee and school year. Returns the number queued.
    """
    stale = stats_services.stale_snapshot_scopes(older_than=datetime.timedelta(seconds=min_age_seconds))
    for (committee_id, school_year), scopes in stale.items():
        recompute_stats_for.delay(committee_id, school_year, scopes)
    return len(stale)
