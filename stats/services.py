"""Writes of the statistics snapshots: recompute (an upsert), refresh on demand, queue after a write.

The writes of activities, photos and achievements send `activities.signals.figures_changed`
inside their transaction; `stats.receivers` answers with `stats_queue_for_project` or
`stats_queue_for_achievement`. Once it commits, the touched scopes'
snapshots are marked as edited (readers then know the figures are older than the data) and
one debounced `recompute_stats_for` task is sent per burst of edits: a cache key per scope
(``add`` = SET NX EX) says a recompute is already pending, and the task clears it as it starts.
If the broker or the cache is down, the write has already committed; the failure is logged and
readers keep the last snapshot until the nightly recompute or the secretary's refresh.
"""

import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Achievement
from branches.models import Committee
from members.models import User
from members.roles import roles_of
from projects.models import MicroProject
from projects.school_years import school_year_of

from .aggregation import compute_figures_of_years
from .enums import StatScope
from .errors import StatsError
from .models import StatSnapshot
from .scopes import SnapshotKey, parse_scope_key, project_scope_keys, school_years_of, scope_key

logger = logging.getLogger(__name__)

# A pending mark outlives the task's countdown by this much, in case the worker is slow to start it.
PENDING_GRACE_SECONDS = 600


def recompute_delay() -> int:
    """Seconds a recompute waits after the first edit of a burst (settings.STATS_RECOMPUTE_DELAY)."""
    return getattr(settings, "STATS_RECOMPUTE_DELAY", 10)


def _scopes_q(scope_keys: Sequence[str]) -> Q:
    condition = Q(pk__in=[])
    for key in scope_keys:
        kind, scope_id = parse_scope_key(key)
        condition |= Q(scope_kind=kind, scope_id=scope_id)
    return condition


def stats_recompute(*, committee_id: int, school_year: str | None = None, scopes: Sequence[str] | None = None) -> int:
    """Recompute and upsert the snapshots of a committee; returns the number of rows written.

    ``school_year`` None means every school year with data; ``scopes`` None means every scope
    (and rows of scopes that no longer exist are removed), else only those scope keys. Running
    it twice writes the same figures (only ``computed_at`` moves, to the start of the run).
    All the years are computed in one pass (`compute_figures_of_years`).
    """
    years = [school_year] if school_year else school_years_of(committee_id)
    started = timezone.now()
    figures = compute_figures_of_years(committee_id, years, scopes)
    return _replace(committee_id, scopes, figures, started)


@transaction.atomic
def _replace(
    committee_id: int,
    scopes: Sequence[str] | None,
    figures: dict[str, dict[SnapshotKey, dict]],
    computed_at,
) -> int:
    """Store the new figures of the years and scopes in one transaction; returns rows written.

    Rows whose figures did not change only get the new ``computed_at`` (one UPDATE); changed
    rows are deleted and inserted again with their edit mark (``edited_at``) carried over, so
    the sweep still recomputes what this run missed; rows of scopes that are gone are deleted.
    Most of a nightly recompute is unchanged past years: rewriting thousands of JSON rows one
    CASE at a time (``bulk_update``) took most of its time.
    """
    existing = StatSnapshot.objects.filter(committee_id=committee_id, school_year__in=list(figures))
    if scopes is not None:
        existing = existing.filter(_scopes_q(scopes))
    # Locked in primary-key order, so two recomputes of overlapping scopes cannot deadlock.
    stored = {
        (year, kind, scope_id, month): (pk, data, edited_at)
        for pk, year, kind, scope_id, month, data, edited_at in existing.select_for_update()
        .order_by("pk")
        .values_list("pk", "school_year", "scope_kind", "scope_id", "month", "figures", "edited_at")
    }
    unchanged, replaced, created = [], [], []
    for year, year_figures in figures.items():
        for (kind, scope_id, month), data in year_figures.items():
            pk, old_data, edited_at = stored.pop((year, kind, scope_id, month), (None, None, None))
            if pk is not None and old_data == data:
                unchanged.append(pk)
                continue
            if pk is not None:
                replaced.append(pk)
            created.append(
                StatSnapshot(
                    committee_id=committee_id,
                    scope_kind=kind,
                    scope_id=scope_id,
                    school_year=year,
                    month=month,
                    figures=data,
                    computed_at=computed_at,
                    edited_at=edited_at,
                )
            )
    gone = [pk for pk, _data, _edited_at in stored.values()]
    StatSnapshot.objects.filter(pk__in=replaced + gone).delete()
    # What is left of the rows read above is the unchanged ones (they are locked): no id list.
    existing.update(computed_at=computed_at)
    # A concurrent first recompute may insert the same rows: the unique constraints refuse
    # the second, whose task retries and then finds them stored.
    StatSnapshot.objects.bulk_create(created, batch_size=1000)
    return len(unchanged) + len(created)


# Snapshots edited longer ago than this without a recompute are swept (beat): their task was lost.
STALE_SWEEP_MIN_AGE_SECONDS = 300


