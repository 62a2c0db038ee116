"""Statistics recomputed by a real Celery worker through Redis (the .ci/run PostgreSQL + Redis pass):
an edit updates exactly its scopes' snapshots, and a burst of edits costs one recompute per scope."""

import datetime
import time

import pytest
from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.db import connections

from activities import activity_services
from members.models import User
from stats import services as stats_services
from stats.aggregation import compute_figures
from stats.models import StatSnapshot
from stats.scopes import project_scope_keys, scope_key
from stats.selectors import committee_stats
from tests.activities.conftest import tutoring_data
from tests.stats.school_year import YEAR, build_school_year, log, member, snapshot_rows

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not settings.REDIS_URL,
        reason="needs REDIS_URL (a Redis broker) to start a real Celery worker; .ci/run's second pass sets it",
    ),
]


def _close_worker_connections(**_kwargs) -> None:
    # The worker thread keeps its own connection; closing it lets the test database be dropped.
    connections.close_all()


@pytest.fixture
def quiet_school_year(transactional_db, demo_schools, settings, tmp_path):
    """The school year of test_stats, committed, with a fresh baseline and nothing queued or pending."""
    from config.celery import app

    built = build_school_year()  # its writes queued recomputes that no worker ran
    committee_id = built.p1.committee_id
    app.control.purge()
    every_scope = sorted({scope_key(kind, scope_id) for kind, scope_id, _ in compute_figures(committee_id, YEAR)})
    stats_services.stats_pending_clear(committee_id=committee_id, school_year=YEAR, scopes=every_scope)
    stats_services.stats_recompute(committee_id=committee_id, school_year=YEAR)
    return built


@pytest.fixture
def worker():
    from celery.contrib.testing import tasks as _ping_task  # noqa: F401  (registers celery.ping)
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    runs: list[tuple] = []

    def count(sender=None, args=None, **_kwargs) -> None:
        if sender is not None and sender.name == "stats.tasks.recompute_stats_for":
            runs.append((args[0], args[1], tuple(args[2] or ("*",))))

    task_prerun.connect(count, weak=False)
    app.control.purge()
    task_postrun.connect(_close_worker_connections, weak=False)
    try:
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=True, shutdown_timeout=30):
            yield runs
    finally:
        task_postrun.disconnect(_close_worker_connections)
        task_prerun.disconnect(count)


def ours(runs: list[tuple], committee_id: int) -> list[tuple]:
    """This test's recomputes: a task left in the broker by an earlier test names another committee."""
    return [run for run in runs if run[0] == committee_id]


def _wait_for(condition, seconds: float = 40) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def _committee_computed_at(committee_id: int):
    return StatSnapshot.objects.get(
        committee_id=committee_id, scope_kind="committee", scope_id=committee_id, school_year=YEAR, month__isnull=True
    ).computed_at


def test_worker_updates_exactly_the_snapshots_an_activity_touches(quiet_school_year, worker, settings):
    settings.STATS_RECOMPUTE_DELAY = 1
    p2 = quiet_school_year.p2
    committee_id = p2.committee_id
    before = {row[1:5]: row for row in snapshot_rows(committee_id)}
    baseline = _committee_computed_at(committee_id)

    log(User.objects.get(username="leader2"), p2, datetime.date(2025, 12, 8), ["刘洋"], beneficiaries_count=4)

    assert _wait_for(lambda: _committee_computed_at(committee_id) > baseline), "no recompute within 40 s"
    after = {row[1:5]: row for row in snapshot_rows(committee_id)}
    changed = {(row[2], row[3]) for key, row in after.items() if row[6] != before[key][6]}
    assert changed == {
        ("project", p2.pk),
        ("group", p2.group_id),
        ("branch", p2.group.branch_id),
        ("type", p2.project_type_id),
        ("committee", committee_id),
    }
    assert ours(worker, committee_id) == [(committee_id, YEAR, tuple(sorted(project_scope_keys(p2))))]
    group_year = StatSnapshot.objects.get(
        committee_id=committee_id, scope_kind="group", scope_id=p2.group_id, school_year=YEAR, month__isnull=True
    )
    assert (group_year.figures["activities"], group_year.figures["beneficiaries"]) == (2, 34)
    assert not committee_stats(p2.committee, YEAR).stale


def test_a_burst_of_twenty_edits_costs_one_recompute_per_scope(quiet_school_year, worker, settings):
    settings.STATS_RECOMPUTE_DELAY = 5
    p1, a2, leader = quiet_school_year.p1, quiet_school_year.a2, quiet_school_year.leader_a
    committee_id = p1.committee_id
    baseline = _committee_computed_at(committee_id)

    started = time.monotonic()
    for day in range(1, 21):  # twenty separate transactions
        data = tutoring_data(p1, date=datetime.date(2025, 12, day), participants=[member("张玺")])
        activity_services.activity_log_update(actor=leader, activity=a2, data=data)
    burst_seconds = time.monotonic() - started
    assert burst_seconds < settings.STATS_RECOMPUTE_DELAY, "the burst outlasted the debounce window"

    assert _wait_for(lambda: _committee_computed_at(committee_id) > baseline), "no recompute within 40 s"
    time.sleep(2)  # a second recompute, if one had been queued, would have started by now
    assert ours(worker, committee_id) == [(committee_id, YEAR, tuple(sorted(project_scope_keys(p1))))]
    december = StatSnapshot.objects.get(
        committee_id=committee_id,
        scope_kind="project",
        scope_id=p1.pk,
        school_year=YEAR,
        month=datetime.date(2025, 12, 1),
    )
    assert december.figures["activities"] == 1  # the last edit's date
    assert not committee_stats(p1.committee, YEAR).stale
