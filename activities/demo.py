"""Demo activity logs, photos and achievements: the article's 2024-2025 school year at 大坪小学,
and the five years before it (`demo_history`), which end concluded.

Everything goes through the services as the people who would do it: group leaders file the
logs, teachers of the group (and now and then the leader) upload photos, teachers record
their own achievements and leaders those of their group, and the secretary verifies.
Activity logs are keyed by (project, date, title) and achievements by (committee, title), so
running it twice changes nothing. Photos are drawn by Pillow (`demo_photos`); their display
sizes are made by the usual task once the seed commits.
"""

import datetime
import functools
import zlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from branches.models import Committee
from members.enums import CommitteeRole
from members.models import Member, User
from projects import services as project_services
from projects.demo import ARTICLE_PROJECTS, PAST_YEARS, SCHOOL_YEAR, date_past_year_history, seed_past_year_projects
from projects.enums import ProjectStatus
from projects.models import Indicator, MicroProject

from . import achievement_services, activity_services, photo_services
from .demo_activities import ARTICLE_ACTIVITIES, DemoActivity
from .demo_history import PAST_ACHIEVEMENTS, past_activities
from .demo_photos import demo_photo
from .enums import AchievementKind, AchievementLevel, AchievementRank
from .models import Achievement, ActivityLog

K, L, R = AchievementKind, AchievementLevel, AchievementRank
D = datetime.date


@dataclass(frozen=True)
class DemoAchievement:
    recorder: str  # who records it: the person themself, their group leader, or a committee member
    kind: str
    title: str
    level: str
    awarded_on: datetime.date
    issuing_body: str
    credited: str = ""  # names separated by spaces
    rank: str = AchievementRank.NONE
    pupils: str = ""
    word_count: int | None = None
    project_group: str = ""  # group of the article project it belongs to
    committee_honour: bool = False
    verified: bool = True


# fmt: off
ARTICLE_ACHIEVEMENTS = [
    DemoAchievement("张月", K.PUBLICATION, "党建评论《让“抗疫逆行精神”成为新时代的“精神谱系”》", L.NATIONAL,
                    D(2024, 12, 30), "人民网", "张月", project_group="第三党小组"),
    DemoAchievement("张玺", K.PUBLICATION, "《梦回十八梯》", L.NATIONAL, D(2025, 5, 6), "“学习强国”学习平台", "张玺",
                    project_group="第三党小组"),
    DemoAchievement("张敏", K.AWARD, "渝中区语文学科优质课竞赛一等奖", L.DISTRICT, D(2024, 12, 20),
                    "重庆市渝中区教育委员会", "刘琼蔚", R.FIRST, project_group="第三党小组"),
    DemoAchievement("张敏", K.AWARD, "渝中区班主任基本功竞赛一等奖", L.DISTRICT, D(2025, 4, 8),
                    "重庆市渝中区教育委员会", "曾昕", R.FIRST, project_group="第三党小组"),
    DemoAchievement("尹雪", K.OPEN_LESSON, "“一师一优课、一课一名师”部级优课（英语）", L.PROVINCIAL, D(2025, 3, 28),
                    "教育部", "尹雪", project_group="第三党小组"),
    DemoAchievement("郑殷青立", K.OPEN_LESSON, "“一师一优课、一课一名师”部级优课（数学）", L.PROVINCIAL,
                    D(2025, 3, 28), "教育部", "唐春", project_group="第三党小组", verified=False),
    DemoAchievement("郑殷青立", K.HONOUR, "重庆市骨干教师", L.CITY, D(2024, 12, 10), "重庆市教育委员会", "郑殷青立"),
    DemoAchievement("郑殷青立", K.HONOUR, "渝中区最美教师", L.DISTRICT, D(2024, 9, 10), "重庆市渝中区教育委员会",
                    "郑殷青立"),
    DemoAchievement("许若黎", K.RESEARCH_TOPIC,
                    "重庆市教育科学规划重点课题《基于核心素养的小学低段英语绘本阅读教学的行动研究》", L.CITY,
                    D(2024, 11, 28), "重庆市教育科学规划领导小组办公室", "刘燕怡 喻书丹", project_group="第五党小组"),
    DemoAchievement("熊绪杨", K.PUPILS_WORK, "《追逐流星》", L.SCHOOL, D(2025, 4, 20), "大坪小学", "熊绪杨",
                    pupils="范乃菡", word_count=40000, project_group="第五党小组"),
    DemoAchievement("熊绪杨", K.PUPILS_WORK, "小说合集《天之国：云朵上的学校》《矢愿面包屋》", L.SCHOOL, D(2025, 5, 10),
                    "大坪小学", "熊绪杨", pupils="彭熙雅", word_count=70000, project_group="第五党小组"),
    DemoAchievement("熊绪杨", K.PUPILS_WORK, "《时光隧道》", L.SCHOOL, D(2025, 6, 1), "大坪小学", "熊绪杨",
                    pupils="范璋嫒", word_count=50000, project_group="第五党小组", verified=False),
    DemoAchievement("冉菁", K.AWARD, "指导城口县美术教师获重庆市美术现场赛课一等奖", L.CITY, D(2025, 5, 16),
                    "重庆市教育科学研究院", "冉菁", R.FIRST, project_group="第一党小组"),
    DemoAchievement("徐帆", K.OPEN_LESSON, "《自创室内体育活动》系列视频", L.SCHOOL, D(2025, 6, 6), "大坪小学", "徐帆",
                    project_group="第五党小组", verified=False),
    DemoAchievement("陈立新", K.HONOUR, "渝中区先进基层党组织", L.DISTRICT, D(2024, 6, 28), "中共重庆市渝中区委员会",
                    committee_honour=True),
    DemoAchievement("陈立新", K.HONOUR, "2021年重庆市教育系统先进基层党组织", L.CITY, D(2021, 6, 30),
                    "中共重庆市委教育工作委员会", committee_honour=True),
    DemoAchievement("陈立新", K.HONOUR, "渝中区教育系统建党100周年先进基层党组织", L.DISTRICT, D(2021, 6, 30),
                    "中共重庆市渝中区委教育工作委员会", committee_honour=True),
]
# fmt: on


