"""Statistics' snapshots: written only when figures change, recomputed per scope after an edit,
debounced, stamped per school year, and read stale rather than recomputed by a page.

The school year they count is described in `tests/stats/school_year.py`.
"""

import datetime

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from activities import activity_services
from members.models import User
from stats import services as stats_services
from stats.aggregation import compute_figures
from stats.models import StatFreshness, StatSnapshot
from stats.scopes import project_scope_keys
from stats.selectors import committee_stats
from tests.activities.conftest import tutoring_data
from tests.stats.school_year import YEAR, eager_only, levels, log, member, snapshot_rows


def test_recomputing_twice_writes_the_same_rows(school_year):
    committee_id = school_year.p1.committee_id
    written = stats_services.stats_recompute(committee_id=committee_id)
    first = snapshot_rows(committee_id)
    assert stats_services.stats_recompute(committee_id=committee_id) == written
    second = snapshot_rows(committee_id)

    # 2 projects, 6 groups, 3 branches, 3 types and the committee, each for the year and 12 months;
    # and the same without projects for 2023-2024, the school year of the 2024 honour.
    assert written == len(first) == (2 + 6 + 3 + 3 + 1) * 13 + (6 + 3 + 3 + 1) * 13
    # Same rows (by scope and period: a recompute replaces the rows), same figures.
    # The second run wrote no snapshot: the same rows (same ids), figures and times; only the
    # years' stamps moved, one per committee and school year.
    assert second == first
    stamps = dict(StatFreshness.objects.filter(committee_id=committee_id).values_list("school_year", "computed_at"))
    assert set(stamps) == {YEAR, "2023-2024"}
    assert all(at > first[0][6] for at in stamps.values())
    honour_year = StatSnapshot.objects.get(
        committee_id=committee_id, scope_kind="committee", school_year="2023-2024", month__isnull=True
    )
    assert honour_year.figures["achievements_by_level"] == levels(city=1)


def test_a_recompute_rewrites_only_changed_rows_and_answers_edit_marks(school_year):
    committee_id = school_year.p1.committee_id
    stats_services.stats_recompute(committee_id=committee_id)
    before = {row[1:5]: row for row in snapshot_rows(committee_id)}
    # An edit mark on a row whose figures the edit did not change (a note, say), made before the run.
    marked = StatSnapshot.objects.get(
        committee_id=committee_id,
        scope_kind="group",
        scope_id=school_year.p2.group_id,
        school_year=YEAR,
        month__isnull=True,
    )
    StatSnapshot.objects.filter(pk=marked.pk).update(edited_at=timezone.now())
    # A figure changed behind the statistics' back on one other row.
    changed = StatSnapshot.objects.get(
        committee_id=committee_id,
        scope_kind="project",
        scope_id=school_year.p1.pk,
        school_year=YEAR,
        month__isnull=True,
    )
    StatSnapshot.objects.filter(pk=changed.pk).update(figures={**changed.figures, "activities": 99})

    stats_services.stats_recompute(committee_id=committee_id)
    after = {row[1:5]: row for row in snapshot_rows(committee_id)}
    assert set(after) == set(before)
    rewritten = {key for key in after if after[key] != before[key]}
    # The changed row is written again with the right figure; the marked one keeps its id and
    # figures and only gets the run's time (it is no longer stale); no other row was touched.
    changed_key = (YEAR, "project", school_year.p1.pk, None)
    marked_key = (YEAR, "group", school_year.p2.group_id, None)
    assert rewritten == {changed_key, marked_key}
    assert after[changed_key][0] != changed.pk and after[changed_key][5] == before[changed_key][5]
    assert after[marked_key][:6] == before[marked_key][:6] and after[marked_key][6] > before[marked_key][6]
    assert stats_services.stale_snapshot_scopes(older_than=datetime.timedelta(0)) == {}


