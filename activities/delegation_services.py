"""Writes of activity-logging delegations: a group leader lets members of the group log a project.

The row itself is the audit: who granted whom and when, who revoked it and when. Nothing is
deleted; a later grant to the same member is a new row.
"""

import uuid

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from config.idempotency import ClientIdInUse, create_once, created_before
from members.models import Member, User
from members.services import notification_send
from projects.models import MicroProject

from .errors import ActivityError
from .models import ActivityDelegation


@transaction.atomic
def delegation_grant(
    *, actor: User, project: MicroProject, member: Member, client_id: uuid.UUID | None = None
) -> ActivityDelegation:
    """Let a member of the project's group file and edit its activity logs while the project is open.

    Only the leader of the project's group may grant; the member must be an active member of that
    group with a login, not the leader themself, and not already delegated. With a `client_id`
    (the form's one-time id) a repeated post answers with the delegation the first one made.
    """
    project = MicroProject.objects.select_for_update().select_related("group").get(pk=project.pk)
    if not actor.has_perm("activities.grant_delegation", project):
        raise ActivityError(_("只有本党小组的组长可以为已立项或实施中的项目授权党员填写活动记录。"))
    try:
        # Before the checks: the repeat of a grant finds its member delegated already.
        if (earlier := created_before(ActivityDelegation, client_id, owner="granted_by", actor=actor)) is not None:
            return earlier
    except ClientIdInUse as error:
        raise ActivityError(_("这份表单的提交编号已被使用，请刷新页面后重新填写。")) from error
    member = Member.objects.select_related("user").get(pk=member.pk)
    if member.committee_id != project.committee_id or member.group_id != project.group_id or not member.is_active:
        raise ActivityError(_("%(name)s 不是本党小组的党员，不能授权。") % {"name": member.name})
    if project.group is not None and project.group.leader_id == member.pk:
        raise ActivityError(_("党小组长本人就可以填写活动记录，无需授权。"))
    if member.user_id is None:
        raise ActivityError(_("%(name)s 还没有登录账号，不能授权。") % {"name": member.name})
    if ActivityDelegation.objects.filter(project=project, member=member, revoked_at__isnull=True).exists():
        raise ActivityError(_("%(name)s 已获授权。") % {"name": member.name})
    made: list[ActivityDelegation] = []

    def create() -> ActivityDelegation:
        made.append(
            ActivityDelegation.objects.create(project=project, member=member, granted_by=actor, client_id=client_id)
        )
        return made[0]

    try:
        delegation = create_once(ActivityDelegation, client_id, owner="granted_by", actor=actor, create=create)
    except ClientIdInUse as error:
        raise ActivityError(_("这份表单的提交编号已被使用，请刷新页面后重新填写。")) from error
    if not made:  # a racing copy of this post made it and told the member
        return delegation
    notification_send(
        recipients=[member.user],
        message=_("党小组长授权您为项目《%(title)s》填写活动记录。") % {"title": project.title},
        link=reverse("projects:detail", args=[project.pk]),
    )
    return delegation


@transaction.atomic
def delegation_revoke(*, actor: User, delegation: ActivityDelegation) -> ActivityDelegation:
    """End a delegation: from now on the member can no longer file or edit the project's logs.

    Only the leader of the project's group may revoke; the logs the member filed stay as they are.
    """
    delegation = ActivityDelegation.objects.select_for_update().select_related("project").get(pk=delegation.pk)
    if delegation.revoked_at is not None:
        raise ActivityError(_("该授权已撤销。"))
    if not actor.has_perm("activities.revoke_delegation", delegation):
        raise ActivityError(_("只有本党小组的组长可以撤销授权。"))
    delegation.revoked_by = actor
    delegation.revoked_at = timezone.now()
    delegation.save(update_fields=["revoked_by", "revoked_at"])
    return delegation
