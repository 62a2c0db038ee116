"""Dashboards: the figures shown are the stats selector's, scoped by role, linked to their records,
fresh or stale with their age, refreshed by the secretary, printable, and pinned in queries.

The data is the demo school's: `projects.demo.seed_projects` (the article's three projects of
2024-2025) and `activities.demo.seed_activities` (their activity logs, photos and achievements,
written through the services), with the snapshots computed by `stats_services.stats_recompute`.
"""

import datetime
import html
import json
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from activities import achievement_services, activity_services
from activities.demo import seed_activities
from activities.enums import AchievementKind, AchievementLevel
from branches.models import Branch, Group
from projects.demo import SCHOOL_YEAR, seed_projects
from projects.models import MicroProject
from stats import services as stats_services
from stats.models import StatFreshness, StatSnapshot
from stats.selectors import committee_stats

HEADLINE = {
    "activities": "activities",
    "person_times": "person_times",
    "participation_rate": "participation_rate",
    "beneficiaries": "beneficiaries",
    "hours": "hours",
    "photos": "photos",
    "evidence_coverage": "evidence_coverage",
    "achievements_verified": "achievements_verified",
}


@pytest.fixture
def projects_only(daping):
    """The article's three projects, no activity yet, snapshots computed."""
    seed_projects(daping)
    stats_services.stats_recompute(committee_id=daping.pk)
    return daping


@pytest.fixture
def seeded(daping):
    """The article's projects with their activities, photos and achievements, snapshots computed."""
    seed_projects(daping)
    seed_activities(daping)
    stats_services.stats_recompute(committee_id=daping.pk)
    return daping


def chart_data(content: str, key: str) -> dict:
    """The JSON a chart is drawn from, as the browser reads it."""
    found = re.search(rf'<script id="chart-data-{key}" type="application/json">(.*?)</script>', content, re.S)
    assert found, f"no data for chart {key}"
    return json.loads(found.group(1))


def shown_value(content: str, key: str) -> str:
    found = re.search(rf'data-testid="value-{key}">([^<]*)<', content)
    assert found, f"no headline figure {key}"
    return found.group(1)


def as_shown(value) -> str:
    return "—" if value is None else str(value)


def table_rows(content: str, key: str) -> list[list[str]]:
    """The rows of the table under a chart: the row label, then each cell's text."""
    table = re.search(rf'<table [^>]*data-testid="table-{key}">(.*?)</table>', content, re.S)
    assert table, f"no table {key}"
    rows = []
    for row in re.findall(r"<tr data-testid=\"row-[^\"]+\">(.*?)</tr>", table.group(1), re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells])
    return rows


def test_committee_dashboard_shows_the_stats_selector_figures(login, secretary, seeded):
    response = login(secretary).get(reverse("stats:dashboard_committee"))
    content = response.content.decode()
    result = committee_stats(seeded, SCHOOL_YEAR)

    assert response.status_code == 200
    assert response.context["board"].school_year == SCHOOL_YEAR
    totals = result.totals
    assert totals["activities"] > 0 and totals["achievements_verified"] > 0
    for key, figure in HEADLINE.items():
        assert shown_value(content, key) == as_shown(totals[figure]), key
    assert shown_value(content, "projects") == "3"

    levels = chart_data(content, "levels")
    assert levels["series"][0]["values"] == [totals["achievements_by_level"][level] for level in AchievementLevel]
    months = chart_data(content, "months")
    assert months["categories"][0] == f"{SCHOOL_YEAR[:4]}-09"
    assert months["series"][0]["values"] == [month.figures["activities"] for month in result.months]
    assert sum(months["series"][0]["values"]) == totals["activities"]
    completion = chart_data(content, "completion")
    expected = [
        (f"{row['name']}（{project.title}）", row["completion"])
        for project in result.projects
        for row in project.figures["indicators"]
        if row["target"] is not None
    ]
    assert list(zip(completion["categories"], completion["series"][0]["values"], strict=True)) == expected
    groups = chart_data(content, "groups")
    assert groups["series"][0]["values"] == [group.figures["participation_rate"] for group in result.groups]
    branches = chart_data(content, "branches")
    assert branches["categories"] == [branch.name for branch in result.branches]
    types = chart_data(content, "types")
    assert types["categories"] == ["帮扶暖心", "学习+成长", "校家社联合教育"]
    assert types["series"][0]["values"] == [1, 1, 1]

    # The table under each chart holds the same numbers.
    level_rows = table_rows(content, "levels")
    assert [row[1] for row in level_rows] == [str(totals["achievements_by_level"][level]) for level in AchievementLevel]
    project_rows = {row[0]: row for row in table_rows(content, "projects")}
    for project in result.projects:
        assert project_rows[project.title][4] == str(project.figures["activities"])
        assert project_rows[project.title][8] == str(project.figures["photos"])

    # Each figure links to the records behind it.
    for project in result.projects:
        page = reverse("projects:detail", args=[project.id])
        assert f'href="{page}"' in content
        assert f'href="{page}#activity-timeline"' in content and f'href="{page}#project-gallery"' in content
    assert levels["links"][0] == f"{reverse('activities:achievement_list')}?status=verified&level=school&tab=all"
    assert branches["links"] == [
        f"{reverse('stats:dashboard_branch', args=[branch.id])}?year={SCHOOL_YEAR}" for branch in result.branches
    ]
    assert completion["links"][0] == reverse("projects:detail", args=[result.projects[0].id])

    # The print page: the same numbers in tables, no chart and no chart library.
    printed = login(secretary).get(reverse("stats:dashboard_committee_print")).content.decode()
    assert "data-chart=" not in printed and "echarts" not in printed
    found = re.search(r'data-testid="print-activities">([^<]*)<', printed)
    assert found.group(1).strip() == f"{totals['activities']} 次"
    assert table_rows(printed, "levels") == level_rows
    assert table_rows(printed, "projects") == table_rows(content, "projects")


