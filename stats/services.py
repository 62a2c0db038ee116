"""Writes of the statistics snapshots: recompute (an upsert), refresh on demand, queue after a write.

Every write to what the statistics read (`stats.freshness.WATCHED`) reaches `stats_queue`
through `stats.receivers` inside its transaction. Once it commits, the touched scopes'
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

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import F, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Committee
from members.models import User
from members.roles import roles_of

from .aggregation import compute_figures_of_years
from .enums import StatScope
from .errors import StatsError
from .models import StatFreshness, StatSnapshot
from .scopes import SnapshotKey, parse_scope_key, school_years_of, scope_key

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
    """Recompute and upsert the snapshots of a committee; returns the number of snapshots stored.

    ``school_year`` None means every school year with data; ``scopes`` None means every scope
    (and rows of scopes that no longer exist are removed), else only those scope keys. Running
    it twice writes the same figures: the second run writes no snapshot, only the years' stamp
    (`StatFreshness`) moves, to the start of the run (a run of some scopes moves it only when no
    other scope of the year is stale, `_stamp_years`).
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
    """Store the new figures of the years and scopes in one transaction; returns the snapshots they fill.

    Only rows whose figures changed are written: they are deleted and inserted again with their
    edit mark (``edited_at``) carried over, so the sweep still recomputes what this run missed.
    Unchanged rows are left as they are, except that one whose edit mark this run has answered
    (edited after it was computed, before this run began) gets the run's time, so it is no longer
    stale; rows of scopes that are gone are deleted. The time of the run is stamped once per
    committee and year (`StatFreshness`), not on every row: a nightly recompute of unchanged
    years writes a handful of stamps instead of every snapshot of the district.
    """
    existing = StatSnapshot.objects.filter(committee_id=committee_id, school_year__in=list(figures))
    if scopes is not None:
        existing = existing.filter(_scopes_q(scopes))
    # Locked in primary-key order, so two recomputes of overlapping scopes cannot deadlock.
    stored = {
        (year, kind, scope_id, month): (pk, data, row_computed_at, edited_at)
        for pk, year, kind, scope_id, month, data, row_computed_at, edited_at in existing.select_for_update()
        .order_by("pk")
        .values_list("pk", "school_year", "scope_kind", "scope_id", "month", "figures", "computed_at", "edited_at")
    }
    unchanged, answered, replaced, created = 0, [], [], []
    for year, year_figures in figures.items():
        for (kind, scope_id, month), data in year_figures.items():
            pk, old_data, row_computed_at, edited_at = stored.pop((year, kind, scope_id, month), (None,) * 4)
            if pk is not None and old_data == data:
                unchanged += 1
                if edited_at is not None and row_computed_at < edited_at <= computed_at:
                    answered.append(pk)
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
    gone = [pk for pk, *_rest in stored.values()]
    StatSnapshot.objects.filter(pk__in=replaced + gone).delete()
    if answered:
        StatSnapshot.objects.filter(pk__in=answered).update(computed_at=computed_at)
    # A concurrent first recompute may insert the same rows: the unique constraints refuse
    # the second, whose task retries and then finds them stored.
    StatSnapshot.objects.bulk_create(created, batch_size=1000)
    _stamp_years(committee_id, scopes, list(figures), computed_at)
    return unchanged + len(created)


def _stamp_years(committee_id: int, scopes: Sequence[str] | None, years: list[str], computed_at) -> None:
    """Move the years' stamp (`StatFreshness`) to this run's start where that stays true.

    The stamp promises that every figure of the year reflects all data committed before it.
    A run of every scope keeps that promise. A run of some scopes keeps it only if no other
    scope of the year is stale (edited after it was computed): an untouched scope's figures
    are as fresh as the data (every write marks the scopes it touches, `stats.freshness`), but
    a stale one still waits for its own recompute. Those years keep their stamp; the last
    pending recompute, finding nothing else stale, moves it. A year without a stamp yet gets
    the oldest time of its stale rows, which their figures do reflect.
    """
    held: dict[str, datetime.datetime] = {}
    if scopes is not None:
        held = dict(
            StatSnapshot.objects.filter(
                committee_id=committee_id, school_year__in=years, edited_at__gt=F("computed_at")
            )
            .exclude(_scopes_q(scopes))
            # No model ordering: it would join the committee into the GROUP BY for nothing.
            .order_by()
            .values("school_year")
            .annotate(oldest=Min("computed_at"))
            .values_list("school_year", "oldest")
        )
    StatFreshness.objects.bulk_create(
        [
            StatFreshness(committee_id=committee_id, school_year=year, computed_at=computed_at)
            for year in years
            if year not in held
        ],
        update_conflicts=True,
        unique_fields=["committee", "school_year"],
        update_fields=["computed_at"],
    )
    if held:
        StatFreshness.objects.bulk_create(
            [StatFreshness(committee_id=committee_id, school_year=year, computed_at=at) for year, at in held.items()],
            ignore_conflicts=True,
        )


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


# The pending mark of a recompute of every scope of a committee's year.
EVERY_SCOPE = "*"


def stats_fill_missing(*, committee_id: int, school_year: str, scopes: Sequence[str]) -> bool:
    """Snapshots for scopes a reader found without one; True while they are still being computed.

    In the embedded run (Celery in process) they are computed here and now; with a worker the
    recompute is queued (debounced like any other) and the reader shows the live figures it
    computed itself, marked 正在计算.
    """
    if not scopes:
        return False
    if current_app.conf.task_always_eager:
        stats_recompute(committee_id=committee_id, school_year=school_year, scopes=scopes)
        return False
    stats_queue(committee_id=committee_id, school_year=school_year, scopes=scopes)
    return True