def _article_projects(committee: Committee, school_year: str = SCHOOL_YEAR) -> dict[str, MicroProject]:
    """The article's three projects of a school year, by group name."""
    titles = {group_name: title for group_name, _type, title, *_rest in ARTICLE_PROJECTS}
    projects = MicroProject.objects.filter(
        committee=committee, school_year=school_year, group__name__in=titles
    ).select_related("group__leader__user")
    return {project.group.name: project for project in projects if project.title == titles[project.group.name]}


# Distinct pictures drawn per run; activities share them, which keeps seeding fast.
PICTURES = 24


@functools.cache
def _picture(number: int) -> bytes:
    return demo_photo(number)


def _photo_files(activity: DemoActivity, count: int) -> list[SimpleUploadedFile]:
    # Chosen by the title, so an activity always gets the same pictures.
    seed = zlib.crc32(activity.title.encode())
    return [
        SimpleUploadedFile(
            f"IMG_{activity.date:%Y%m%d}_{index + 1}.jpg", _picture((seed + index) % PICTURES), "image/jpeg"
        )
        for index in range(count)
    ]


def _seed_project_activities(
    project: MicroProject,
    activities: list[DemoActivity],
    photographer: User,
    members: dict[str, Member],
    indicators: dict[str, Indicator],
) -> None:
    leader = project.group.leader.user
    existing = set(ActivityLog.objects.filter(project=project).values_list("date", "title"))
    for index, item in enumerate(activities):
        if (item.date, item.title) in existing:
            continue
        activity = activity_services.activity_log_create(
            actor=leader,
            project=project,
            data=activity_services.ActivityData(
                date=item.date,
                activity_type=item.activity_type,
                title=item.title,
                place=item.place,
                participants=[members[name] for name in item.participants.split()],
                beneficiaries_count=item.beneficiaries_count,
                beneficiaries=item.beneficiaries,
                duration_hours=Decimal(item.hours),
                narrative=item.narrative,
                indicator_values=[
                    activity_services.IndicatorValueData(indicators[name], Decimal(value))
                    for name, value in item.values.items()
                ],
            ),
        )
        if item.photos:
            # Mostly the group's teacher takes the pictures; now and then the leader does.
            uploader = leader if index % 4 == 3 else photographer
            result = photo_services.photo_upload(
                actor=uploader, activity=activity, files=_photo_files(item, item.photos), caption=item.title
            )
            if result.refused:  # our own pictures: a refusal means the photo checks changed
                raise RuntimeError(f"Demo photos refused: {result.refused}")


