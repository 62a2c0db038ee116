"""Statistics: figures against hand-computed values, snapshots (upsert, incremental, debounce),
the broker-down path, the secretary's refresh and `manage.py project_stats`.

The small school year built here (2025-2026, through the services):
- P1, 第一党小组's 帮扶暖心 project (6 enrolled members, target 一对一助学 40 人次):
  a1 2025-10-15, 3 members of the group, 12 beneficiaries, 1.5 h, 一对一助学 12, 3 photos (1 archived);
  a2 2025-11-05, 2 members of the group and 冉菁 of 第二党小组, 8 beneficiaries, 2 h, 一对一助学 10;
  a3 2025-11-20, archived (with a photo): never counts.
- P2, 第二党小组's 帮扶暖心 project (5 enrolled members, target 40):
  b1 2025-11-10, 冉菁 and 张宗信, 30 beneficiaries, 3 h, 一对一助学 30, 1 photo.
- Achievements: district 一等奖 on P1 and city 二等奖 on P2 (verified), a pending one on P1,
  a verified district committee honour of 2026-01-10 and a verified one of 2024 (another year).
"""

import datetime
import io
import json
import os
import textwrap
from decimal import Decimal

import pytest
from celery.signals import task_prerun
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from activities import achievement_services, activity_services, photo_services
from activities.enums import AchievementKind, AchievementLevel, AchievementRank
from activities.models import ActivityLog
from branches.models import Branch
from members.models import Member, User
from projects.models import Indicator, MicroProject, ProjectType
from projects.school_years import school_year_months
from stats import services as stats_services
from stats.aggregation import compute_figures
from stats.enums import StatScope
from stats.errors import StatsError
from stats.models import StatFreshness, StatSnapshot
from stats.scopes import project_scope_keys, school_years
from stats.selectors import committee_stats
from tests.activities import image_files as files
from tests.activities.conftest import in_progress_of, tutoring_data
from tests.broker_down import run_with_broker_down

YEAR = "2025-2026"


@pytest.fixture(autouse=True)
def no_pending_marks(settings):
    # The embedded run's locmem cache lives as long as the process; start every test clean.
    if not settings.REDIS_URL:
        cache.clear()


def member(name: str) -> Member:
    return Member.objects.get(name=name)


def log(leader: User, project: MicroProject, day: datetime.date, names: list[str], **changes) -> ActivityLog:
    data = tutoring_data(project, participants=[member(name) for name in names], date=day, **changes)
    return activity_services.activity_log_create(actor=leader, project=project, data=data)


def photos(user: User, activity: ActivityLog, count: int) -> list:
    uploads = [files.upload(f"p{index}.jpg", files.jpeg_bytes((64, 48))) for index in range(count)]
    return photo_services.photo_upload(actor=user, activity=activity, files=uploads).saved


def award(recorder: User, names: list[str], level: str, rank: str, day: datetime.date, project=None, **changes):
    data = achievement_services.AchievementData(
        kind=AchievementKind.AWARD,
        title=f"{level}-{rank}-{day}",
        level=level,
        rank=rank,
        awarded_on=day,
        members=[member(name) for name in names],
        project=project,
        **changes,
    )
    return achievement_services.achievement_record(actor=recorder, data=data)


class SchoolYear:
    """Handles on the fixture's rows."""

    def __init__(self, **rows) -> None:
        self.__dict__.update(rows)


