"""Reads of the roster, always scoped to the user's committee."""

import uuid
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from branches.models import Branch, Group

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
    members = with_posts(members_visible_to(user).select_related("group", "group__branch", "user"))
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
        with_posts(members_visible_to(user))
        .select_related("group", "group__branch", "committee", "user")
        .filter(pk=member_id)
        .first()
    )


def with_posts(members: QuerySet[Member]) -> QuerySet[Member]:
    """Members with ``leads_branch`` and ``leads_group``: whether each is a branch secretary or a
    group leader, asked in the same query (the roster's and the member page's badges)."""
    return members.annotate(
        leads_branch=Exists(Branch.objects.filter(secretary_id=OuterRef("pk"))),
        leads_group=Exists(Group.objects.filter(leader_id=OuterRef("pk"))),
    )


def member_positions_of(member: Member) -> list[str]:
    """Names of the posts a member (read through `with_posts`) holds, for display."""
    posts = []
    if member.committee_role:
        posts.append(member.get_committee_role_display())
    if member.leads_branch:
        posts.append(str(Position.BRANCH_SECRETARY.label))
    if member.leads_group:
        posts.append(str(Position.GROUP_LEADER.label))
    return posts


def roster_import_made(user, client_id: uuid.UUID) -> RosterImport | None:
    """The roster import this user confirmed with this one-time id, if any."""
    return RosterImport.objects.filter(imported_by=user, client_id=client_id).first()
