"""The benchmarks' synthetic district (bench/generate.py) and the statistics floor (bench/stats_floor.py).

The generator must build what the issue sizes and the pages need; the floor must compute the
same figures as the portal's statistics engine, or the ratio between the two would mean nothing.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from activities.models import ActivityLog
from bench import stats_floor
from bench.district_shape import CURRENT_YEAR, SCHOOL_YEARS
from bench.generate import generate
from members.models import User
from projects.enums import ProjectStatus
from projects.models import MicroProject, ScoreSheet
from stats.aggregation import compute_figures
from tests.shared_dataset import module_dataset
from yearend.models import AssessmentResult

YEAR = "2024-2025"


@pytest.fixture(scope="module")
def small_dataset(django_db_setup, django_db_blocker) -> dict:
    """The benchmarks' small school, generated once for these read-only tests."""
    with module_dataset(django_db_blocker, lambda: generate("small", seed=7, log=lambda _line: None)) as dataset:
        yield dataset


@pytest.fixture
def small(small_dataset, db) -> dict:
    return small_dataset


def test_small_is_one_school_with_five_years_of_work(small):
    rows = small["rows"]
    assert (small["schools"], rows["branches_branch"], rows["branches_group"]) == (1, 3, 18)
    # A fiftieth of the district's 300,000 logs, with 3 or 4 indicator values and about a third of a photo each.
    assert 5_000 < rows["activities_activitylog"] < 7_500
    assert 3.0 < rows["activities_indicatorvalue"] / rows["activities_activitylog"] < 3.7
    assert 0.25 < rows["activities_photo"] / rows["activities_activitylog"] < 0.45
    assert rows["activities_achievement"] == 80 * len(SCHOOL_YEARS)
    years = set(ActivityLog.objects.values_list("project__school_year", flat=True).distinct())
    assert years == set(SCHOOL_YEARS)
    # Every approved project was reviewed; past years were assessed and published; this year is in review.
    public = MicroProject.objects.filter(status__in=[ProjectStatus.CONCLUDED, ProjectStatus.IN_PROGRESS])
    assert not public.exclude(pk__in=ScoreSheet.objects.values("project_id")).exists()
    assert AssessmentResult.objects.filter(project__school_year=CURRENT_YEAR).count() == 0
    assert AssessmentResult.objects.filter(project__school_year=YEAR).count() == 18
    assert MicroProject.objects.filter(school_year=CURRENT_YEAR, status=ProjectStatus.IN_REVIEW).count() == 3


def test_the_page_school_personas_open_their_pages(small, client):
    people = small["page_school"]
    client.force_login(User.objects.get(username=people["secretary"]))
    page = client.get(reverse("projects:list")).content.decode()
    assert "2026学年" in page
    client.force_login(User.objects.get(username=people["committee_member"]))
    assert client.get(reverse("projects:queue")).status_code == 200
    client.force_login(User.objects.get(username=small["district_login"]))
    assert "基准第1小学" in client.get(reverse("stats:dashboard_district")).content.decode()


def _floor_year_rows(kind: str, family: str) -> dict[tuple[int, str, int], tuple]:
    """The floor's whole-year rows (month NULL) of a family, by (committee, year, scope)."""
    with connection.cursor() as cursor:
        cursor.execute(stats_floor.kind_queries(kind)[family])
        return {tuple(row[:3]): row[4:] for row in cursor.fetchall() if row[3] is None}


@pytest.mark.parametrize("kind", ["project", "group", "branch", "type", "committee"])
def test_the_floor_computes_the_figures_the_engine_stores(small, kind):
    if connection.vendor != "postgresql":
        pytest.skip("the floor is PostgreSQL SQL (GROUPING SETS); .ci/run's second pass runs it")
    committee_id = small["page_school"]["committee_id"]
    figures = {
        key[1]: data for key, data in compute_figures(committee_id, YEAR).items() if key[0] == kind and not key[2]
    }
    activities = _floor_year_rows(kind, "activities")
    participants = _floor_year_rows(kind, "participants")
    photos = _floor_year_rows(kind, "photos")
    assert activities, "the floor found no activities"
    for (committee, year, scope_id), (count, with_photos, hours, beneficiaries) in activities.items():
        if (committee, year) != (committee_id, YEAR):
            continue
        engine = figures[scope_id]
        assert (engine["activities"], engine["activities_with_photos"]) == (count, with_photos)
        assert (Decimal(str(engine["hours"])), engine["beneficiaries"]) == (hours, beneficiaries)
        person_times, distinct, in_scope = participants[(committee, year, scope_id)]
        assert (engine["person_times"], engine["participants"]) == (person_times, distinct)
        assert engine["members_participating"] == in_scope
        assert engine["photos"] == photos[(committee, year, scope_id)][0]


def test_the_tables_of_a_sqlite_run_show_no_ratio_where_there_is_no_floor():
    """A SQLite run has no statistics floor (it is PostgreSQL SQL): the table says — instead of crashing."""
    from bench.tables import tables

    run = {
        "date": "2026-12-01",
        "size": "small",
        "total_seconds": 60,
        "machine": {
            "cpu": "x",
            "cores": 2,
            "memory_gb": 24,
            "load_average": 0.5,
            "python": "3.11",
            "django": "5.2",
            "database": "sqlite",
        },
        "generation": {
            "seconds": 20,
            "schools": 1,
            "rows": {
                "branches_group": 18,
                "members_member": 100,
                "projects_microproject": 90,
                "activities_activitylog": 6000,
                "activities_indicatorvalue": 20000,
                "activities_activitylog_participants": 18000,
                "activities_photo": 2000,
                "activities_achievement": 400,
                "projects_scoresheet": 200,
                "projects_assessmentsheet": 100,
            },
        },
        "benchmarks": [
            {
                "name": "page: home",
                "user": "secretary",
                "median_s": 0.01,
                "floor_s": None,
                "ratio": None,
                "queries": 9,
                "queries_at_small": None,
                "met": None,
            },
            {
                "name": "statistics: full recompute",
                "committees": 1,
                "snapshots": 900,
                "median_s": 0.4,
                "first_run_s": 0.5,
                "floor_s": None,
                "ratio": None,
                "goal_ratio": 1.5,
                "met": None,
                "processes": 2,
                "one_process_s": 0.6,
            },
        ],
    }
    text = tables(run)
    assert "| home (secretary) | 10.0 ms | — | — | 9 | — | — |" in text
    assert "| — hand-written SQL | — (goal ≤ 1.5×)" in text and "in one process 0.6 s (—)" in text
