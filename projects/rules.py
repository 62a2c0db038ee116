"""Who may do what with micro-projects. Views and templates ask these through `has_perm`."""

from collections.abc import Callable, Container

import rules

from members.roles import roles_of
from members.rules import has_member_profile, in_same_committee, is_committee_member, is_group_leader, is_secretary

from .enums import EDITABLE_STATUSES, PUBLIC_STATUSES, REVIEWABLE_STATUSES, ProjectStatus


def participant_ids(project) -> set[int]:
    """Member ids taking part in the project; uses a prefetch of `participants` when there is one."""
    cache = getattr(project, "_prefetched_objects_cache", {})
    if "participants" in cache:
        return {member.pk for member in cache["participants"]}
    return set(project.participants.values_list("pk", flat=True))


@rules.predicate
def leads_project_group(user, project) -> bool:
    return project is not None and project.group_id in roles_of(user).led_group_ids


@rules.predicate
def is_in_project_group(user, project) -> bool:
    return project is not None and roles_of(user).group_id == project.group_id


@rules.predicate
def leads_project_branch(user, project) -> bool:
    return project is not None and project.group.branch_id in roles_of(user).led_branch_ids


def is_conflicted(
    project,
    *,
    user_id: int | None,
    member_id: int | None,
    group_id: int | None,
    leads_project_group: bool,
    participants: Callable[[], Container[int]],
) -> bool:
    """The conflict-of-interest rule, the one statement of it: a reviewer does not score a project of
    their own group or of a group they lead, one they wrote, or one they take part in.

    It judges facts about the reviewer read beforehand (their user, member and group ids, whether
    they lead the project's group), so a list of many projects asks no query per reviewer.
    `participants` gives the project's participant member ids; it is called only when the other
    facts leave the answer open, as reading them may cost a query.
    """
    return (
        group_id == project.group_id
        or leads_project_group
        or project.created_by_id == user_id
        or (member_id is not None and member_id in participants())
    )


@rules.predicate
def has_conflict_of_interest(user, project) -> bool:
    """`is_conflicted` for one user, from their roles."""
    if project is None:
        return False
    roles = roles_of(user)
    return is_conflicted(
        project,
        user_id=user.pk,
        member_id=roles.member_id,
        group_id=roles.group_id,
        leads_project_group=project.group_id in roles.led_group_ids,
        participants=lambda: participant_ids(project),
    )


@rules.predicate
def is_editable(_user, project) -> bool:
    return project is not None and project.status in EDITABLE_STATUSES


@rules.predicate
def is_under_review(_user, project) -> bool:
    return project is not None and project.status in REVIEWABLE_STATUSES


@rules.predicate
def is_in_review(_user, project) -> bool:
    return project is not None and project.status == ProjectStatus.IN_REVIEW


@rules.predicate
def is_public(_user, project) -> bool:
    return project is not None and project.status in PUBLIC_STATUSES


@rules.predicate
def is_approved(_user, project) -> bool:
    return project is not None and project.status == ProjectStatus.APPROVED


@rules.predicate
def is_in_progress(_user, project) -> bool:
    return project is not None and project.status == ProjectStatus.IN_PROGRESS


@rules.predicate
def shares_reviewer_comments(_user, project) -> bool:
    return project is not None and project.share_reviewer_comments


@rules.predicate
def is_draft(_user, project) -> bool:
    return project is not None and project.status == ProjectStatus.DRAFT


@rules.predicate
def is_withdrawable(_user, project) -> bool:
    return project is not None and project.status in (
        ProjectStatus.DRAFT,
        ProjectStatus.SUBMITTED,
        ProjectStatus.RETURNED,
    )


@rules.predicate
def has_scored_current_round(user, project) -> bool:
    if project is None:
        return False
    # Lists prefetch the current round's sheets into `current_sheets` (see review_selectors).
    current_sheets = getattr(project, "current_sheets", None)
    if current_sheets is not None:
        return any(sheet.reviewer_id == user.pk for sheet in current_sheets)
    return project.score_sheets.filter(reviewer_id=user.pk, review_round=project.review_round).exists()


can_view_project = in_same_committee & (
    is_in_project_group | leads_project_group | leads_project_branch | is_public | (is_committee_member & ~is_draft)
)

rules.add_perm("projects.add_project", is_group_leader)
rules.add_perm("projects.view_project", can_view_project)
rules.add_perm("projects.change_project", in_same_committee & leads_project_group & is_editable)
rules.add_perm("projects.submit_project", in_same_committee & leads_project_group & is_editable)
rules.add_perm("projects.withdraw_project", in_same_committee & leads_project_group & is_withdrawable)
rules.add_perm(
    "projects.score_project",
    in_same_committee & is_committee_member & ~has_conflict_of_interest & is_under_review,
)
rules.add_perm(
    "projects.view_scores",
    in_same_committee & is_committee_member & ~has_conflict_of_interest & (is_secretary | has_scored_current_round),
)
rules.add_perm("projects.decide_project", in_same_committee & is_secretary & is_in_review)
rules.add_perm("projects.view_review_queue", is_committee_member)
# The review page: committee members who may read the application (scores are view_scores).
rules.add_perm("projects.view_review", in_same_committee & is_committee_member & can_view_project)
rules.add_perm("projects.edit_calendar", is_secretary)
rules.add_perm("projects.view_calendar", is_committee_member)
rules.add_perm("projects.decide_in_bulk", is_secretary)
rules.add_perm("projects.export_review", is_secretary)
rules.add_perm("projects.manage_catalogue", is_secretary)
rules.add_perm("projects.view_project_list", has_member_profile)
rules.add_perm(
    "projects.view_shared_reviews",
    in_same_committee & (is_in_project_group | leads_project_group) & shares_reviewer_comments,
)
rules.add_perm("projects.start_project", in_same_committee & (leads_project_group | is_secretary) & is_approved)
rules.add_perm("projects.conclude_project", in_same_committee & is_secretary & is_in_progress)
