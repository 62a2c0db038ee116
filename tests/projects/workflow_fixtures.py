"""Applications at each stage, written through the services as a group leader would."""

import datetime
from decimal import Decimal

from branches.models import Group
from members.models import Member, User
from projects import review_selectors, review_services, services
from projects.demo import seed_catalogue
from projects.models import Indicator, MicroProject, ProjectType


def complete_application(
    committee, group: Group, title: str = "红领巾助学行动", school_year: str = "2025-2026"
) -> services.ApplicationData:
    seed_catalogue(committee)
    return services.ApplicationData(
        title=title,
        school_year=school_year,
        project_type=ProjectType.objects.get(committee=committee, name="帮扶暖心"),
        background="部分学困生需要个别辅导。",
        goals="党员与学困生结对，每周辅导一次。",
        expected_achievements="一对一助学 40 人次。",
        participants=list(Member.objects.filter(group=group)),
        phases=[services.PhaseData("结对", datetime.date(2025, 9, 1), datetime.date(2025, 12, 31))],
        targets=[services.TargetData(Indicator.objects.get(committee=committee, name="一对一助学"), Decimal(40))],
    )


def draft_of(leader: User, title: str = "红领巾助学行动", school_year: str = "2025-2026") -> MicroProject:
    group = Group.objects.get(leader__user=leader)
    committee = group.branch.committee
    return services.project_create(
        actor=leader, group=group, data=complete_application(committee, group, title, school_year)
    )


def submitted_of(leader: User) -> MicroProject:
    return services.project_submit(actor=leader, project=draft_of(leader))


def full_scores(project: MicroProject, value: int = 15) -> dict[int, Decimal]:
    return {criterion.pk: Decimal(value) for criterion in review_selectors.active_criteria(project.committee_id)}


def in_review_of(leader: User, reviewer: User) -> MicroProject:
    project = submitted_of(leader)
    review_services.score_record(actor=reviewer, project=project, scores=full_scores(project), recommendation="approve")
    project.refresh_from_db()
    return project
