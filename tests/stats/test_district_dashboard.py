"""The district comparison (各校对比): a district officer sees each school's snapshot figures, no records.

The district is the demo's: 渝中区教育系统 over 大坪小学 and 红岩小学, overseen by the `district`
login, which has no member profile.
"""

import html
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.demo import seed_activities
from branches import services as branch_services
from branches.demo import seed_district
from members.demo import DEMO_PASSWORD
from projects.demo import SCHOOL_YEAR, seed_projects
from projects.enums import PUBLIC_STATUSES
from projects.models import MicroProject
from stats import services as stats_services
from stats.enums import StatScope
from stats.models import StatSnapshot

URL = reverse("stats:dashboard_district")
MEASURES = [
    ("projects", "个"),
    ("activities", "次"),
    ("person_times", "人次"),
    ("participation_rate", "%"),
    ("hours", "小时"),
    ("photos", "张"),
    ("evidence_coverage", "%"),
    ("achievements_verified", "项"),
]


@pytest.fixture
def officer(daping, hongyan):
    return seed_district([daping, hongyan], password=DEMO_PASSWORD).overseers.get()


@pytest.fixture
def seeded(daping, hongyan):
    seed_projects(daping)
    seed_activities(daping)
    for committee in (daping, hongyan):
        stats_services.stats_recompute(committee_id=committee.pk, school_year=SCHOOL_YEAR)
    return daping


def _schools(page: str) -> dict[str, list[str]]:
    """Each row of the schools table: the school's name and its cells as shown."""
    rows = re.findall(r'<tr data-testid="row-schools">(.*?)</tr>', page, re.S)
    found = {}
    for row in rows:
        name = re.search(r'data-testid="school-name">(.*?)</th>', row, re.S).group(1)
        found[html.unescape(name.strip())] = [
            html.unescape(cell.strip()) for cell in re.findall(r'data-testid="cell">(.*?)</td>', row, re.S)
        ]
    return found


def _shown(value, unit: str) -> str:
    return "—" if value is None else f"{value}{unit}"


def _other_committee(slug: str, school_name: str, *, with_snapshot: bool):
    committee = branch_services.committee_ensure(slug=slug, school_name=school_name, name=f"中共{school_name}委员会")
    if with_snapshot:
        StatSnapshot.objects.create(
            committee=committee,
            scope_kind=StatScope.COMMITTEE,
            scope_id=committee.pk,
            school_year=SCHOOL_YEAR,
            figures={"activities": 3, "photos": 4},
            computed_at=timezone.now(),
        )
    return committee


@pytest.mark.django_db
def test_figures_are_the_committee_snapshots_of_both_schools(seeded, hongyan, officer, login):
    page = login(officer).get(URL, {"year": SCHOOL_YEAR}).content.decode()

    schools = _schools(page)
    assert set(schools) == {seeded.school_name, hongyan.school_name}
    for committee in (seeded, hongyan):
        snapshot = StatSnapshot.objects.get(
            committee=committee, scope_kind=StatScope.COMMITTEE, month__isnull=True, school_year=SCHOOL_YEAR
        )
        projects = MicroProject.objects.filter(
            committee=committee, school_year=SCHOOL_YEAR, status__in=PUBLIC_STATUSES
        ).count()
        expected = [_shown(projects, "个")] + [_shown(snapshot.figures[key], unit) for key, unit in MEASURES[1:]]
        assert schools[committee.school_name] == expected
    # 大坪小学's three projects with their activities really are there.
    assert schools[seeded.school_name][0] == "3个"
    assert schools[seeded.school_name][1] != "0次"
    # No school page or record is linked: overseers see figures only.
    assert "/projects/dashboard/committee/" not in page
    assert 'href="/projects/' not in page.split('data-testid="table-schools"')[1].split("</tbody>")[0]


@pytest.mark.django_db
def test_chart_compares_the_chosen_figure_and_sort_orders_the_table(seeded, hongyan, officer, login):
    page = login(officer).get(URL, {"year": SCHOOL_YEAR, "figure": "photos", "sort": "photos"}).content.decode()

    spec = re.search(r'<script id="chart-data-district" type="application/json">(.*?)</script>', page, re.S)
    assert spec is not None
    daping_photos = StatSnapshot.objects.get(
        committee=seeded, scope_kind=StatScope.COMMITTEE, month__isnull=True, school_year=SCHOOL_YEAR
    ).figures["photos"]
    assert f"[{daping_photos}, 0]" in spec.group(1)
    assert list(_schools(page)) == [seeded.school_name, hongyan.school_name]
    # The axis names the schools as people say them (both would read 重庆市… cut short); counts step by 1.
    chart = json.loads(spec.group(1))
    assert chart["categories"] == ["重庆市渝中区大坪小学校", "重庆市渝中区红岩小学校"]
    assert chart["labels"] == ["大坪小学", "红岩小学"] and chart["integer"] is True
    rate = login(officer).get(URL, {"year": SCHOOL_YEAR, "figure": "participation_rate"}).content.decode()
    assert '"integer": false' in rate


@pytest.mark.django_db
def test_a_school_without_a_snapshot_shows_dashes(daping, hongyan, officer, login):
    page = login(officer).get(URL).content.decode()

    schools = _schools(page)
    assert schools[daping.school_name] == ["—"] * len(MEASURES)
    assert schools[hongyan.school_name] == ["—"] * len(MEASURES)


