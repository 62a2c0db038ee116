"""Reads behind the delegation page: the project, its delegations and whom the leader may delegate."""

from django.db.models import F, QuerySet

from members.models import Member
from members.roles import roles_of
from projects.models import MicroProject
from projects.selectors import projects_visible_to

from .models import ActivityDelegation


def delegation_project(user, project_id: int) -> MicroProject | None:
    """The project if the user may see it (None outside their committee or scope, so the view 404s)."""
    return projects_visible_to(user).select_related("group", "group__leader").filter(pk=project_id).first()


def delegations_of(project: MicroProject) -> QuerySet[ActivityDelegation]:
    """Every delegation of the project, current ones first, with the people named on the page loaded."""
    return (
        ActivityDelegation.objects.filter(project=project)
        .select_related("member", "granted_by__member", "revoked_by__member")
        .order_by(F("revoked_at").desc(nulls_first=True), "-granted_at", "-pk")
    )


def delegable_members(project: MicroProject, *, with_delegated: bool = False) -> QuerySet[Member]:
    """Active members of the project's group with a login, not its leader and (unless asked) not
    delegated already: a repeated grant names a member its first post delegated."""
    if project.group_id is None:
        return Member.objects.none()
    members = Member.objects.filter(
        committee_id=project.committee_id, group_id=project.group_id, is_active=True, user__isnull=False
    )
    if not with_delegated:
        members = members.exclude(
            pk__in=ActivityDelegation.objects.filter(project=project, revoked_at__isnull=True).values("member_id")
        )
    if project.group.leader_id is not None:
        members = members.exclude(pk=project.group.leader_id)
    return members.order_by("name")


def delegated_projects(user) -> QuerySet[MicroProject]:
    """Projects whose activity logs the user currently files as a delegate (e.g. for a home to-do)."""
    member_id = roles_of(user).member_id
    if member_id is None:
        return MicroProject.objects.none()
    return projects_visible_to(user).filter(
        activity_delegations__member_id=member_id, activity_delegations__revoked_at__isnull=True
    )


def delegation_for(user, delegation_id: int) -> ActivityDelegation | None:
    """One delegation of a project the user may see, else None (404)."""
    return (
        ActivityDelegation.objects.filter(pk=delegation_id, project__in=projects_visible_to(user))
        .select_related("project", "member")
        .first()
    )
