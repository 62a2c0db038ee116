"""The demo year: the article's figures, achievements and photos, seeded through the services."""

import datetime
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count, Sum

from activities import demo
from activities.achievement_selectors import verified_achievement_counts
from activities.activity_selectors import project_progress
from activities.enums import AchievementKind, AchievementStatus
from activities.models import Achievement, ActivityLog, ActivityRevision, IndicatorValue, Photo
from branches.models import Committee
from members.models import User
from projects.demo import seed_projects
from projects.models import MicroProject
from stats.on_time import on_time_rates
from tests.activities.conftest import stored_files
from yearend.summary_narrative import status_sentence
from yearend.summary_selectors import year_end_statuses

# The article's figures (DOMAIN.md): at least these, and exactly 65 人次 社区志愿服务.
HELP_AND_CARE_AT_LEAST = {
    "微讲座/示范课": 60,
    "一对一助学": 80,
    "蹲点结对帮扶": 70,
    "社区志愿服务": 65,
    "一线服务": 20,
    "捐赠图书": 2000,
    "送教下乡": 2,
}


def _counts() -> dict[str, int]:
    return {
        "activities": ActivityLog.objects.count(),
        "indicator values": IndicatorValue.objects.count(),
        "revisions": ActivityRevision.objects.count(),
        "photos": Photo.objects.count(),
        "achievements": Achievement.objects.count(),
        "verified": Achievement.objects.filter(status=AchievementStatus.VERIFIED).count(),
    }


def _sums(project: MicroProject) -> dict[str, Decimal]:
    rows = (
        IndicatorValue.objects.filter(activity__project=project, activity__is_archived=False)
        .values("indicator__name")
        .annotate(total=Sum("value"))
        .order_by()
    )
    return {row["indicator__name"]: row["total"] for row in rows}


def _project(committee: Committee, group_name: str) -> MicroProject:
    return MicroProject.objects.get(committee=committee, group__name=group_name, school_year="2024-2025")


@pytest.fixture
def seeded(daping) -> Committee:
    seed_projects(daping)
    demo.seed_activities(daping)
    return daping


@pytest.mark.django_db
@pytest.mark.slow
def test_running_seed_demo_twice_changes_nothing(settings, media_root):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    first, files = _counts(), stored_files(media_root)
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == first
    assert stored_files(media_root) == files
    # The article's year (71 logs) and the five before it, each a little smaller.
    assert 250 <= first["activities"] <= 400
    assert first["revisions"] == 0
    assert first["photos"] == len(files)


def test_activity_logs_add_up_to_the_article_over_the_school_year(seeded):
    help_and_care = _sums(_project(seeded, "第一党小组"))
    assert {name: help_and_care[name] >= figure for name, figure in HELP_AND_CARE_AT_LEAST.items()} == dict.fromkeys(
        HELP_AND_CARE_AT_LEAST, True
    )
    assert help_and_care["社区志愿服务"] == 65
    learning = _sums(_project(seeded, "第三党小组"))
    assert (learning["微党课"], learning["专题学习"], learning["发表文章"], learning["竞赛获奖"]) == (6, 12, 2, 4)
    joint = _sums(_project(seeded, "第五党小组"))
    # 范乃菡 40000 + 彭熙雅 70000 + 范璋嫒 50000 characters.
    assert (joint["家长学校讲座"], joint["心理健康培训"], joint["课题立项"], joint["学生习作"]) == (8, 6, 1, 160000)
    for group_name in ("第一党小组", "第三党小组", "第五党小组"):
        progress = project_progress(_project(seeded, group_name))
        assert progress and all(item.percent >= 100 for item in progress), group_name

    logs = ActivityLog.objects.filter(project__committee=seeded, project__school_year="2024-2025").select_related(
        "project__group__leader"
    )
    assert all(datetime.date(2024, 9, 1) <= log.date <= datetime.date(2025, 6, 30) for log in logs)
    assert all(log.created_by_id == log.project.group.leader.user_id for log in logs)
    assert len({(log.date.year, log.date.month) for log in logs}) >= 9  # for the trend charts
    assert not logs.filter(participants__isnull=True).exists()


