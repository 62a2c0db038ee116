"""Statistics from outside the engine: the secretary's refresh, a write with the broker down,
`manage.py project_stats`, and the seeded demo's figures.

The school year they count is described in `tests/stats/school_year.py`.
"""

import datetime
import io
import json
import textwrap
from decimal import Decimal

import pytest
from django.core.management import call_command

from activities import activity_services
from members.models import User
from projects.models import Indicator, MicroProject
from stats import services as stats_services
from stats.errors import StatsError
from stats.models import StatSnapshot
from stats.selectors import committee_stats
from tests.broker_down import run_with_broker_down
from tests.stats.school_year import YEAR, levels, log


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
