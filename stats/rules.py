"""Who may read which statistics: the dashboards of the committee, a branch, a group or the district."""

import rules

from branches.selectors import oversight_of
from members.roles import roles_of
from members.rules import has_member_profile, in_same_committee, is_committee_member, is_secretary

# The statistics dashboards. Objects are a Branch or a Group (with its branch) of the committee.


@rules.predicate
def has_dashboard(user) -> bool:
    """Committee members, branch secretaries, group leaders and members of a group have one."""
    roles = roles_of(user)
    return roles.is_committee_member or bool(roles.led_branch_ids or roles.led_group_ids) or roles.group_id is not None


@rules.predicate
def leads_branch(user, branch) -> bool:
    return branch is not None and branch.pk in roles_of(user).led_branch_ids


@rules.predicate
def belongs_to_group(user, group) -> bool:
    roles = roles_of(user)
    return group is not None and (roles.group_id == group.pk or group.pk in roles.led_group_ids)


@rules.predicate
def leads_group_branch(user, group) -> bool:
    return group is not None and group.branch_id in roles_of(user).led_branch_ids


@rules.predicate
def oversees_district(user) -> bool:
    """A district officer (教育片区督导): may compare the figures of the district's schools.

    For a member the answer comes with their roles (no extra query on every page's navbar).
    """
    roles = roles_of(user)
    if roles.member_id is not None:
        return roles.oversees_district
    return bool(oversight_of(user)[0])


rules.add_perm("stats.view_dashboards", (has_member_profile & has_dashboard) | oversees_district)
rules.add_perm("stats.view_district_dashboard", oversees_district)
rules.add_perm("stats.view_committee_dashboard", is_committee_member)
rules.add_perm("stats.view_branch_dashboard", in_same_committee & (is_committee_member | leads_branch))
rules.add_perm(
    "stats.view_group_dashboard",
    in_same_committee & (is_committee_member | leads_group_branch | belongs_to_group),
)
rules.add_perm("stats.refresh_stats", is_secretary)