def _seed_achievements(
    committee: Committee,
    projects: dict[str, MicroProject],
    members: dict[str, Member],
    secretary: User,
    achievements: list[DemoAchievement],
) -> None:
    existing = set(Achievement.objects.filter(committee=committee).values_list("title", flat=True))
    for item in achievements:
        if item.title in existing:
            continue
        achievement = achievement_services.achievement_record(
            actor=members[item.recorder].user,
            data=achievement_services.AchievementData(
                kind=item.kind,
                title=item.title,
                level=item.level,
                awarded_on=item.awarded_on,
                rank=item.rank,
                issuing_body=item.issuing_body,
                members=[members[name] for name in item.credited.split()],
                pupils=item.pupils,
                word_count=item.word_count,
                project=projects.get(item.project_group),
                is_committee_honour=item.committee_honour,
            ),
        )
        if item.verified:
            achievement_services.achievement_verify(actor=secretary, achievement=achievement)


@transaction.atomic
def seed_activities(committee: Committee) -> None:
    """Activity logs with photos on the article's three projects, and the article's achievements.

    Needs `projects.demo.seed_projects(committee)` first. Existing logs and achievements are kept.
    """
    members = {
        member.name: member
        for member in Member.objects.filter(committee=committee, is_active=True).select_related("user")
    }
    indicators = {indicator.name: indicator for indicator in Indicator.objects.filter(committee=committee)}
    projects = _article_projects(committee)
    for group_name, photographer_name, activities in ARTICLE_ACTIVITIES:
        _seed_project_activities(projects[group_name], activities, members[photographer_name].user, members, indicators)
    secretary = User.objects.get(member__committee=committee, member__committee_role=CommitteeRole.SECRETARY)
    _seed_achievements(committee, projects, members, secretary, ARTICLE_ACHIEVEMENTS)
    for year, share in PAST_YEARS.items():
        _seed_past_year(committee, year, share, members, indicators, secretary)


def _seed_past_year(
    committee: Committee,
    year: str,
    share: float,
    members: dict[str, Member],
    indicators: dict[str, Indicator],
    secretary: User,
) -> None:
    """An earlier year's three projects with their activities and achievements, then concluded."""
    seed_past_year_projects(committee, year, share)
    projects = _article_projects(committee, year)
    for group_name, photographer_name, activities in ARTICLE_ACTIVITIES:
        project = projects[group_name]
        if project.status == ProjectStatus.IN_PROGRESS:
            items = past_activities(activities, SCHOOL_YEAR, year, share)
            _seed_project_activities(project, items, members[photographer_name].user, members, indicators)
    achievements = [
        DemoAchievement(recorder, kind, title, level, day, body, credited, rank, pupils, words, project_group=group)
        for (achieved_in, recorder, kind, title, level, day, body, credited, rank, group, pupils, words) in (
            PAST_ACHIEVEMENTS
        )
        if achieved_in == year and projects[group].status == ProjectStatus.IN_PROGRESS
    ]
    _seed_achievements(committee, projects, members, secretary, achievements)
    for project in projects.values():
        if project.status == ProjectStatus.IN_PROGRESS:
            _date_entries(project)
            project_services.project_conclude(actor=secretary, project=project, comment="项目按计划完成，同意结项。")
            date_past_year_history(project)


def _date_entries(project: MicroProject) -> None:
    """An earlier year's activities were entered a few days after they happened (one in nine a
    month late), not on the day the demo was seeded: the on-time rates of that year read it."""
    for pk, day, title in ActivityLog.objects.filter(project=project).values_list("pk", "date", "title"):
        spread = zlib.crc32(f"{day}{title}".encode())
        delay = 38 if spread % 9 == 0 else 1 + spread % 4
        moment = datetime.datetime.combine(day + datetime.timedelta(days=delay), datetime.time(20, 30))
        # created_at only: a field the statistics do not watch (tests/stats/test_freshness.py).
        ActivityLog.objects.filter(pk=pk).update(created_at=timezone.make_aware(moment))


def seed_demo_step(committees: list[Committee]) -> None:
    """The activities' part of the demo: 大坪小学's activity logs, photos and achievements."""
    seed_activities(committees[0])