def test_branch_and_group_dashboards_show_their_scope_only(login, branch_secretary, leader_a, seeded):
    result = committee_stats(seeded, SCHOOL_YEAR)
    branch = Branch.objects.get(secretary__user=branch_secretary)
    branch_figures = next(scope.figures for scope in result.branches if scope.id == branch.pk)
    group = Group.objects.get(leader__user=leader_a)
    group_figures = next(scope.figures for scope in result.groups if scope.id == group.pk)
    own = MicroProject.objects.get(group=group, school_year=SCHOOL_YEAR)
    others = MicroProject.objects.filter(school_year=SCHOOL_YEAR).exclude(group__branch=branch)

    content = login(branch_secretary).get(reverse("stats:dashboard_branch", args=[branch.pk])).content.decode()
    assert branch_figures["activities"] > 0
    for key, figure in HEADLINE.items():
        assert shown_value(content, key) == as_shown(branch_figures[figure]), key
    assert [row[0] for row in table_rows(content, "projects")] == [own.title]
    for project in others:
        assert project.title not in content
    groups = chart_data(content, "groups")
    assert groups["categories"] == list(branch.groups.order_by("position").values_list("name", flat=True))
    months = chart_data(content, "months")
    assert sum(months["series"][0]["values"]) == branch_figures["activities"]
    snapshot_months = StatSnapshot.objects.filter(
        scope_kind="branch", scope_id=branch.pk, school_year=SCHOOL_YEAR, month__isnull=False
    ).order_by("month")
    assert months["series"][0]["values"] == [row.figures["activities"] for row in snapshot_months]

    content = login(leader_a).get(reverse("stats:dashboard_group", args=[group.pk])).content.decode()
    for key, figure in HEADLINE.items():
        assert shown_value(content, key) == as_shown(group_figures[figure]), key
    assert [row[0] for row in table_rows(content, "projects")] == [own.title]
    assert "chart-data-groups" not in content and "chart-data-branches" not in content
    levels = chart_data(content, "levels")
    assert levels["series"][0]["values"] == [
        group_figures["achievements_by_level"][level] for level in AchievementLevel
    ]
    # A leader's figures open the achievement list on the group's tab.
    assert levels["links"][2] == f"{reverse('activities:achievement_list')}?status=verified&level=city&tab=group"


def _branch(number: int) -> Branch:
    return Branch.objects.get(committee__slug="daping", position=number)


def _group(number: int) -> Group:
    return Group.objects.get(branch__committee__slug="daping", position=number)


