"""The statistics' section of the home page (registered in StatsConfig.ready)."""

from dataclasses import dataclass
from typing import Any

from branches.models import Branch
from members.home import register_home_section
from members.models import User
from members.roles import roles_of

from .enums import StatScope
from .models import StatSnapshot


@dataclass(frozen=True)
class BranchGlance:
    """A branch secretary's branch at a glance: its latest school year's figures."""

    id: int
    name: str
    school_year: str | None
    figures: dict[str, Any]


def branch_glance(user: User) -> list[BranchGlance]:
    """Each branch the user leads with the figures of its latest stored school year (two queries)."""
    roles = roles_of(user)
    if not roles.led_branch_ids:
        return []
    branches = Branch.objects.filter(pk__in=roles.led_branch_ids, committee_id=roles.committee_id).order_by(
        "position", "pk"
    )
    latest: dict[int, tuple[str, dict[str, Any]]] = {}
    rows = (
        StatSnapshot.objects.filter(
            committee_id=roles.committee_id,
            scope_kind=StatScope.BRANCH,
            scope_id__in=roles.led_branch_ids,
            month__isnull=True,
        )
        .order_by("scope_id", "-school_year")
        .values_list("scope_id", "school_year", "figures")
    )
    for scope_id, school_year, figures in rows:
        latest.setdefault(scope_id, (school_year, figures))
    return [
        BranchGlance(branch.pk, branch.name, *latest.get(branch.pk, (None, {})))
        for branch in branches.only("pk", "name")
    ]


def glance_section(user: User) -> dict[str, Any]:
    return {"branch_glance": branch_glance(user)}


register_home_section("stats.branches", glance_section)
