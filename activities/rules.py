"""Who may log activities, upload photos and record or verify achievements.

Activity and photo predicates follow the object to its project, so the same project rules
(same committee, the group's leader, the group's teachers) apply at every level.
"""

import rules

from members.roles import roles_of
from members.rules import has_member_profile, is_committee_member, is_secretary
from projects.enums import ProjectStatus

from .enums import AchievementStatus
from .errors import ActivityError
from .models import ActivityDelegation

# A project logs activities once approved, until it is concluded: then its record is read-only.
OPEN_PROJECT_STATUSES = (ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS)


def project_of(obj):
    """The micro-project behind a project, an activity log or a photo."""
    if obj is None:
        return None
    if hasattr(obj, "activity"):
        obj = obj.activity
    if hasattr(obj, "project"):
        return obj.project
    return obj


@rules.predicate
def in_projects_committee(user, obj) -> bool:
    project = project_of(obj)
    committee_id = roles_of(user).committee_id
    return project is not None and committee_id is not None and project.committee_id == committee_id


@rules.predicate
def leads_projects_group(user, obj) -> bool:
    project = project_of(obj)
    return project is not None and project.group_id in roles_of(user).led_group_ids


@rules.predicate
def belongs_to_projects_group(user, obj) -> bool:
    project = project_of(obj)
    return project is not None and project.group_id is not None and roles_of(user).group_id == project.group_id


@rules.predicate
def is_projects_delegate(user, obj) -> bool:
    """The group's leader has delegated activity logging of this project to the user, not revoked.

    One query, deliberately not cached on the user: a revocation takes effect at the next check.
    Combined after the cheaper predicates, so leaders and outsiders never run it.
    """
    project = project_of(obj)
    member_id = roles_of(user).member_id
    if project is None or member_id is None:
        return False
    return ActivityDelegation.objects.filter(
        project_id=project.pk, member_id=member_id, revoked_at__isnull=True
    ).exists()


@rules.predicate
def delegation_is_active(_user, delegation) -> bool:
    return delegation is not None and delegation.revoked_at is None


@rules.predicate
def project_is_open(_user, obj) -> bool:
    project = project_of(obj)
    return project is not None and project.status in OPEN_PROJECT_STATUSES


@rules.predicate
def activity_is_current(_user, obj) -> bool:
    activity = getattr(obj, "activity", obj)
    return activity is not None and not activity.is_archived


@rules.predicate
def uploaded_photo(user, photo) -> bool:
    return photo is not None and photo.uploaded_by_id == user.pk


@rules.predicate
def in_achievements_committee(user, achievement) -> bool:
    committee_id = roles_of(user).committee_id
    return achievement is not None and committee_id is not None and achievement.committee_id == committee_id


@rules.predicate
def is_pending(_user, achievement) -> bool:
    return achievement is not None and achievement.status == AchievementStatus.PENDING


@rules.predicate
def has_stake_in_achievement(user, achievement) -> bool:
    """Nobody verifies an achievement they recorded or are credited with."""
    if achievement is None:
        return False
    member_id = roles_of(user).member_id
    # members.all() uses a prefetch when the page loaded one, so a queue of N rows asks no N queries.
    return achievement.recorded_by_id == user.pk or (
        member_id is not None and any(member.pk == member_id for member in achievement.members.all())
    )


@rules.predicate
def is_rejected(_user, achievement) -> bool:
    return achievement is not None and achievement.status == AchievementStatus.REJECTED


@rules.predicate
def recorded_achievement(user, achievement) -> bool:
    """The user recorded it: a teacher for themself, a leader for the group, the committee for itself."""
    return achievement is not None and achievement.recorded_by_id == user.pk


@rules.predicate
def is_verified(_user, achievement) -> bool:
    return achievement is not None and achievement.status == AchievementStatus.VERIFIED


@rules.predicate
def credits_led_group(user, achievement) -> bool:
    """The achievement names a member or a project of a group the user leads."""
    led = roles_of(user).led_group_ids
    if achievement is None or not led:
        return False
    if achievement.project_id is not None and achievement.project.group_id in led:
        return True
    return any(member.group_id in led for member in achievement.members.all())


can_write_activity = in_projects_committee & leads_projects_group & project_is_open
# The leader, or a member of the group the leader delegated logging of this project to.
can_log_activity = (
    in_projects_committee
    & project_is_open
    & (leads_projects_group | (belongs_to_projects_group & is_projects_delegate))
)

# The object is the project for `add_activity`, the activity log otherwise.
rules.add_perm("activities.add_activity", can_log_activity)
rules.add_perm("activities.change_activity", can_log_activity & activity_is_current)
# Archiving takes a log's figures out of the project's progress: it stays with the leader.
rules.add_perm("activities.archive_activity", can_write_activity & activity_is_current)
# Delegations: the object is the project (view, grant, manage) or the delegation (manage, revoke).
rules.add_perm("activities.view_delegations", in_projects_committee)
rules.add_perm("activities.grant_delegation", can_write_activity)
rules.add_perm("activities.manage_delegations", in_projects_committee & leads_projects_group)
rules.add_perm("activities.revoke_delegation", in_projects_committee & leads_projects_group & delegation_is_active)
rules.add_perm("activities.view_activity", in_projects_committee)
rules.add_perm(
    "activities.upload_photo",
    in_projects_committee & (leads_projects_group | belongs_to_projects_group) & project_is_open & activity_is_current,
)
rules.add_perm(
    "activities.archive_photo",
    in_projects_committee & (leads_projects_group | uploaded_photo) & project_is_open,
)
# Photos are seen by everyone of the same committee, nobody else.
rules.add_perm("activities.view_photo", in_projects_committee)
rules.add_perm("activities.record_achievement", has_member_profile)
rules.add_perm("activities.view_achievement_list", has_member_profile)
# Verified achievements are public within the school; pending and rejected ones stay with those concerned.
rules.add_perm(
    "activities.view_achievement",
    in_achievements_committee & (is_verified | is_committee_member | has_stake_in_achievement | credits_led_group),
)
rules.add_perm("activities.review_achievements", is_committee_member)
# The recorder revises a pending or rejected achievement (a rejected one goes back to 待审核); verified ones are final.
rules.add_perm(
    "activities.change_achievement", in_achievements_committee & recorded_achievement & (is_pending | is_rejected)
)
rules.add_perm("activities.record_committee_honour", is_secretary)
rules.add_perm(
    "activities.verify_achievement",
    in_achievements_committee & is_committee_member & is_pending & ~has_stake_in_achievement,
)


def require_permission(actor, permission: str, obj, message: str) -> None:
    """The services' first check: refuse with the user's message unless the rule allows it."""
    if not actor.has_perm(permission, obj):
        raise ActivityError(message)
