"""Who may do what at the year's end: assessment rounds and their sheets, results and report jobs."""

import rules

from members.rules import in_same_committee, is_committee_member, is_secretary
from projects.enums import ProjectStatus
from projects.rules import has_conflict_of_interest, is_in_project_group, leads_project_branch, leads_project_group

from .enums import AssessmentStatus

# The year-end assessment (考核). Objects are an AssessmentRound, or an assessment entry: a round
# and one of its concluded projects (yearend.selectors.AssessmentEntry).


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


rules.add_perm("yearend.view_assessments", is_committee_member)
rules.add_perm("yearend.open_assessment", is_secretary)
rules.add_perm("yearend.view_assessment", in_same_committee & is_committee_member)
rules.add_perm("yearend.set_assessment_thresholds", in_same_committee & is_secretary & is_round_open)
rules.add_perm("yearend.edit_assessment_rubric", in_same_committee & is_secretary & is_round_open & ~round_has_sheets)
rules.add_perm("yearend.publish_assessment", in_same_committee & is_secretary & is_round_open)
rules.add_perm(
    "yearend.view_assessment_ranking",
    in_same_committee & (is_secretary | (is_committee_member & is_round_published)),
)
rules.add_perm(
    "yearend.score_assessment",
    in_same_committee & is_committee_member & ~has_entry_conflict & is_entry_open & is_entry_assessable,
)
rules.add_perm(
    "yearend.view_assessment_scores",
    in_same_committee
    & is_committee_member
    & ~has_entry_conflict
    & (is_secretary | has_assessed_entry | is_entry_published),
)
# A published result on the project page and the home page: the group, its leader, its branch
# secretary and the committee.
rules.add_perm(
    "yearend.view_assessment_result",
    in_same_committee & (is_in_project_group | leads_project_group | leads_project_branch | is_committee_member),
)


# Reports (年度报告): committee members request them; a job's file goes to its requester and the secretary.


@rules.predicate
def requested_report(user, job) -> bool:
    return job is not None and job.requested_by_id == user.pk


rules.add_perm("yearend.export_reports", is_committee_member)
rules.add_perm("yearend.view_report_job", in_same_committee & is_committee_member & (is_secretary | requested_report))
