"""Fixtures of the year's-end tests."""

import datetime
from decimal import Decimal

import pytest

from activities import achievement_services, activity_services, photo_services
from activities.enums import AchievementKind, AchievementLevel, AchievementRank, ActivityType
from activities.tasks import make_photo_display_sizes
from members.models import Member
from projects.demo import seed_projects
from projects.models import Indicator, MicroProject
from tests.activities.image_files import jpeg_bytes, upload
from tests.yearend.report_year import ACHIEVEMENT, HELPING


@pytest.fixture
def school_year(daping, leader_a, teacher, secretary, django_capture_on_commit_callbacks):
    """The article's three projects, one tutoring activity with a photo, a verified city award."""
    seed_projects(daping)
    project = MicroProject.objects.get(committee=daping, title=HELPING)
    tutoring = Indicator.objects.get(committee=daping, name="一对一助学")
    activity = activity_services.activity_log_create(
        actor=leader_a,
        project=project,
        data=activity_services.ActivityData(
            date=datetime.date(2024, 10, 16),
            activity_type=ActivityType.ONE_TO_ONE_TUTORING,
            title="周三放学后一对一辅导",
            place="三年级教室",
            participants=list(Member.objects.filter(group_id=project.group_id)[:3]),
            beneficiaries_count=12,
            beneficiaries="学困生",
            duration_hours=Decimal("1.5"),
            narrative="=1+1 党员教师与学困生结对，逐题讲解错题。",
            indicator_values=[activity_services.IndicatorValueData(tutoring, Decimal(12))],
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = photo_services.photo_upload(
            actor=teacher, activity=activity, files=[upload("辅导.jpg", jpeg_bytes((1200, 900)))], caption="结对辅导"
        )
    # Made in process already in the embedded run; with REDIS_URL the task only went to the broker.
    make_photo_display_sizes.apply(args=[uploaded.saved[0].pk])
    with django_capture_on_commit_callbacks(execute=True):  # committed, so the statistics hear of it
        achievement = achievement_services.achievement_record(
            actor=leader_a,
            data=achievement_services.AchievementData(
                kind=AchievementKind.AWARD,
                title=ACHIEVEMENT,
                level=AchievementLevel.CITY,
                rank=AchievementRank.FIRST,
                awarded_on=datetime.date(2025, 5, 16),
                issuing_body="重庆市教育科学研究院",
                members=[teacher.member],
                project=project,
            ),
        )
        achievement_services.achievement_verify(actor=secretary, achievement=achievement)
    return project