def test_dashboard_permissions_by_role(
    login, secretary, committee_member, branch_secretary, leader_a, leader_b, teacher, projects_only
):
    committee_url = reverse("stats:dashboard_committee")

    def status(user, name, *args) -> int:
        return login(user).get(reverse(f"stats:{name}", args=args)).status_code

    group_1, group_2, group_3 = _group(1), _group(2), _group(3)
    branch_1, branch_2 = _branch(1), _branch(2)
    assert group_1.branch == branch_1 and group_3.branch == branch_2

    for user in (secretary, committee_member):
        assert login(user).get(committee_url).status_code == 200
        assert status(user, "dashboard_branch", branch_2.pk) == 200
        assert status(user, "dashboard_group", group_3.pk) == 200

    # The branch secretary: their branch and its groups.
    assert status(branch_secretary, "dashboard_committee") == 403
    assert status(branch_secretary, "dashboard_branch", branch_1.pk) == 200
    assert status(branch_secretary, "dashboard_group", group_2.pk) == 200
    assert status(branch_secretary, "dashboard_branch", branch_2.pk) == 403
    assert status(branch_secretary, "dashboard_group", group_3.pk) == 403
    assert status(branch_secretary, "dashboard_branch_print", branch_2.pk) == 403

    # A group leader and a teacher: only their group's.
    for user, own, other in ((leader_a, group_1, group_2), (leader_b, group_2, group_1), (teacher, group_1, group_2)):
        response = login(user).get(reverse("stats:dashboard_group", args=[own.pk]))
        assert response.status_code == 200
        assert own.name in response.content.decode()
        assert status(user, "dashboard_group", other.pk) == 403
        assert status(user, "dashboard_group_print", other.pk) == 403
        assert status(user, "dashboard_branch", own.branch_id) == 403
        assert status(user, "dashboard_committee") == 403
        assert status(user, "dashboard_committee_print") == 403


def test_another_school_sees_nothing_of_daping(login, other_school_user, hongyan, projects_only):
    client = login(other_school_user)
    for name, pk in (("dashboard_branch", _branch(1).pk), ("dashboard_group", _group(1).pk)):
        assert client.get(reverse(f"stats:{name}", args=[pk])).status_code == 404
        assert client.get(reverse(f"stats:{name}_print", args=[pk])).status_code == 404

    response = client.get(reverse("stats:dashboard_committee"))
    content = response.content.decode()
    assert response.status_code == 200
    assert hongyan.school_name in content and "大坪小学" not in content
    for title in MicroProject.objects.filter(committee=projects_only).values_list("title", flat=True):
        assert title not in content
    assert shown_value(content, "projects") == "0"