def build_school_year() -> SchoolYear:
    leader_a, leader_b = User.objects.get(username="leader1"), User.objects.get(username="leader2")
    teacher_a, teacher_b = User.objects.get(username="teacher1"), User.objects.get(username="teacher2")
    secretary, committee1 = User.objects.get(username="secretary"), User.objects.get(username="committee1")
    p1, p2 = in_progress_of(leader_a), in_progress_of(leader_b)
    d = datetime.date
    a1 = log(
        leader_a, p1, d(2025, 10, 15), ["袁懿", "张玺", "李晓燕"], beneficiaries_count=12, duration_hours=Decimal("1.5")
    )
    a2 = log(
        leader_a,
        p1,
        d(2025, 11, 5),
        ["袁懿", "张玺", "冉菁"],
        beneficiaries_count=8,
        duration_hours=Decimal(2),
        indicator_values=[activity_services.IndicatorValueData(tutoring_data(p1).indicator_values[0].indicator, 10)],
    )
    a3 = log(leader_a, p1, d(2025, 11, 20), ["陈思远"], beneficiaries_count=5, duration_hours=Decimal(1))
    b1 = log(
        leader_b,
        p2,
        d(2025, 11, 10),
        ["冉菁", "张宗信"],
        beneficiaries_count=30,
        duration_hours=Decimal(3),
        indicator_values=[activity_services.IndicatorValueData(tutoring_data(p2).indicator_values[0].indicator, 30)],
    )
    a1_photos = photos(teacher_a, a1, 3)
    photo_services.photo_archive(actor=teacher_a, photo=a1_photos[0])
    photos(teacher_a, a3, 1)
    activity_services.activity_log_archive(actor=leader_a, activity=a3)
    photos(teacher_b, b1, 1)
    verified = [
        award(teacher_a, ["张玺"], AchievementLevel.DISTRICT, AchievementRank.FIRST, d(2025, 12, 1), p1),
        award(leader_b, ["冉菁"], AchievementLevel.CITY, AchievementRank.SECOND, d(2026, 3, 15), p2),
        award(
            committee1, [], AchievementLevel.DISTRICT, AchievementRank.NONE, d(2026, 1, 10), is_committee_honour=True
        ),
        award(committee1, [], AchievementLevel.CITY, AchievementRank.NONE, d(2024, 6, 1), is_committee_honour=True),
    ]
    for achievement in verified:
        achievement_services.achievement_verify(actor=secretary, achievement=achievement)
    award(teacher_a, ["张玺"], AchievementLevel.SCHOOL, AchievementRank.FIRST, d(2025, 12, 2), p1)  # pending
    return SchoolYear(p1=p1, p2=p2, a1=a1, a2=a2, b1=b1, leader_a=leader_a, secretary=secretary)


@pytest.fixture
def school_year(demo_schools, django_capture_on_commit_callbacks) -> SchoolYear:
    """The school year above, its writes committed (so their on-commit hooks ran, as in real use)."""
    with django_capture_on_commit_callbacks(execute=True):
        built = build_school_year()
    return built


@pytest.fixture
def recomputations():
    """(committee, year, scopes) of every `recompute_stats_for` that starts, eager or in a worker thread."""
    seen: list[tuple] = []

    def count(sender=None, args=None, **_kwargs) -> None:
        if sender is not None and sender.name == "stats.tasks.recompute_stats_for":
            seen.append((args[0], args[1], tuple(args[2] or ("*",))))

    task_prerun.connect(count, weak=False)
    yield seen
    task_prerun.disconnect(count)


eager_only = pytest.mark.skipif(
    bool(os.environ.get("REDIS_URL")), reason="Celery runs in process only in the embedded run"
)


def levels(**counts: int) -> dict[str, int]:
    return {level: counts.get(level, 0) for level in AchievementLevel.values}


def ranks(**counts: int) -> dict[str, int]:
    return {rank: counts.get(rank, 0) for rank in AchievementRank.values}


def tutoring(target, actual, completion) -> list[dict]:
    return [{"name": "一对一助学", "unit": "人次", "target": target, "actual": actual, "completion": completion}]


def indicators_of(figures: dict) -> list[dict]:
    return [
        {key: row[key] for key in ("name", "unit", "target", "actual", "completion")} for row in figures["indicators"]
    ]


def figures_of(committee_id: int, kind: str, scope_id: int, month: datetime.date | None = None) -> dict:
    return compute_figures(committee_id, YEAR)[(kind, scope_id, month)]