@eager_only
def test_an_activity_updates_only_its_scopes_snapshots(school_year, django_capture_on_commit_callbacks):
    committee_id = school_year.p1.committee_id
    stats_services.stats_recompute(committee_id=committee_id)
    before = {row[1:5]: row for row in snapshot_rows(committee_id)}
    p2 = school_year.p2
    group_2 = p2.group

    with django_capture_on_commit_callbacks(execute=True):
        log(User.objects.get(username="leader2"), p2, datetime.date(2025, 12, 8), ["刘洋"], beneficiaries_count=4)

    after = {row[1:5]: row for row in snapshot_rows(committee_id)}
    assert after.keys() == before.keys()
    changed = {(row[2], row[3]) for key, row in after.items() if row[6] != before[key][6]}
    assert changed == {
        ("project", p2.pk),
        ("group", group_2.pk),
        ("branch", group_2.branch_id),
        ("type", p2.project_type_id),
        ("committee", committee_id),
    }
    refigured = {(row[2], row[3], row[4]) for key, row in after.items() if row[5] != before[key][5]}
    assert ("group", group_2.pk, None) in refigured
    assert ("group", group_2.pk, datetime.date(2025, 12, 1)) in refigured
    assert {(kind, scope_id) for kind, scope_id, _month in refigured} <= changed
    group_year = StatSnapshot.objects.get(
        committee_id=committee_id, scope_kind="group", scope_id=group_2.pk, school_year=YEAR, month__isnull=True
    )
    assert (group_year.figures["activities"], group_year.figures["beneficiaries"]) == (2, 34)
    assert (group_year.figures["members_participating"], group_year.figures["participation_rate"]) == (3, 60.0)