def test_anonymous_is_sent_to_log_in(anonymous_client, projects_only):
    response = anonymous_client.get(reverse("stats:dashboard_committee"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_dashboard_entry_opens_the_widest_dashboard_of_each_role(
    login, secretary, branch_secretary, leader_b, teacher, projects_only
):
    entry = reverse("stats:dashboard")
    assert login(secretary).get(entry)["Location"] == reverse("stats:dashboard_committee")
    assert login(branch_secretary).get(entry)["Location"] == reverse("stats:dashboard_branch", args=[_branch(1).pk])
    assert login(leader_b).get(entry)["Location"] == reverse("stats:dashboard_group", args=[_group(2).pk])
    assert login(teacher).get(entry)["Location"] == reverse("stats:dashboard_group", args=[_group(1).pk])
    # The navbar shows the entry to them, and the home page their own dashboards.
    assert f'href="{entry}"' in login(teacher).get(reverse("projects:list")).content.decode()
    for user, url in (
        (secretary, reverse("stats:dashboard_committee")),
        (branch_secretary, reverse("stats:dashboard_branch", args=[_branch(1).pk])),
        (leader_b, reverse("stats:dashboard_group", args=[_group(2).pk])),
        (teacher, reverse("stats:dashboard_group", args=[_group(1).pk])),
    ):
        home = login(user).get(reverse("home")).content.decode()
        assert re.findall(r'href="([^"]+)" data-testid="home-dashboard"', home)[0] == url


def test_figures_show_their_age_and_stale_figures_are_flagged(login, secretary, projects_only):
    url = reverse("stats:dashboard_committee")
    # The age is the year's recompute stamp (rows are rewritten only when their figures change).
    StatFreshness.objects.update(computed_at=timezone.now() - datetime.timedelta(minutes=5, seconds=10))
    content = login(secretary).get(url).content.decode()
    assert "数据更新于 5 分钟前" in content
    assert 'data-testid="stale"' not in content

    # What a write leaves behind while its recompute waits in the queue (or the broker is down).
    three_hours_ago = timezone.now() - datetime.timedelta(hours=3, minutes=1)
    StatFreshness.objects.update(computed_at=three_hours_ago)
    StatSnapshot.objects.update(computed_at=three_hours_ago, edited_at=timezone.now())
    content = login(secretary).get(url).content.decode()
    assert "数据更新于 3 小时前" in content
    assert "数据已有修改，统计将稍后更新" in content


def test_without_snapshots_the_dashboard_computes_the_figures_in_process(login, secretary, projects_only):
    StatSnapshot.objects.all().delete()
    client = login(secretary)
    content = client.get(reverse("stats:dashboard_committee")).content.decode()
    assert "尚无统计快照，以下为实时计算结果" in content
    assert shown_value(content, "projects") == "3"
    stored = StatSnapshot.objects.filter(school_year=SCHOOL_YEAR, scope_kind="committee", month=None)
    again = client.get(reverse("stats:dashboard_committee")).content.decode()
    assert shown_value(again, "projects") == "3"
    if settings.REDIS_URL:  # queued to a worker (none runs here): still the live figures
        assert not stored.exists() and "尚无统计快照，以下为实时计算结果" in again
    else:  # the embedded run writes the missing snapshots while it answers: the next page reads them
        assert stored.exists()
        assert "尚无统计快照" not in again and 'data-testid="computing"' not in again


def _record_activity(project: MicroProject) -> None:
    from tests.activities.conftest import tutoring_data

    activity_services.activity_log_create(
        actor=project.group.leader.user, project=project, data=tutoring_data(project, date=datetime.date(2025, 3, 3))
    )


def test_only_the_secretary_refreshes_and_the_figures_are_recomputed_in_process(
    login, secretary, committee_member, projects_only, django_capture_on_commit_callbacks
):
    project = MicroProject.objects.get(group__position=1, group__branch__position=1, school_year=SCHOOL_YEAR)
    # The activity's recompute is never sent (as with the broker down): the snapshots stay as they were.
    with django_capture_on_commit_callbacks(execute=False):
        _record_activity(project)
    url = reverse("stats:dashboard_committee")
    before = dict(StatSnapshot.objects.values_list("pk", "computed_at"))
    stamped = dict(StatFreshness.objects.values_list("school_year", "computed_at"))
    assert shown_value(login(secretary).get(url).content.decode(), "activities") == "0"

    refused = login(committee_member).post(reverse("stats:dashboard_refresh"), {"next": url})
    assert refused.status_code == 403
    assert dict(StatSnapshot.objects.values_list("pk", "computed_at")) == before
    assert 'data-testid="refresh"' not in login(committee_member).get(url).content.decode()

    response = login(secretary).post(reverse("stats:dashboard_refresh"), {"next": f"{url}?year={SCHOOL_YEAR}"})
    assert response.status_code == 302 and response["Location"] == f"{url}?year={SCHOOL_YEAR}"
    content = login(secretary).get(url).content.decode()
    assert shown_value(content, "activities") == "1"
    assert "数据更新于刚刚" in content
    # The activity's scopes were rewritten; every year of the school got its new stamp.
    assert StatSnapshot.objects.exclude(pk__in=before).filter(scope_kind="project", scope_id=project.pk).exists()
    assert all(at > stamped[year] for year, at in StatFreshness.objects.values_list("school_year", "computed_at"))

    # An outside `next` is not followed.
    response = login(secretary).post(reverse("stats:dashboard_refresh"), {"next": "https://example.com/"})
    assert response["Location"] == url


def _committee_honour(recorder, verifier, awarded_on: datetime.date) -> None:
    """A verified honour of the committee itself (no project): it counts in the school year of its date."""
    honour = achievement_services.achievement_record(
        actor=recorder,
        data=achievement_services.AchievementData(
            kind=AchievementKind.HONOUR,
            title=f"渝中区先进基层党组织（{awarded_on.year}）",
            level=AchievementLevel.DISTRICT,
            awarded_on=awarded_on,
            issuing_body="中共重庆市渝中区委",
            is_committee_honour=True,
        ),
    )
    achievement_services.achievement_verify(actor=verifier, achievement=honour)


def test_the_trend_spans_the_school_years_with_data(login, secretary, committee_member, projects_only):
    _committee_honour(committee_member, secretary, datetime.date(2022, 10, 1))
    stats_services.stats_recompute(committee_id=projects_only.pk)
    url = reverse("stats:dashboard_committee")

    content = login(secretary).get(url).content.decode()
    trend = chart_data(content, "trend")
    # Five school years one after the other, up to the latest with data: years without data read 0.
    years = ["2020-2021", "2021-2022", "2022-2023", "2023-2024", SCHOOL_YEAR]
    assert trend["categories"] == years
    assert trend["labels"] == ["2020-21", "2021-22", "2022-23", "2023-24", "2024-25"]
    assert trend["integer"] is True
    assert trend["series"][2]["values"] == [0, 0, 1, 0, 0]
    assert trend["links"] == [f"{url}?year={year}" for year in years]

    content = login(secretary).get(url, {"year": "2022-2023"}).content.decode()
    assert (shown_value(content, "projects"), shown_value(content, "achievements_verified")) == ("0", "1")
    assert '<option value="2022-2023" selected>' in content
    # A year without data falls back to the latest.
    assert login(secretary).get(url, {"year": "1999"}).context["board"].school_year == SCHOOL_YEAR


def test_dashboards_take_a_fixed_number_of_queries(
    login, secretary, committee_member, branch_secretary, leader_a, daping, django_assert_num_queries
):
    """Three projects without activities, then the whole demo school year: the same queries."""
    seed_projects(daping)
    # Both sizes span several school years, so both draw the trend.
    _committee_honour(committee_member, secretary, datetime.date(2021, 6, 30))
    stats_services.stats_recompute(committee_id=daping.pk)
    pages = [
        (login(secretary), reverse("stats:dashboard_committee"), 12),
        (login(secretary), reverse("stats:dashboard_committee_print"), 12),
        (login(branch_secretary), reverse("stats:dashboard_branch", args=[_branch(1).pk]), 15),
        (login(leader_a), reverse("stats:dashboard_group", args=[_group(1).pk]), 14),
    ]
    small = {}
    for client, url, queries in pages:
        with django_assert_num_queries(queries):
            small[url] = client.get(url)
        assert small[url].context["board"].figures["activities"] == 0
    assert "chart-data-trend" in small[pages[0][1]].content.decode()

    seed_activities(daping)
    stats_services.stats_recompute(committee_id=daping.pk)
    for client, url, queries in pages:
        with django_assert_num_queries(queries):
            large = client.get(url)
        assert large.context["board"].figures["activities"] > 0, url


@pytest.mark.parametrize("use_thousand_separator", [False, True])
def test_dashboard_table_writes_values_as_the_template_engine_would(settings, use_thousand_separator):
    from django.template import Context, Template

    from stats.view_models import Cell, Row, Table

    settings.USE_THOUSAND_SEPARATOR = use_thousand_separator
    values = [0, -3, 12345, 87.5, -0.0, 1e20, 3.14159, float("inf"), None, "<b>甲</b>", 1234567.25]
    table = Table(
        columns=["名称", "值"],
        rows=[
            Row(label=f"<{index}>", link=f"/x/?a={index}&b=1", cells=[Cell(v, "%", "/y/")])
            for index, v in enumerate(values)
        ],
    )
    written = Template("{% load dashboard_tags %}{% dashboard_table table testid %}").render(
        Context({"table": table, "testid": "t<1>"})
    )
    cells = Template(
        "{% for row in table.rows %}{% for cell in row.cells %}"
        "{% if cell.value is None %}—{% else %}{{ cell.value }}{{ cell.unit }}{% endif %}|{% endfor %}{% endfor %}"
    ).render(Context({"table": table}))
    assert "|".join(re.findall(r'data-testid="cell">(?:<a href="/y/">)?(.*?)(?:</a>)?</td>', written)) + "|" == cells
    assert 'data-testid="table-t&lt;1&gt;"' in written and 'href="/x/?a=1&amp;b=1">&lt;1&gt;</a>' in written
    assert written.count('data-testid="row-t&lt;1&gt;"') == len(values)


def test_charts_read_on_a_phone(login, secretary, seeded):
    """Short axis labels (the table and tooltip keep the names), whole-number axes for counts,
    every group present with 0."""
    content = login(secretary).get(reverse("stats:dashboard_committee")).content.decode()

    groups = chart_data(content, "groups")
    assert groups["categories"] == [f"第{n}党小组" for n in "一二三四五六"]
    assert groups["labels"] == [f"第{n}小组" for n in "一二三四五六"]
    assert None not in groups["series"][0]["values"] and len(groups["series"][0]["values"]) == 6
    assert groups["integer"] is False  # a rate in percent
    assert [row[1] for row in table_rows(content, "groups")] == [f"{value}%" for value in groups["series"][0]["values"]]
    branches = chart_data(content, "branches")
    assert branches["labels"] == ["第一支部", "第二支部", "第三支部"]

    assert chart_data(content, "levels")["integer"] is True
    months = chart_data(content, "months")
    assert months["integer"] is True
    assert months["categories"][:2] == ["2024-09", "2024-10"] and months["labels"][:2] == ["9月", "10月"]
