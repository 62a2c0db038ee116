"""The review side's fixtures: the daping rubric and applications written through the services."""

import pytest

from branches.models import Group
from members.models import User
from projects import review_selectors, services
from projects.demo import seed_catalogue
from projects.models import MicroProject, RubricCriterion
from tests.projects.workflow_fixtures import complete_application


@pytest.fixture
def rubric(daping) -> list[RubricCriterion]:
    """大坪小学's rubric: 目标明确/方案可行/党建引领/预期成效/特色创新, max 20, weights 1, 1, 1.5, 1, 0.5."""
    seed_catalogue(daping)
    return review_selectors.active_criteria(daping.pk)


def submit_application(leader: User, title: str = "红领巾助学行动") -> MicroProject:
    """A complete application of the leader's group, submitted (participants: the whole group)."""
    group = Group.objects.get(leader__user=leader)
    project = services.project_create(
        actor=leader, group=group, data=complete_application(group.branch.committee, group, title)
    )
    return services.project_submit(actor=leader, project=project)


@pytest.fixture
def leader_4(demo_schools) -> User:
    """Leader of 第四党小组, the group committee1 (陈立新) belongs to."""
    return User.objects.get(username="leader4")


@pytest.fixture
def application_a(rubric, leader_a) -> MicroProject:
    """第一党小组's submitted application: no committee member has a conflict with it."""
    return submit_application(leader_a)