@eager_only
def test_a_burst_of_twenty_edits_in_one_transaction_recomputes_each_scope_once(
    school_year, django_capture_on_commit_callbacks, recomputations
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for day in range(1, 21):
            data = tutoring_data(school_year.p1, date=datetime.date(2025, 12, day), participants=[member("张玺")])
            activity_services.activity_log_update(actor=school_year.leader_a, activity=school_year.a2, data=data)

    p1 = school_year.p1
    assert recomputations == [(p1.committee_id, YEAR, tuple(sorted(project_scope_keys(p1))))]
    project_year = StatSnapshot.objects.get(scope_kind="project", scope_id=p1.pk, month__isnull=True)
    assert project_year.figures["person_times"] == 4  # a1's 3 and the last edit's 1
    december = StatSnapshot.objects.get(scope_kind="project", scope_id=p1.pk, month=datetime.date(2025, 12, 1))
    assert december.figures["activities"] == 1


def test_pending_mark_lets_only_the_first_edit_of_a_burst_queue_a_recompute(school_year, recomputations):
    """The debounce itself: while a scope's recompute is pending, later edits only mark it edited."""
    p1 = school_year.p1
    committee_id = p1.committee_id
    stats_services.stats_recompute(committee_id=committee_id)
    keys = project_scope_keys(p1)
    pending = [stats_services._pending_key(committee_id, YEAR, key) for key in keys]
    cache.set_many(dict.fromkeys(pending, 1))  # a recompute was queued and has not started
    try:
        for _ in range(3):
            stats_services._after_commit(committee_id, YEAR, keys)
    finally:
        cache.delete_many(pending)

    assert recomputations == []
    result = committee_stats(p1.committee, YEAR)
    assert result.stale is True  # marked edited, waiting for the pending recompute


def test_readers_get_the_last_snapshot_marked_stale_and_a_fallback_without_one(school_year, django_assert_num_queries):
    committee = school_year.p1.committee
    StatSnapshot.objects.all().delete()
    with django_assert_num_queries(3 + 12):  # nothing stored yet: computed in process, nothing written
        fallback = committee_stats(committee, YEAR)
    assert (fallback.from_snapshot, fallback.stale, fallback.totals["activities"]) == (False, False, 3)
    assert not StatSnapshot.objects.exists()

    stats_services.stats_recompute(committee_id=committee.pk, school_year=YEAR)
    with django_assert_num_queries(3):
        fresh = committee_stats(committee, YEAR)
    assert (fresh.from_snapshot, fresh.stale, fresh.totals["activities"]) == (True, False, 3)
    assert [project.title for project in fresh.projects] == ["红领巾助学行动", "红领巾助学行动"]
    assert [project.figures["activities"] for project in fresh.projects] == [2, 1]
    assert [group.figures["activities"] for group in fresh.groups] == [2, 1, 0, 0, 0, 0]
    assert [month.figures["activities"] for month in fresh.months][:3] == [0, 1, 2]

    # An edit committed while a recompute of its scopes is already pending: marked, not recomputed.
    keys = project_scope_keys(school_year.p2)
    cache.set_many({stats_services._pending_key(committee.pk, YEAR, key): 1 for key in keys})
    stats_services._after_commit(committee.pk, YEAR, keys)
    stale = committee_stats(committee, YEAR)
    assert (stale.stale, stale.computed_at) == (True, fresh.computed_at)
    assert stale.age.total_seconds() >= 0


def year_stamp(committee_id: int) -> datetime.datetime:
    return StatFreshness.objects.get(committee_id=committee_id, school_year=YEAR).computed_at


def stored_figures(committee_id: int) -> dict:
    return {
        (kind, scope_id, month): data
        for kind, scope_id, month, data in StatSnapshot.objects.filter(
            committee_id=committee_id, school_year=YEAR
        ).values_list("scope_kind", "scope_id", "month", "figures")
    }


def test_a_partial_recompute_keeps_the_year_stamp_while_another_scope_waits(school_year):
    """The stamp says every figure of the year reflects the data up to it: a recompute of one
    project's scopes must not claim that while another project's scopes still wait for theirs."""
    p1, p2 = school_year.p1, school_year.p2
    committee_id = p1.committee_id
    stats_services.stats_recompute(committee_id=committee_id)
    nightly = year_stamp(committee_id)
    # An activity of P2 whose recompute is pending (queued, not started): its scopes are marked stale.
    waiting = project_scope_keys(p2)
    cache.set_many({stats_services._pending_key(committee_id, YEAR, key): 1 for key in waiting})
    log(User.objects.get(username="leader2"), p2, datetime.date(2025, 12, 8), ["刘洋"], beneficiaries_count=4)
    stats_services._after_commit(committee_id, YEAR, waiting)

    # P1's own recompute runs first: its scopes are fresh, P2's project and group are not.
    stats_services.stats_recompute(committee_id=committee_id, school_year=YEAR, scopes=project_scope_keys(p1))
    shown = committee_stats(p1.committee, YEAR)
    assert (year_stamp(committee_id), shown.computed_at, shown.stale) == (nightly, nightly, True)
    assert stored_figures(committee_id)[("project", p2.pk, None)]["activities"] == 1  # still the old figure

    # P2's recompute, the last one pending, finds nothing else stale: the stamp moves, and every
    # stored figure of the year is what a full computation gives now.
    started = timezone.now()
    stats_services.stats_pending_clear(committee_id=committee_id, school_year=YEAR, scopes=waiting)
    stats_services.stats_recompute(committee_id=committee_id, school_year=YEAR, scopes=waiting)
    shown = committee_stats(p1.committee, YEAR)
    assert shown.computed_at > started and shown.stale is False
    assert stored_figures(committee_id) == compute_figures(committee_id, YEAR)


def test_a_partial_recompute_of_a_year_without_a_stamp_stamps_it_with_its_oldest_stale_figures(school_year):
    p1, p2 = school_year.p1, school_year.p2
    committee_id = p1.committee_id
    stats_services.stats_recompute(committee_id=committee_id)
    StatFreshness.objects.all().delete()  # a year computed before the stamps existed
    StatSnapshot.objects.update(computed_at=timezone.now() - datetime.timedelta(hours=5))
    waiting = project_scope_keys(p2)
    cache.set_many({stats_services._pending_key(committee_id, YEAR, key): 1 for key in waiting})
    stats_services._after_commit(committee_id, YEAR, waiting)
    oldest_waiting = min(
        StatSnapshot.objects.filter(
            committee_id=committee_id, school_year=YEAR, scope_kind="project", scope_id=p2.pk
        ).values_list("computed_at", flat=True)
    )

    stats_services.stats_recompute(committee_id=committee_id, school_year=YEAR, scopes=project_scope_keys(p1))
    # Not the run's time (the committee row it rewrote would say so): the age of what still waits.
    assert committee_stats(p1.committee, YEAR).computed_at == year_stamp(committee_id) == oldest_waiting


@eager_only
def test_an_activitys_recompute_moves_the_stamp_and_every_figure_is_as_fresh(
    school_year, django_capture_on_commit_callbacks, recomputations
):
    """Why a partial recompute may stamp the whole year: every write marks the scopes it touches
    (`stats.freshness`), so a scope it did not recompute has no newer data than its figures."""
    p2 = school_year.p2
    committee_id = p2.committee_id
    stats_services.stats_recompute(committee_id=committee_id)
    before = year_stamp(committee_id)
    edited = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        log(User.objects.get(username="leader2"), p2, datetime.date(2025, 12, 8), ["刘洋"], beneficiaries_count=4)

    assert recomputations == [(committee_id, YEAR, tuple(sorted(project_scope_keys(p2))))]  # some scopes only
    shown = committee_stats(p2.committee, YEAR)
    assert shown.computed_at > edited > before and shown.stale is False
    assert stored_figures(committee_id) == compute_figures(committee_id, YEAR)
