"""Who may do what with micro-projects. Views and templates ask these through `has_perm`."""

import rules

from branches.selectors import oversight_of
from members.roles import roles_of
from members.rules import has_member_profile, in_same_committee, is_committee_member, is_group_leader, is_secretary

from .enums import EDITABLE_STATUSES, PUBLIC_STATUSES, REVIEWABLE_STATUSES, AssessmentStatus, ProjectStatus


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


@rules.predicate
def has_conflict_of_interest(user, project) -> bool:
    """Reviewers do not score their own group's project, one they take part in, or one they wrote."""
    if project is None:
        return False
    roles = roles_of(user)
    return (
        roles.group_id == project.group_id
        or project.group_id in roles.led_group_ids
        or project.created_by_id == user.pk
        or (roles.member_id is not None and roles.member_id in participant_ids(project))
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


@rules.predicate
def is_submitted(_user, project) -> bool:
    return project is not None and project.status == ProjectStatus.SUBMITTED


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
rules.add_perm("projects.start_review", in_same_committee & is_committee_member & is_submitted)
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


# The year-end assessment (考核). Objects are an AssessmentRound, or an assessment entry: a round
# and one of its concluded projects (assessment_selectors.AssessmentEntry).


@rules.predicate
def is_round_open(_user, assessment_round) -> bool:
    return assessment_round is not None and assessment_round.status == AssessmentStatus.OPEN


@rules.predicate
def is_round_published(_user, assessment_round) -> bool:
    return assessment_round is not None and assessment_round.status == AssessmentStatus.PUBLISHED


@rules.predicate
def round_has_sheets(_user, assessment_round) -> bool:
    """Scoring has started; lists annotate `sheet_count`, otherwise it is one query."""
    if assessment_round is None:
        return False
    count = getattr(assessment_round, "sheet_count", None)
    if count is not None:
        return count > 0
    return assessment_round.sheets.exists()


@rules.predicate
def is_entry_open(_user, entry) -> bool:
    return entry is not None and entry.assessment_round.status == AssessmentStatus.OPEN


@rules.predicate
def is_entry_published(_user, entry) -> bool:
    return entry is not None and entry.assessment_round.status == AssessmentStatus.PUBLISHED


@rules.predicate
def is_entry_assessable(_user, entry) -> bool:
    """The project is a concluded project of the round's committee and school year."""
    if entry is None:
        return False
    project, assessment_round = entry.project, entry.assessment_round
    return (
        project.status == ProjectStatus.CONCLUDED
        and project.committee_id == assessment_round.committee_id
        and project.school_year == assessment_round.school_year
    )


@rules.predicate
def has_entry_conflict(user, entry) -> bool:
    return entry is not None and has_conflict_of_interest(user, entry.project)


@rules.predicate
def has_assessed_entry(user, entry) -> bool:
    return entry is not None and user.pk in entry.assessor_ids


rules.add_perm("projects.view_assessments", is_committee_member)
rules.add_perm("projects.open_assessment", is_secretary)
rules.add_perm("projects.view_assessment", in_same_committee & is_committee_member)
rules.add_perm("projects.set_assessment_thresholds", in_same_committee & is_secretary & is_round_open)
rules.add_perm("projects.edit_assessment_rubric", in_same_committee & is_secretary & is_round_open & ~round_has_sheets)
rules.add_perm("projects.publish_assessment", in_same_committee & is_secretary & is_round_open)
rules.add_perm(
    "projects.view_assessment_ranking",
    in_same_committee & (is_secretary | (is_committee_member & is_round_published)),
)
rules.add_perm(
    "projects.score_assessment",
    in_same_committee & is_committee_member & ~has_entry_conflict & is_entry_open & is_entry_assessable,
)
rules.add_perm(
    "projects.view_assessment_scores",
    in_same_committee
    & is_committee_member
    & ~has_entry_conflict
    & (is_secretary | has_assessed_entry | is_entry_published),
)
# A published result on the project page and the home page: the group, its leader, its branch
# secretary and the committee.
rules.add_perm(
    "projects.view_assessment_result",
    in_same_committee & (is_in_project_group | leads_project_group | leads_project_branch | is_committee_member),
)


# Reports (年度报告): committee members request them; a job's file goes to its requester and the secretary.


@rules.predicate
def requested_report(user, job) -> bool:
    return job is not None and job.requested_by_id == user.pk


rules.add_perm("projects.export_reports", is_committee_member)
rules.add_perm("projects.view_report_job", in_same_committee & is_committee_member & (is_secretary | requested_report))


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


rules.add_perm("projects.view_dashboards", (has_member_profile & has_dashboard) | oversees_district)
rules.add_perm("projects.view_district_dashboard", oversees_district)
rules.add_perm("projects.view_committee_dashboard", is_committee_member)
rules.add_perm("projects.view_branch_dashboard", in_same_committee & (is_committee_member | leads_branch))
rules.add_perm(
    "projects.view_group_dashboard",
    in_same_committee & (is_committee_member | leads_group_branch | belongs_to_group),
)
rules.add_perm("projects.refresh_stats", is_secretary)