def stale_snapshot_scopes(*, older_than: datetime.timedelta) -> dict[tuple[int, str], list[str]]:
    """Scope keys per (committee, school year) whose snapshots were edited after they were computed,
    the edit being older than ``older_than`` (younger ones still have their debounced recompute coming)."""
    rows = (
        StatSnapshot.objects.filter(edited_at__gt=F("computed_at"), edited_at__lt=timezone.now() - older_than)
        .values_list("committee_id", "school_year", "scope_kind", "scope_id")
        .distinct()
        .order_by("committee_id", "school_year", "scope_kind", "scope_id")
    )
    stale: dict[tuple[int, str], list[str]] = {}
    for committee_id, school_year, kind, scope_id in rows:
        scopes = stale.setdefault((committee_id, school_year), [])
        key = scope_key(kind, scope_id)
        if key not in scopes:
            scopes.append(key)
    return stale


def stats_refresh_now(*, actor: User, committee: Committee) -> int:
    """The secretary's "refresh": recompute every snapshot of the committee in this process.

    For when the broker is down or figures are wanted at once; returns the rows written.
    """
    roles = roles_of(actor)
    if not roles.is_secretary or roles.committee_id != committee.pk:
        raise StatsError(_("只有本校党委书记可以立即刷新统计数据。"))
    return stats_recompute(committee_id=committee.pk)


def _pending_key(committee_id: int, school_year: str, scope: str) -> str:
    return f"stats:pending:{committee_id}:{school_year}:{scope}"


def stats_pending_clear(*, committee_id: int, school_year: str, scopes: Sequence[str]) -> None:
    """Forget the pending marks of these scopes: edits from now on queue a new recompute."""
    cache.delete_many([_pending_key(committee_id, school_year, scope) for scope in scopes])


@dataclass
class _PendingRecompute:
    """Scopes touched by the current transaction, sent once when it commits."""

    scopes: dict[tuple[int, str], set[str]] = field(default_factory=dict)
    done: bool = False

    def flush(self) -> None:
        self.done = True
        batches, self.scopes = self.scopes, {}
        for (committee_id, school_year), scopes in batches.items():
            _after_commit(committee_id, school_year, sorted(scopes))


def stats_queue(*, committee_id: int, school_year: str, scopes: Sequence[str]) -> None:
    """Mark the scopes edited and queue their debounced recompute once the transaction commits.

    Many edits in one transaction send one task; a rolled-back transaction sends nothing.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _after_commit(committee_id, school_year, sorted(set(scopes)))
        return
    pending = getattr(connection, "_stats_pending", None)
    registered = (
        pending is not None
        and not pending.done
        and any(callback == pending.flush for _ids, callback, _robust in connection.run_on_commit)
    )
    if not registered:
        pending = _PendingRecompute()
        connection._stats_pending = pending
        transaction.on_commit(pending.flush)
    pending.scopes.setdefault((committee_id, school_year), set()).update(scopes)


def stats_queue_for_project(project: MicroProject) -> None:
    """After an activity or photo of the project is written: its project, group, branch, type, committee."""
    stats_queue(
        committee_id=project.committee_id,
        school_year=project.school_year,
        scopes=project_scope_keys(project),
    )


def stats_queue_for_achievement(achievement: Achievement) -> None:
    """After an achievement changes status: its project's scopes, or the committee's for its date."""
    if achievement.project_id is not None:
        stats_queue_for_project(MicroProject.objects.get(pk=achievement.project_id))
        return
    stats_queue(
        committee_id=achievement.committee_id,
        school_year=school_year_of(achievement.awarded_on),
        scopes=[scope_key(StatScope.COMMITTEE, achievement.committee_id)],
    )


def _after_commit(committee_id: int, school_year: str, scopes: list[str]) -> None:
    """Runs after the write committed: nothing here may fail the write, so errors are logged."""
    from .tasks import recompute_stats_for  # noqa: PLC0415 - task/service handshake

    try:
        StatSnapshot.objects.filter(committee_id=committee_id, school_year=school_year).filter(
            _scopes_q(scopes)
        ).update(edited_at=timezone.now())
    except DatabaseError:
        logger.exception("statistics: could not mark snapshots of committee %s as edited", committee_id)
    delay = recompute_delay()
    fresh: list[str] = []
    try:
        fresh = [
            scope
            for scope in scopes
            if cache.add(_pending_key(committee_id, school_year, scope), 1, timeout=delay + PENDING_GRACE_SECONDS)
        ]
        if fresh:
            # retry=False: with the broker down, fail at once instead of holding the request.
            recompute_stats_for.apply_async(
                args=[committee_id, school_year, fresh], countdown=delay, retry=False, ignore_result=True
            )
    except Exception:
        # The broker or the cache is unreachable (or, in eager mode, the recompute failed):
        # the edit stands, readers see the last snapshot marked stale.
        logger.warning(
            "statistics: recompute of %s for committee %s (%s) not queued",
            ", ".join(scopes),
            committee_id,
            school_year,
            exc_info=True,
        )
        try:
            stats_pending_clear(committee_id=committee_id, school_year=school_year, scopes=fresh)
        except Exception:
            logger.warning("statistics: pending marks not cleared", exc_info=True)