def test_verified_achievements_by_level_are_the_article_ones(seeded):
    # The article's, and those of the five years before it (demo_history.PAST_ACHIEVEMENTS).
    assert verified_achievement_counts(seeded) == {
        "school": 2 + 3,  # 《追逐流星》, 彭熙雅's collection; two pupils' collections and 徐帆's 微课 before
        "district": 5 + 7,  # 刘琼蔚, 曾昕, 渝中区最美教师, two committee honours; seven in the years before
        "city": 4,  # 重庆市骨干教师, the research topic, the 城口 一等奖, 2021 city honour
        "provincial": 1,  # 尹雪's 部级优课
        "national": 2,  # 人民网, 学习强国
    }
    secretary = User.objects.get(username="secretary")
    verified = Achievement.objects.filter(committee=seeded, status=AchievementStatus.VERIFIED)
    assert set(verified.values_list("verified_by", flat=True)) == {secretary.pk}
    pending = Achievement.objects.filter(committee=seeded, status=AchievementStatus.PENDING)
    assert sorted(pending.values_list("title", flat=True)) == sorted(
        ["“一师一优课、一课一名师”部级优课（数学）", "《时光隧道》", "《自创室内体育活动》系列视频"]
    )
    honours = Achievement.objects.filter(committee=seeded, is_committee_honour=True)
    assert honours.count() == 3 and not honours.filter(members__isnull=False).exists()
    pupils_works = Achievement.objects.filter(
        committee=seeded, kind=AchievementKind.PUPILS_WORK, project__school_year="2024-2025"
    )
    assert pupils_works.aggregate(words=Sum("word_count"))["words"] == 160000
    assert set(pupils_works.values_list("members__name", flat=True)) == {"熊绪杨"}
    assert Achievement.objects.get(title="渝中区语文学科优质课竞赛一等奖").recorded_by.username == "leader3"


@pytest.mark.skipif(bool(settings.REDIS_URL), reason="with REDIS_URL the display sizes are made by a worker")
def test_most_activities_have_photos_by_the_group_with_display_sizes(
    daping, media_root, django_capture_on_commit_callbacks
):
    seed_projects(daping)
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed_activities(daping)
    per_activity = (
        ActivityLog.objects.filter(project__school_year="2024-2025")
        .annotate(photos_count=Count("photos"))
        .values_list("photos_count", flat=True)
    )
    assert 0 in per_activity and max(per_activity) == 3
    assert sum(1 for count in per_activity if count) / len(per_activity) >= 0.8
    photos = Photo.objects.select_related("activity__project__group", "uploaded_by__member")
    assert all(photo.uploaded_by.member.group_id == photo.activity.project.group_id for photo in photos)
    assert all((photo.width, photo.height) == (1200, 800) for photo in photos)
    assert all(photo.has_display_sizes for photo in photos)
    for photo in photos:
        assert (media_root / photo.display_small.name).is_file()
        assert (media_root / photo.display_large.name).is_file()


def test_the_five_years_before_the_article_grow_into_it_and_are_concluded(seeded):
    """实施五年来: the same three projects every year since 2019-2020, each year a little bigger."""
    by_year = {}
    for year in ("2019-2020", "2020-2021", "2021-2022", "2022-2023", "2023-2024", "2024-2025"):
        projects = MicroProject.objects.filter(
            committee=seeded, school_year=year, group__name__in=["第一党小组", "第三党小组", "第五党小组"]
        )
        assert projects.count() == 3, year
        logs = ActivityLog.objects.filter(project__in=projects)
        start = datetime.date(int(year[:4]), 9, 1)
        assert all(start <= log.date < start.replace(year=start.year + 1) for log in logs), year
        by_year[year] = logs.count()
        if year != "2024-2025":
            assert set(projects.values_list("status", flat=True)) == {"concluded"}, year
    counts = list(by_year.values())
    assert counts == sorted(counts) and counts[0] < counts[-1]
    # The 2021 city honour belongs to its own school year, as the statistics count it.
    honour = Achievement.objects.get(committee=seeded, title="2021年重庆市教育系统先进基层党组织")
    assert honour.project is None and honour.awarded_on == datetime.date(2021, 6, 30)


def test_an_earlier_years_project_was_concluded_in_its_own_year(seeded):
    """The year's summary reads its projects' 结项 as of the year's end: the demo's earlier years
    must say 已于…结项, not 仍在实施 (their 结项 seeded today)."""
    for year in ("2019-2020", "2023-2024"):
        projects = MicroProject.objects.filter(committee=seeded, school_year=year, status="concluded")
        statuses = year_end_statuses([project.pk for project in projects], year)
        end_year = int(year[5:])
        assert {status.concluded_on for status in statuses.values()} == {datetime.date(end_year, 7, 10)}, year
        sentence = status_sentence(next(iter(statuses.values())), datetime.date(end_year, 8, 31))
        assert sentence == f"项目已于{end_year}年7月10日结项。"
        for project in projects:
            events = list(project.events.values_list("action", "created_at"))
            assert all(moment.year in (end_year - 1, end_year) for _, moment in events), events
            assert [action for action, _ in events][-1] == "concluded"
            assert project.decided_at.date() == datetime.date(end_year - 1, 9, 25)


def test_an_earlier_years_activities_were_mostly_entered_on_time(seeded):
    """Entered a few days after each activity (one in nine a month late), as the on-time rates read them."""
    rates = on_time_rates(seeded, "2023-2024")
    assert rates.committee is not None and rates.committee.due >= 3 * 10  # three projects, Sep to Jul
    assert 50 < rates.committee.percent < 100