@pytest.mark.django_db
def test_only_the_committees_of_the_officers_district_are_shown(seeded, officer, login):
    outsider = _other_committee("shangqing", "重庆市渝中区上清寺小学校", with_snapshot=True)

    page = login(officer).get(URL, {"year": SCHOOL_YEAR}).content.decode()

    assert outsider.school_name not in page
    assert len(_schools(page)) == 2


@pytest.mark.django_db
def test_school_secretaries_and_members_are_refused(secretary, other_school_user, teacher, login):
    for user in (secretary, other_school_user, teacher):
        assert login(user).get(URL).status_code == 403


@pytest.mark.django_db
def test_queries_are_pinned_whatever_the_number_of_schools(seeded, hongyan, officer, login, django_assert_num_queries):
    client = login(officer)
    with django_assert_num_queries(9):
        assert client.get(URL, {"year": SCHOOL_YEAR}).status_code == 200

    district = officer.overseen_districts.get()
    district.committees.add(
        _other_committee("shangqing", "重庆市渝中区上清寺小学校", with_snapshot=True),
        _other_committee("jiefang", "重庆市渝中区解放小学校", with_snapshot=False),
    )
    with django_assert_num_queries(9):
        page = client.get(URL, {"year": SCHOOL_YEAR}).content.decode()
    schools = _schools(page)
    assert len(schools) == 4
    assert schools["重庆市渝中区上清寺小学校"][1] == "3次"
    assert schools["重庆市渝中区解放小学校"] == ["—"] * len(MEASURES)


@pytest.mark.django_db
def test_the_officers_home_page_links_to_the_comparison(officer, login):
    client = login(officer)
    response = client.get(reverse("home"))

    assert response.status_code == 200
    page = response.content.decode()
    assert f'href="{URL}"' in page
    assert 'data-testid="home-district"' in page
    assert client.get(reverse("stats:dashboard")).url == URL
    # The user menu names the office, not its login.
    assert re.search(r'data-bs-toggle="dropdown" aria-expanded="false">\s*渝中区教委党工委\s*</a>', page)


@pytest.mark.django_db
def test_seeding_the_district_twice_changes_nothing(daping, hongyan, officer):
    again = seed_district([daping, hongyan], password=DEMO_PASSWORD)

    assert again.overseers.get() == officer
    assert set(again.committees.all()) == {daping, hongyan}
    assert not hasattr(officer, "member") or officer.member is None


@pytest.mark.django_db
def test_a_member_who_oversees_a_district_gets_the_comparison(daping, hongyan, secretary, login):
    district = seed_district([daping, hongyan], password=DEMO_PASSWORD)
    district.overseers.add(secretary)

    client = login(secretary)
    page = client.get(URL).content.decode()

    assert 'data-testid="nav-district"' in page
    assert set(_schools(page)) == {daping.school_name, hongyan.school_name}
    # Their own committee's dashboard stays their home dashboard.
    assert client.get(reverse("stats:dashboard")).url == reverse("stats:dashboard_committee")


@pytest.mark.django_db
@pytest.mark.parametrize("use_thousand_separator", [False, True])
def test_district_rows_write_what_the_template_engine_would(seeded, officer, settings, use_thousand_separator):
    from dataclasses import replace

    from django.template import Context, Template

    from stats.district_selectors import district_comparison

    settings.USE_THOUSAND_SEPARATOR = use_thousand_separator
    officer.overseen_districts.get().committees.add(
        _other_committee("shangqing", "上清寺小学", with_snapshot=True),  # some figures missing
        _other_committee("jiefang", "<解放>小学", with_snapshot=False),
    )
    comparison = district_comparison(officer, SCHOOL_YEAR)
    assert len(comparison.schools) == 4
    # The loop the tag replaced, as dashboard_district.html wrote it.
    loop = Template(
        "{% load i18n %}{% for school in comparison.schools %}\n"
        '        <tr data-testid="row-schools">\n'
        '          <th scope="row" class="fw-normal" data-testid="school-name">{{ school.name }}</th>\n'
        '          {% for cell in school.cells %}<td class="num" data-testid="cell">{% if cell.value is None %}—'
        "{% else %}{{ cell.value }}{{ cell.unit }}{% endif %}</td>{% endfor %}\n"
        '          <td class="text-nowrap small text-secondary">{% if school.computed_at %}'
        '{{ school.computed_at|date:"Y-m-d H:i" }}{% else %}—{% endif %}</td>\n'
        "        </tr>\n      {% empty %}\n"
        '        <tr><td colspan="{{ comparison.measures|length|add:2 }}" class="text-secondary">'
        '{% translate "暂无数据" %}</td></tr>\n      {% endfor %}'
    )
    tag = Template("{% load dashboard_tags %}{% district_rows comparison %}")
    with timezone.override("America/New_York"):
        for shown in (comparison, replace(comparison, schools=[])):
            assert tag.render(Context({"comparison": shown})) == loop.render(Context({"comparison": shown}))
        assert "&lt;解放&gt;小学" in tag.render(Context({"comparison": comparison}))
