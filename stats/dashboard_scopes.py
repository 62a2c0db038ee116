"""Which dashboard a user opens: the committee, branch or group of their school, and the school year."""

from dataclasses import replace

from django.utils import timezone

from branches.models import Branch, Committee, Group
from members.roles import member_of, roles_of
from projects.school_years import normalise_school_year, school_year_of

from .scopes import SchoolYears, school_years
from .view_models import Level


def committee_for_dashboard(user) -> Committee | None:
    """The user's committee, loaded with the roles' member row (no query of its own)."""
    member = member_of(user)
    return member.committee if member is not None else None


def branch_for_dashboard(user, branch_id: int) -> Branch | None:
    """A branch of the user's committee (with its committee), or None."""
    committee_id = roles_of(user).committee_id
    if committee_id is None:
        return None
    return Branch.objects.select_related("committee").filter(pk=branch_id, committee_id=committee_id).first()


def group_for_dashboard(user, group_id: int) -> Group | None:
    """A group of the user's committee (with its branch and committee), or None."""
    committee_id = roles_of(user).committee_id
    if committee_id is None:
        return None
    return (
        Group.objects.select_related("branch__committee").filter(pk=group_id, branch__committee_id=committee_id).first()
    )


def school_years_for(committee: Committee) -> SchoolYears:
    """School years with data, oldest first; the current one when there is none yet (one query)."""
    found = school_years(committee)
    return found if found.years else replace(found, years=[school_year_of(timezone.localdate())])


def chosen_school_year(years: list[str], asked: str | None, default: str | None = None) -> str:
    """The school year asked for if it is one of ``years``, else ``default`` (or the latest)."""
    if asked:
        try:
            asked = normalise_school_year(asked)
        except ValueError:
            asked = None
    if asked in years:
        return asked
    return default if default in years else years[-1]


def default_school_year(found: SchoolYears) -> str:
    """Where a page of the year opens: the latest year with records, else the latest listed."""
    return found.latest_with_records() or found.years[-1]


def dashboard_of_user(user) -> tuple[str, int | None] | None:
    """The widest dashboard the user may open: (level, scope id), or None."""
    roles = roles_of(user)
    if roles.committee_id is None:
        return None
    if roles.is_committee_member:
        return Level.COMMITTEE, None
    if roles.led_branch_ids:
        return Level.BRANCH, min(roles.led_branch_ids)
    if roles.led_group_ids:
        return Level.GROUP, min(roles.led_group_ids)
    if roles.group_id is not None:
        return Level.GROUP, roles.group_id
    return None
