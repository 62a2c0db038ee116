"""Reads of the roster, always scoped to the user's committee."""

import uuid
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from .enums import Position
from .models import Member, RosterImport
from .roles import roles_of


def members_visible_to(user) -> QuerySet[Member]:
    """Every member of the user's committee (archived ones included); nothing for outsiders."""
    committee_id = roles_of(user).committee_id
    if committee_id is None:
        return Member.objects.none()
    return Member.objects.filter(committee_id=committee_id)


@dataclass(frozen=True)
class MemberFilter:
    query: str = ""
    branch_id: int | None = None
    group_id: int | None = None
    party_status: str = ""
    include_archived: bool = False


def member_list(user, member_filter: MemberFilter) -> QuerySet[Member]:
    """The roster page's rows, with group and branch joined in (one query however many rows)."""
    members = (
        members_visible_to(user)
        .select_related("group", "group__branch", "user")
        .prefetch_related("groups_led", "branches_led")
    )
    if not member_filter.include_archived:
        members = members.filter(is_active=True)
    if member_filter.query:
        text = member_filter.query.strip()
        members = members.filter(
            Q(name__icontains=text) | Q(subject__icontains=text) | Q(professional_title__icontains=text)
        )
    if member_filter.branch_id:
        members = members.filter(group__branch_id=member_filter.branch_id)
    if member_filter.group_id:
        members = members.filter(group_id=member_filter.group_id)
    if member_filter.party_status:
        members = members.filter(party_status=member_filter.party_status)
    return members.order_by("group__branch__position", "group__position", "name")


def member_detail(user, member_id: int) -> Member | None:
    return (
        members_visible_to(user)
        .select_related("group", "group__branch", "committee", "user")
        .prefetch_related("groups_led", "branches_led")
        .filter(pk=member_id)
        .first()
    )


def member_positions_of(member: Member) -> list[str]:
    """Names of the posts a member holds, for display; uses prefetched leads when present."""
    posts = []
    if member.committee_role:
        posts.append(member.get_committee_role_display())
    if member.branches_led.all():
        posts.append(str(Position.BRANCH_SECRETARY.label))
    if member.groups_led.all():
        posts.append(str(Position.GROUP_LEADER.label))
    return posts


def roster_import_made(user, client_id: uuid.UUID) -> RosterImport | None:
    """The roster import this user confirmed with this one-time id, if any."""
    return RosterImport.objects.filter(imported_by=user, client_id=client_id).first()