def test_project_figures_count_only_current_activities_photos_and_verified_achievements(school_year):
    p1 = figures_of(school_year.p1.committee_id, StatScope.PROJECT, school_year.p1.pk)

    assert {key: value for key, value in p1.items() if key != "indicators"} == {
        "activities": 2,  # a3 is archived
        "person_times": 6,  # 3 + 3
        "participants": 4,  # 袁懿, 张玺, 李晓燕, 冉菁
        "members": 5,  # Party members enrolled in P1 (its 入党积极分子 赵婷婷 takes part but is no member yet)
        "members_participating": 3,  # 冉菁 is not enrolled
        "participation_rate": 60.0,
        "beneficiaries": 20,
        "hours": 3.5,
        "photos": 2,  # one of a1's three is archived, a3's does not count
        "activities_with_photos": 1,
        "evidence_coverage": 50.0,
        "achievements_verified": 1,  # the school-level one is pending
        "achievements_by_level": levels(district=1),
        "achievements_by_rank": ranks(first=1),
    }
    assert indicators_of(p1) == tutoring(40, 22, 55.0)


def test_wider_scopes_sum_targets_and_rate_participation_against_their_own_members(school_year):
    committee_id = school_year.p1.committee_id
    group_2 = school_year.p2.group
    branch_1 = Branch.objects.get(committee_id=committee_id, name="第一党支部")
    service = ProjectType.objects.get(committee_id=committee_id, name="帮扶暖心")

    group = figures_of(committee_id, StatScope.GROUP, group_2.pk)
    assert (group["activities"], group["members"], group["members_participating"], group["participation_rate"]) == (
        1,
        5,
        2,
        40.0,
    )
    assert (group["evidence_coverage"], indicators_of(group)) == (100.0, tutoring(40, 30, 75.0))

    for figures in (
        figures_of(committee_id, StatScope.BRANCH, branch_1.pk),
        figures_of(committee_id, StatScope.TYPE, service.pk),
    ):
        assert figures["activities"] == 3
        assert figures["person_times"] == 8
        assert (figures["participants"], figures["members"], figures["members_participating"]) == (
            5,
            10,
            5,
        )  # 党员数 leaves out the branch's 入党积极分子
        assert figures["participation_rate"] == 50.0  # 5 / 10
        assert (figures["beneficiaries"], figures["hours"]) == (50, 6.5)
        assert (figures["photos"], figures["activities_with_photos"], figures["evidence_coverage"]) == (3, 2, 66.7)
        assert indicators_of(figures) == tutoring(80, 52, 65.0)
        assert figures["achievements_by_level"] == levels(district=1, city=1)
        assert figures["achievements_by_rank"] == ranks(first=1, second=1)


def test_committee_counts_its_own_honours_of_the_year_and_every_active_member(school_year):
    committee_id = school_year.p1.committee_id
    committee = figures_of(committee_id, StatScope.COMMITTEE, committee_id)
    active_members = Member.objects.filter(committee_id=committee_id, is_active=True).count()

    assert active_members == 36  # the six groups' 35 and the secretary
    assert (committee["activities"], committee["members"], committee["members_participating"]) == (
        3,
        34,
        5,
    )  # 36 on the roster, two of them 入党积极分子
    assert committee["participation_rate"] == 14.7  # 5 / 34
    # Two projects' awards and the 2026 honour; the 2024 honour belongs to another school year.
    assert committee["achievements_verified"] == 3
    assert committee["achievements_by_level"] == levels(district=2, city=1)
    assert committee["achievements_by_rank"] == ranks(first=1, second=1, none=1)


def test_month_figures_follow_activity_and_award_dates_without_targets(school_year):
    committee_id = school_year.p1.committee_id
    november = figures_of(committee_id, StatScope.COMMITTEE, committee_id, datetime.date(2025, 11, 1))
    october = figures_of(committee_id, StatScope.COMMITTEE, committee_id, datetime.date(2025, 10, 1))
    january = figures_of(committee_id, StatScope.COMMITTEE, committee_id, datetime.date(2026, 1, 1))

    assert (november["activities"], november["person_times"], november["participants"]) == (2, 5, 4)
    assert (november["beneficiaries"], november["hours"], november["photos"], november["evidence_coverage"]) == (
        38,
        5,
        1,
        50.0,
    )
    assert indicators_of(november) == tutoring(None, 40, None)
    assert (october["activities"], october["photos"], october["evidence_coverage"]) == (1, 2, 100.0)
    assert (january["activities"], january["achievements_by_level"]) == (0, levels(district=1))
    all_months = {key[2] for key in compute_figures(committee_id, YEAR) if key[:2] == ("committee", committee_id)}
    assert all_months == {None, *school_year_months(YEAR)}


