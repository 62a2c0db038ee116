"""The activities' sections of the home page (registered in ActivitiesConfig.ready)."""

from typing import Any

from members.home import register_home_section
from members.models import User
from members.roles import roles_of

from .achievement_selectors import pending_achievement_count
from .activity_selectors import projects_at_work
from .delegation_selectors import delegated_projects


def achievement_section(user: User) -> dict[str, Any]:
    """How many achievements wait for the committee's verification."""
    return {"pending_achievements": pending_achievement_count(user) if roles_of(user).is_committee_member else 0}


def delegation_section(user: User) -> dict[str, Any]:
    """Projects whose activities the user may log for their group's leader."""
    return {"projects_delegated": list(delegated_projects(user)) if roles_of(user).group_id else []}


def work_section(user: User) -> dict[str, Any]:
    """The open projects the user logs activities or uploads photos for: the home page's first buttons."""
    roles = roles_of(user)
    return {"projects_at_work": projects_at_work(user) if roles.group_id or roles.led_group_ids else []}


register_home_section("activities.work", work_section)
register_home_section("activities.achievements", achievement_section)
register_home_section("activities.delegation", delegation_section)
