"""The projects' sections of the home page (registered in ProjectsConfig.ready)."""

from typing import Any

from members.home import register_home_section
from members.models import User
from members.roles import roles_of

from . import review_selectors, selectors


def review_section(user: User) -> dict[str, Any]:
    """Applications waiting for the committee member's score."""
    return {"pending_reviews": review_selectors.my_pending_reviews(user) if roles_of(user).is_committee_member else []}


def project_section(user: User) -> dict[str, Any]:
    """Applications the group must act on, and those waiting for the secretary's decision."""
    return {
        "projects_for_group": selectors.projects_needing_group_action(user),
        "projects_for_decision": selectors.projects_awaiting_decision(user),
    }


register_home_section("projects.reviews", review_section)
register_home_section("projects.projects", project_section)