def _pending_key(committee_id: int, school_year: str, scope: str) -> str:
    return f"stats:pending:{committee_id}:{school_year}:{scope}"


def stats_pending_clear(*, committee_id: int, school_year: str, scopes: Sequence[str] | None) -> None:
    """Forget the pending marks of these scopes (None: of the whole year): edits from now on queue a new recompute."""
    marks = [EVERY_SCOPE] if scopes is None else scopes
    cache.delete_many([_pending_key(committee_id, school_year, scope) for scope in marks])


@dataclass
class _PendingRecompute:
    """Scopes touched by the current transaction, sent once when it commits.

    Keyed by (committee, school year or None for every year); a value of None means every scope.
    """

    scopes: dict[tuple[int, str | None], set[str] | None] = field(default_factory=dict)
    done: bool = False
    # The connection's list of on-commit callbacks when the batch began. Django replaces that list
    # when the transaction commits or rolls back (or a savepoint rolls back), so a batch whose list
    # is gone belongs to a transaction that ended: a rolled-back write must never be sent later.
    hooks: list | None = None

    def add(self, committee_id: int, school_year: str | None, scopes: Sequence[str] | None) -> None:
        key = (committee_id, school_year)
        if scopes is None or (key in self.scopes and self.scopes[key] is None):
            self.scopes[key] = None
        else:
            self.scopes.setdefault(key, set()).update(scopes)

    def flush(self) -> None:
        self.done = True
        batches, self.scopes = self.scopes, {}
        if not batches:
            return
        by_year: dict[tuple[int, str], set[str] | None] = {}
        for (committee_id, school_year), scopes in batches.items():
            try:
                years = [school_year] if school_year else school_years_of(committee_id)
            except DatabaseError:
                logger.exception("statistics: school years of committee %s not read", committee_id)
                continue
            for year in years:
                key = (committee_id, year)
                if scopes is None or (key in by_year and by_year[key] is None):
                    by_year[key] = None
                else:
                    by_year.setdefault(key, set()).update(scopes)
        for (committee_id, school_year), scopes in by_year.items():
            _after_commit(committee_id, school_year, None if scopes is None else sorted(scopes))


def stats_queue(*, committee_id: int, school_year: str | None, scopes: Sequence[str] | None) -> None:
    """Mark the scopes edited and queue their debounced recompute once the transaction commits.

    ``school_year`` None means every school year of the committee, ``scopes`` None every scope
    (a roster or catalogue change). Many edits in one transaction send one task per committee
    and year; a rolled-back transaction sends nothing.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        pending = _PendingRecompute()
        pending.add(committee_id, school_year, scopes)
        pending.flush()
        return
    pending = getattr(connection, "_stats_pending", None)
    if pending is None or pending.done or pending.hooks is not connection.run_on_commit:
        pending = connection._stats_pending = _PendingRecompute(hooks=connection.run_on_commit)
    pending.add(committee_id, school_year, scopes)
    # One batch per transaction, its flush registered with every write: the first flush to run
    # sends the batch, the others find it sent (a no-op). Registering once would lose the batch
    # when only the callbacks from some point on run, as a test's capture of callbacks does.
    transaction.on_commit(pending.flush)


def _after_commit(committee_id: int, school_year: str, scopes: list[str] | None) -> None:
    """Runs after the write committed: nothing here may fail the write, so errors are logged."""
    from .tasks import recompute_stats_for  # noqa: PLC0415 - task/service handshake

    try:
        year_rows = StatSnapshot.objects.filter(committee_id=committee_id, school_year=school_year)
        if scopes is not None and not year_rows.filter(scope_kind=StatScope.COMMITTEE, month=None).exists():
            scopes = None  # a year without snapshots yet (its first project): every scope of it
        edited = year_rows if scopes is None else year_rows.filter(_scopes_q(scopes))
        edited.update(edited_at=timezone.now())
    except DatabaseError:
        logger.exception("statistics: could not mark snapshots of committee %s as edited", committee_id)
    delay = recompute_delay()
    marks = [EVERY_SCOPE] if scopes is None else scopes
    fresh: list[str] = []
    try:
        fresh = [
            mark
            for mark in marks
            if cache.add(_pending_key(committee_id, school_year, mark), 1, timeout=delay + PENDING_GRACE_SECONDS)
        ]
        if fresh:
            # retry=False: with the broker down, fail at once instead of holding the request.
            recompute_stats_for.apply_async(
                args=[committee_id, school_year, None if scopes is None else fresh],
                countdown=delay,
                retry=False,
                ignore_result=True,
            )
    except Exception:
        # The broker or the cache is unreachable (or, in eager mode, the recompute failed):
        # the edit stands, readers see the last snapshot marked stale.
        logger.warning(
            "statistics: recompute of %s for committee %s (%s) not queued",
            ", ".join(marks),
            committee_id,
            school_year,
            exc_info=True,
        )
        try:
            stats_pending_clear(
                committee_id=committee_id, school_year=school_year, scopes=None if scopes is None else fresh
            )
        except Exception:
            logger.warning("statistics: pending marks not cleared", exc_info=True)