def test_aggregation_takes_a_fixed_number_of_queries(school_year, django_assert_num_queries):
    committee_id = school_year.p1.committee_id
    # 4 to list the projects and scopes, 3 for members, enrolments and targets, 4 grouped by
    # project and month (activities with their photos, participants, indicator values,
    # achievements), 1 for the indicators' names: the same for one scope kind or five.
    with django_assert_num_queries(12):
        compute_figures(committee_id, YEAR)
    log(school_year.leader_a, school_year.p1, datetime.date(2025, 12, 3), ["张玺"])
    with django_assert_num_queries(12):
        compute_figures(committee_id, YEAR)


def snapshot_rows(committee_id: int) -> list[tuple]:
    return list(
        StatSnapshot.objects.filter(committee_id=committee_id)
        .order_by("school_year", "scope_kind", "scope_id", "month")
        .values_list("pk", "school_year", "scope_kind", "scope_id", "month", "figures", "computed_at")
    )


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


def test_only_the_secretary_refreshes_now(school_year, committee_member, other_school_user):
    committee = school_year.p1.committee
    StatSnapshot.objects.all().delete()
    for actor in (committee_member, other_school_user, school_year.leader_a):
        with pytest.raises(StatsError, match="只有本校党委书记"):
            stats_services.stats_refresh_now(actor=actor, committee=committee)
    assert not StatSnapshot.objects.exists()

    written = stats_services.stats_refresh_now(actor=school_year.secretary, committee=committee)
    assert written == StatSnapshot.objects.filter(committee=committee).count() > 0
    assert committee_stats(committee, YEAR).totals["activities"] == 3


BROKER_DOWN = textwrap.dedent(
    """
    import datetime, json, logging, time
    import django
    django.setup()
    from django.conf import settings
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # before any hashing
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    from django.db import transaction
    from activities import achievement_services, activity_services, photo_services
    from branches.models import Committee
    from stats import services as stats_services
    from projects.school_years import school_year_months
    from stats.aggregation import compute_figures
    from stats.scopes import project_scope_keys
    from stats.selectors import committee_stats
    from projects.demo import seed_projects
    from projects.models import MicroProject
    from members import demo
    from members.models import User
    from tests.activities.conftest import tutoring_data

    logging.disable(logging.CRITICAL)
    daping, _ = demo.seed_organisation()
    seed_projects(daping)
    project = MicroProject.objects.get(group__name="第一党小组", school_year="2024-2025")
    stats_services.stats_recompute(committee_id=daping.pk, school_year="2024-2025")
    leader = User.objects.get(username="leader1")
    started = time.monotonic()
    activity = activity_services.activity_log_create(
        actor=leader, project=project, data=tutoring_data(project, date=datetime.date(2025, 3, 3))
    )
    elapsed = time.monotonic() - started
    result = committee_stats(daping, "2024-2025")
    print(json.dumps({
        "saved": MicroProject.objects.get(pk=project.pk).activity_logs.filter(pk=activity.pk).exists(),
        "elapsed": elapsed,
        "stale": result.stale,
        "activities_shown": result.totals["activities"],
        "broker": __import__("django.conf").conf.settings.CELERY_BROKER_URL,
    }))
    """
)


@pytest.mark.slow
def test_with_the_broker_down_a_write_succeeds_and_readers_see_stale_figures(tmp_path):
    outcome = run_with_broker_down(BROKER_DOWN, tmp_path)
    assert outcome["broker"] == "redis://127.0.0.1:1/0"
    assert outcome["saved"] is True
    assert outcome["stale"] is True
    assert outcome["activities_shown"] == 0  # the last snapshot, from before the write
    assert outcome["elapsed"] < 10


