"""Reads of the organisation, always scoped to the user's committee."""

from django.db.models import Count, Prefetch, Q, QuerySet

from members.models import Member
from members.roles import member_of, roles_of

from .models import Branch, Committee, District, Group

_OVERSIGHT_CACHE_ATTRIBUTE = "_dangjian_oversight"


def oversight_of(user) -> tuple[frozenset[int], frozenset[int]]:
    """(district ids, committee ids) the user oversees; one query, cached on the user object."""
    if user is None or not user.is_authenticated:
        return frozenset(), frozenset()
    cached = getattr(user, _OVERSIGHT_CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    pairs = list(District.objects.filter(overseers=user.pk).values_list("pk", "committees"))
    found = (
        frozenset(district_id for district_id, _ in pairs),
        frozenset(committee_id for _, committee_id in pairs if committee_id is not None),
    )
    setattr(user, _OVERSIGHT_CACHE_ATTRIBUTE, found)
    return found


def committee_of(user) -> Committee | None:
    """The user's committee, loaded with the roles' member row (no query of its own)."""
    member = member_of(user)
    return member.committee if member is not None else None


def branches_visible_to(user) -> QuerySet[Branch]:
    committee_id = roles_of(user).committee_id
    if committee_id is None:
        return Branch.objects.none()
    return Branch.objects.filter(committee_id=committee_id)


def groups_visible_to(user) -> QuerySet[Group]:
    committee_id = roles_of(user).committee_id
    if committee_id is None:
        return Group.objects.none()
    return Group.objects.filter(branch__committee_id=committee_id)


def _active_members_prefetch() -> Prefetch:
    return Prefetch(
        "members",
        queryset=Member.objects.filter(is_active=True).order_by("name"),
        to_attr="active_members",
    )


def organisation_tree(user) -> list[Branch]:
    """Branches, each with `.group_list` holding groups with `.active_members`; 3 queries."""
    groups = Prefetch(
        "groups",
        queryset=Group.objects.select_related("leader").prefetch_related(_active_members_prefetch()),
        to_attr="group_list",
    )
    return list(branches_visible_to(user).select_related("secretary").prefetch_related(groups))


def committee_officers(user) -> list[Member]:
    """The secretary and committee members of the user's committee, secretary first."""
    committee_id = roles_of(user).committee_id
    if committee_id is None:
        return []
    return list(
        Member.objects.filter(committee_id=committee_id, is_active=True)
        .exclude(committee_role="")
        .order_by("-committee_role", "name")
    )


def unassigned_members(user) -> list[Member]:
    committee_id = roles_of(user).committee_id
    if committee_id is None:
        return []
    # Committee officers without a group are listed with the officers, not here.
    return list(
        Member.objects.filter(
            committee_id=committee_id, is_active=True, group__isnull=True, committee_role=""
        ).order_by("name")
    )


def branch_detail(user, branch_id: int) -> Branch | None:
    """One branch of the user's committee with its groups and members, or None."""
    groups = Prefetch(
        "groups",
        queryset=Group.objects.select_related("leader").prefetch_related(_active_members_prefetch()),
        to_attr="group_list",
    )
    return (
        branches_visible_to(user)
        .select_related("secretary", "committee")
        .prefetch_related(groups)
        .filter(pk=branch_id)
        .first()
    )


def group_detail(user, group_id: int) -> Group | None:
    return (
        groups_visible_to(user)
        .select_related("branch", "branch__committee", "branch__secretary", "leader")
        .prefetch_related(_active_members_prefetch())
        .filter(pk=group_id)
        .first()
    )


def organisation_counts(user) -> dict[str, int]:
    """Branches, groups and active members of the user's committee, in one query each."""
    committee_id = roles_of(user).committee_id
    if committee_id is None:
        return {"branches": 0, "groups": 0, "members": 0}
    branch_counts = Branch.objects.filter(committee_id=committee_id).aggregate(
        branches=Count("id", distinct=True), groups=Count("groups", distinct=True)
    )
    members = Member.objects.filter(committee_id=committee_id).aggregate(members=Count("id", filter=Q(is_active=True)))
    return {**branch_counts, **members}
