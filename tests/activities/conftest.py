"""Projects at each stage with activity logs, and a throwaway MEDIA_ROOT for every test here."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from activities import activity_services
from activities.enums import ActivityType
from activities.models import ActivityLog
from members.models import Member, User
from projects import review_services
from projects import services as project_services
from projects.models import Indicator, MicroProject
from tests.projects.workflow_fixtures import draft_of, in_review_of, submitted_of


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def approved_of(leader: User) -> MicroProject:
    reviewer = User.objects.get(username="committee1")
    secretary = User.objects.get(username="secretary")
    project = in_review_of(leader, reviewer)
    return review_services.project_decide(
        actor=secretary, project=project, decision="approve", comment="同意立项。", confirm_below_quorum=True
    )


def in_progress_of(leader: User) -> MicroProject:
    return project_services.project_start(actor=leader, project=approved_of(leader))


def concluded_of(leader: User) -> MicroProject:
    secretary = User.objects.get(username="secretary")
    return project_services.project_conclude(actor=secretary, project=in_progress_of(leader), comment="按期完成。")


PROJECT_AT = {
    "draft": draft_of,
    "submitted": submitted_of,
    "approved": approved_of,
    "in_progress": in_progress_of,
    "concluded": concluded_of,
}


def tutoring_data(project: MicroProject, value: Decimal = Decimal(12), **changes) -> activity_services.ActivityData:
    """一对一助学 for 学困生, with the 一对一助学 indicator the project targets."""
    indicator = Indicator.objects.get(committee_id=project.committee_id, name="一对一助学")
    fields = {
        "date": datetime.date(2025, 10, 15),
        "activity_type": ActivityType.ONE_TO_ONE_TUTORING,
        "title": "周三放学后一对一辅导",
        "place": "三年级教室",
        "participants": list(Member.objects.filter(group_id=project.group_id)[:3]),
        "beneficiaries_count": 12,
        "beneficiaries": "学困生",
        "duration_hours": Decimal("1.5"),
        "narrative": "党员教师与学困生结对，逐题讲解错题。",
        "indicator_values": [activity_services.IndicatorValueData(indicator, value)],
    }
    fields.update(changes)
    return activity_services.ActivityData(**fields)


@pytest.fixture
def open_project(leader_a) -> MicroProject:
    """第一党小组's project, approved and in progress."""
    return in_progress_of(leader_a)


@pytest.fixture
def activity(open_project, leader_a) -> ActivityLog:
    return activity_services.activity_log_create(actor=leader_a, project=open_project, data=tutoring_data(open_project))
