"""The small school year the statistics tests count by hand (2025-2026, built through the services):

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
import os
from decimal import Decimal

import pytest

from activities import achievement_services, activity_services, photo_services
from activities.enums import AchievementKind, AchievementLevel, AchievementRank
from activities.models import ActivityLog
from members.models import Member, User
from projects.models import MicroProject
from stats.models import StatSnapshot
from tests.activities import image_files as files
from tests.activities.conftest import in_progress_of, tutoring_data

YEAR = "2025-2026"

eager_only = pytest.mark.skipif(
    bool(os.environ.get("REDIS_URL")), reason="Celery runs in process only in the embedded run"
)


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


def snapshot_rows(committee_id: int) -> list[tuple]:
    return list(
        StatSnapshot.objects.filter(committee_id=committee_id)
        .order_by("school_year", "scope_kind", "scope_id", "month")
        .values_list("pk", "school_year", "scope_kind", "scope_id", "month", "figures", "computed_at")
    )


def levels(**counts: int) -> dict[str, int]:
    """Achievement counts by level as the figures write them (every level, 0 where none)."""
    return {level: counts.get(level, 0) for level in AchievementLevel.values}


def ranks(**counts: int) -> dict[str, int]:
    """Achievement counts by rank as the figures write them."""
    return {rank: counts.get(rank, 0) for rank in AchievementRank.values}
