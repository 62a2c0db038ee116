"""The year's end sections of the home page (registered in YearEndConfig.ready)."""

from typing import Any

from members.home import register_home_section
from members.models import User

from . import selectors


def assessment_section(user: User) -> dict[str, Any]:
    """Concluded projects waiting for the member's assessment, and the group's published results."""
    return {
        "pending_assessments": selectors.my_pending_assessments(user),
        "assessment_results": selectors.published_results_for_groups(user),
    }


register_home_section("yearend.assessment", assessment_section)
