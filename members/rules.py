"""Permission predicates shared by every app, and the members app's own permissions.

Views declare `permission_required`, templates ask `{% has_perm %}`; nothing checks
`is_staff` or posts by hand.
"""

import rules

from .roles import roles_of


@rules.predicate
def has_member_profile(user) -> bool:
    return roles_of(user).member_id is not None


@rules.predicate
def is_secretary(user) -> bool:
    return roles_of(user).is_secretary


@rules.predicate
def is_committee_member(user) -> bool:
    """Secretary or committee member."""
    return roles_of(user).is_committee_member


@rules.predicate
def is_branch_secretary(user) -> bool:
    return roles_of(user).is_branch_secretary


@rules.predicate
def is_group_leader(user) -> bool:
    return roles_of(user).is_group_leader


def committee_id_of(obj) -> int | None:
    """The committee an object belongs to, following the organisation's foreign keys."""
    for path in ("committee_id", "branch.committee_id", "group.branch.committee_id"):
        target = obj
        try:
            for part in path.split("."):
                target = getattr(target, part)
        except AttributeError:
            continue
        return target
    return None


@rules.predicate
def in_same_committee(user, obj) -> bool:
    committee_id = roles_of(user).committee_id
    return committee_id is not None and obj is not None and committee_id_of(obj) == committee_id


@rules.predicate
def leads_member_branch_or_group(user, member) -> bool:
    roles = roles_of(user)
    if member is None or member.group_id is None:
        return False
    return member.group_id in roles.led_group_ids or member.group.branch_id in roles.led_branch_ids


@rules.predicate
def is_self(user, member) -> bool:
    return member is not None and roles_of(user).member_id == member.pk


rules.add_perm("members.view_roster", has_member_profile)
rules.add_perm("members.view_member", in_same_committee)
rules.add_perm(
    "members.view_member_contact",
    in_same_committee & (is_committee_member | is_self | leads_member_branch_or_group),
)
rules.add_perm("members.import_roster", is_committee_member)
rules.add_perm("members.export_roster", is_committee_member)
