"""Statistics: the full recompute of every snapshot, and the incremental one after one activity.

The full recompute is what the nightly task does for every committee of the district, timed as
the worker runs it (a task per committee, as many at once as there are cores) and, once, in one
process; its floor is the hand-written GROUP BY SQL of `bench/stats_floor.py`, which computes
the same figures without Django (PostgreSQL only, which runs its big aggregates with parallel
workers on the same cores). The incremental update is the debounced task that follows a
new activity: the snapshots of the project, its group, branch, type and committee.
"""

import datetime
import multiprocessing
import os
import statistics
import time
from decimal import Decimal
from typing import Any

from django.db import connection

from .measure import ratio_result

FULL_GOAL_RATIO = 1.3
INCREMENTAL_GOAL_MS = 40
NEW_ACTIVITY_TITLE = "基准测试新增活动"


def recompute_district(committee_ids: list[int]) -> int:
    """Every snapshot of every committee, one after the other in this process; rows written."""
    from stats import services as stats_services

    return sum(stats_services.stats_recompute(committee_id=committee_id) for committee_id in committee_ids)


def _recompute_one(committee_id: int) -> int:
    from stats import services as stats_services

    return stats_services.stats_recompute(committee_id=committee_id)


def _fresh_connections() -> None:
    # Closed before forking, so that no process shares the parent's database connection.
    from django.db import connections

    connections.close_all()


def recompute_district_on_pool(committee_ids: list[int], processes: int) -> int:
    """The nightly recompute as the worker runs it: one task per committee on a pool of processes.

    `recompute_all_stats` queues a `recompute_committee_stats` per committee, and a worker runs
    as many at once as it has processes (Celery's default: one per core).
    """
    _fresh_connections()
    with multiprocessing.get_context("fork").Pool(processes, initializer=_fresh_connections) as pool:
        return sum(pool.imap_unordered(_recompute_one, committee_ids))


def run_full(committee_ids: list[int], *, repeats: int) -> dict[str, Any]:
    from django.utils import timezone

    from stats.models import StatFreshness, StatSnapshot

    from . import stats_floor

    processes = os.cpu_count() or 1
    started = time.perf_counter()
    rows = recompute_district(committee_ids)  # the first run inserts; the nightly one updates
    first = time.perf_counter() - started
    started = time.perf_counter()
    stamp = timezone.now()
    recompute_district(committee_ids)
    one_process = time.perf_counter() - started
    # The nightly run over unchanged data: the snapshots it wrote (none should be) and the stamps.
    nightly_rows_written = StatSnapshot.objects.filter(computed_at__gte=stamp).count()
    nightly_stamps = StatFreshness.objects.filter(computed_at__gte=stamp).count()
    ours, floor = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        recompute_district_on_pool(committee_ids, processes)
        ours.append(time.perf_counter() - started)
        if connection.vendor == "postgresql":
            started = time.perf_counter()
            stats_floor.run_all()
            floor.append(time.perf_counter() - started)
    return ratio_result(
        "statistics: full recompute of the district",
        median=statistics.median(ours),
        floor=statistics.median(floor) if floor else None,
        goal=FULL_GOAL_RATIO,
        processes=processes,
        one_process_s=round(one_process, 2),
        first_run_s=round(first, 2),
        snapshots=StatSnapshot.objects.count(),
        rows_written=rows,
        nightly_rows_written=nightly_rows_written,
        nightly_stamps=nightly_stamps,
        committees=len(committee_ids),
        floor_note=None if floor else "the floor is PostgreSQL SQL; not measured on " + connection.vendor,
    )


def run_incremental(committee_id: int, *, repeats: int) -> dict[str, Any]:
    """Median time of the recompute a new activity queues, over ``repeats`` new activities."""
    from activities.models import ActivityLog, IndicatorValue
    from projects.enums import ProjectStatus
    from projects.models import MicroProject, ProjectTarget
    from stats import tasks
    from stats.scopes import project_scope_keys

    from .district_shape import CURRENT_YEAR

    project = MicroProject.objects.filter(
        committee_id=committee_id, school_year=CURRENT_YEAR, status=ProjectStatus.IN_PROGRESS
    ).first()
    scopes = project_scope_keys(project)
    target = ProjectTarget.objects.filter(project=project).first()
    member_ids = list(project.participants.values_list("pk", flat=True)[:3])
    timings = []
    try:
        for n in range(repeats + 1):
            # The write itself is the activity service's business; what is timed is the task it queues.
            activity = ActivityLog.objects.create(
                project=project,
                date=datetime.date(2026, 11, 1) + datetime.timedelta(days=n % 19),
                activity_type="volunteering",
                title=f"{NEW_ACTIVITY_TITLE}{n}",
                beneficiaries_count=10,
                duration_hours=Decimal(2),
                created_by_id=project.created_by_id,
            )
            activity.participants.set(member_ids)
            IndicatorValue.objects.create(activity=activity, indicator_id=target.indicator_id, value=Decimal(3))
            started = time.perf_counter()
            tasks.recompute_stats_for(committee_id, CURRENT_YEAR, scopes)
            if n:  # the first one warms the caches
                timings.append(time.perf_counter() - started)
    finally:
        # The database is left as it was found (an interrupted run's leftovers too), so that a
        # --reuse run measures the same data again.
        for activity in ActivityLog.objects.filter(project=project, title__startswith=NEW_ACTIVITY_TITLE):
            activity.delete()
        tasks.recompute_stats_for(committee_id, CURRENT_YEAR, scopes)
    median_ms = statistics.median(timings) * 1000
    return {
        "name": "statistics: incremental recompute after one new activity",
        "median_ms": round(median_ms, 1),
        "max_ms": round(max(timings) * 1000, 1),
        "goal_ms": INCREMENTAL_GOAL_MS,
        "met": median_ms <= INCREMENTAL_GOAL_MS,
        "scopes": scopes,
        "repeats": repeats,
    }
