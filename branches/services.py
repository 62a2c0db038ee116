"""Writes to the organisation: committees, branches, groups and their posts."""

from collections.abc import Iterable

from django.db import transaction

from members.models import Member, User

from .models import Branch, Committee, District, Group


@transaction.atomic
def committee_ensure(*, slug: str, school_name: str, name: str) -> Committee:
    committee, _ = Committee.objects.update_or_create(slug=slug, defaults={"school_name": school_name, "name": name})
    return committee


@transaction.atomic
def branch_ensure(*, committee: Committee, name: str, position: int) -> Branch:
    branch, _ = Branch.objects.update_or_create(committee=committee, name=name, defaults={"position": position})
    return branch


@transaction.atomic
def group_ensure(*, branch: Branch, name: str, position: int) -> Group:
    group, _ = Group.objects.update_or_create(branch=branch, name=name, defaults={"position": position})
    return group


@transaction.atomic
def branch_set_secretary(*, branch: Branch, secretary: Member | None) -> Branch:
    if secretary is not None and secretary.committee_id != branch.committee_id:
        raise ValueError("A branch secretary must belong to the branch's committee")
    if branch.secretary_id != (secretary.pk if secretary else None):
        branch.secretary = secretary
        branch.save(update_fields=["secretary"])
    return branch


@transaction.atomic
def group_set_leader(*, group: Group, leader: Member | None) -> Group:
    if leader is not None and leader.group_id != group.pk:
        raise ValueError("A group leader must be a member of the group")
    if group.leader_id != (leader.pk if leader else None):
        group.leader = leader
        group.save(update_fields=["leader"])
    return group


@transaction.atomic
def district_ensure(*, slug: str, name: str, committees: Iterable[Committee], overseers: Iterable[User]) -> District:
    """Create or update a district; its committees and overseers are added to (never removed)."""
    district, _ = District.objects.update_or_create(slug=slug, defaults={"name": name})
    district.committees.add(*committees)
    district.overseers.add(*overseers)
    return district
