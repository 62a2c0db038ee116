"""Statistics: every scope's figures against values counted by hand, in a fixed number of queries.

The school year they count is described in `tests/stats/school_year.py`.
"""

import datetime

from activities import activity_services
from branches.models import Branch
from members.models import Member, User
from projects.models import ProjectType
from projects.school_years import school_year_months
from stats.aggregation import compute_figures
from stats.enums import StatScope
from stats.scopes import school_years
from tests.stats.school_year import YEAR, levels, log, ranks


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