def project_stats_json(*args: str) -> dict:
    out = io.StringIO()
    call_command("project_stats", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_project_stats_prints_the_seeded_projects_with_their_activities(daping):
    from projects.demo import seed_projects

    seed_projects(daping)
    leader_1 = User.objects.get(username="leader1")
    project = MicroProject.objects.get(group__name="第一党小组", school_year="2024-2025")
    lecture = Indicator.objects.get(committee=daping, name="微讲座/示范课")
    for day in (3, 10, 17):
        log(
            leader_1,
            project,
            datetime.date(2025, 3, day),
            ["袁懿", "张玺"],
            indicator_values=[activity_services.IndicatorValueData(lecture, Decimal(2))],
        )
    stats_services.stats_recompute(committee_id=daping.pk)

    output = project_stats_json("--committee", "daping", "--year", "2024")

    assert set(output) == {"committee", "year", "computed_at", "totals", "projects"}
    assert (output["committee"], output["year"]) == ("daping", "2024-2025")
    assert datetime.datetime.fromisoformat(output["computed_at"])
    assert (output["totals"]["activities"], output["totals"]["person_times"]) == (3, 6)
    titles = [row["title"] for row in output["projects"]]
    assert titles == ["“帮扶暖心”党建微项目", "“学习+成长”党建微项目", "“校家社联合教育”党建微项目"]
    first = output["projects"][0]
    assert set(first) == {
        "title",
        "type",
        "group",
        "status",
        "indicators",
        "activities",
        "photos",
        "achievements_verified",
    }
    assert (first["type"], first["group"], first["status"], first["activities"], first["photos"]) == (
        "帮扶暖心",
        "第一党小组",
        "in_progress",
        3,
        0,
    )
    assert first["indicators"][0] == {"name": "微讲座/示范课", "unit": "次", "target": 60, "actual": 6, "unplanned": 0}
    assert {row["name"]: row["actual"] for row in first["indicators"]}["捐赠图书"] == 0
    assert first["achievements_verified"] == levels()
    assert output["projects"][1]["activities"] == 0

    table = io.StringIO()
    call_command("project_stats", "--committee", "daping", stdout=table)
    assert "“帮扶暖心”党建微项目 [帮扶暖心 · 第一党小组 · 实施中]" in table.getvalue()
    assert "微讲座/示范课: 6 / 60 次 (10.0%)" in table.getvalue()


def test_seeded_demo_shows_the_articles_figures(db, settings, tmp_path):
    pytest.importorskip("activities.demo")
    call_command("seed_demo", force=True, stdout=io.StringIO())
    daping_id = MicroProject.objects.filter(group__name="第一党小组").values_list("committee_id", flat=True).first()
    stats_services.stats_recompute(committee_id=daping_id)

    output = project_stats_json("--committee", "daping")

    projects = {row["title"]: row for row in output["projects"]}
    service = {row["name"]: row["actual"] for row in projects["“帮扶暖心”党建微项目"]["indicators"]}
    assert service["微讲座/示范课"] >= 60
    assert service["一对一助学"] >= 80
    assert service["蹲点结对帮扶"] >= 70
    assert service["社区志愿服务"] >= 65
    assert service["一线服务"] >= 20
    assert service["捐赠图书"] >= 2000
    assert projects["“帮扶暖心”党建微项目"]["achievements_verified"]["city"] >= 1
    learning = projects["“学习+成长”党建微项目"]["achievements_verified"]
    assert learning["district"] >= 2 and learning["provincial"] >= 1
    writing = {row["name"]: row["actual"] for row in projects["“校家社联合教育”党建微项目"]["indicators"]}
    assert writing["学生习作"] >= 160000
    assert all(row["photos"] > 0 and row["activities"] > 0 for row in output["projects"])


def test_a_year_counts_as_logged_while_a_project_of_it_has_a_current_activity(school_year):
    committee_id = school_year.p1.committee_id
    found = school_years(committee_id)
    # The committee's 2024 honour lists its school year; only 2025-2026 had activities logged.
    assert found.years == ["2023-2024", "2025-2026"]
    assert found.logged == {"2025-2026"}
    assert found.latest_with_records() == "2025-2026"

    for activity in (school_year.a1, school_year.a2):
        activity_services.activity_log_archive(actor=school_year.leader_a, activity=activity)
    assert school_years(committee_id).logged == {"2025-2026"}  # P2's activity is still current

    leader_b = User.objects.get(username="leader2")
    activity_services.activity_log_archive(actor=leader_b, activity=school_year.b1)
    found = school_years(committee_id)
    assert found.years == ["2023-2024", "2025-2026"]  # the approved projects still list it
    assert found.logged == frozenset()
    assert found.latest_with_records() is None
