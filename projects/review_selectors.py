"""Reads for the review: who may score, the rubric, the committee's queue, a reviewer's pending
list and the score table.

Every read is scoped to the user's committee and asks a fixed number of queries however many
applications or score sheets there are; the statistics are computed in Python from one
prefetched query of sheets (projects.scoring.ScoreSummary).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet

from members.models import Member, User
from members.roles import roles_of

from .enums import REVIEWABLE_STATUSES, Decision, EventAction, ProjectStatus
from .models import CriterionScore, MicroProject, ProjectEvent, RubricCriterion, ScoreSheet
from .rules import has_conflict_of_interest, is_conflicted, participant_ids
from .scoring import ScoreSummary
from .selectors import targets_in_order

# Statuses the queue can be filtered by; by default it shows the applications awaiting review.
QUEUE_STATUSES = (
    ProjectStatus.SUBMITTED,
    ProjectStatus.IN_REVIEW,
    ProjectStatus.RETURNED,
    ProjectStatus.APPROVED,
    ProjectStatus.REJECTED,
)
QUEUE_SORTS = ("submitted", "mean", "median", "spread", "count")


@dataclass(frozen=True)
class ReviewFilter:
    status: str = ""
    project_type_id: int | None = None
    branch_id: int | None = None
    sort: str = "submitted"  # one of QUEUE_SORTS, "-" in front for descending

    @property
    def narrows(self) -> bool:
        """Whether the queue shows fewer applications than every one under review (sorting does not)."""
        return bool(self.status or self.project_type_id or self.branch_id)


class ReviewState:
    SCORED = "scored"
    PENDING = "pending"
    CONFLICT = "conflict"
    CLOSED = "closed"  # not under review any more and not scored


@dataclass(frozen=True)
class QueueRow:
    project: MicroProject
    summary: ScoreSummary  # of every current-round sheet
    scores_visible: bool  # the user may see other reviewers' totals (projects.view_scores)
    has_scored: bool
    has_conflict: bool

    @property
    def visible_summary(self) -> ScoreSummary:
        """What the user may see: the count always, the totals only after their own sheet."""
        if self.scores_visible:
            return self.summary
        return ScoreSummary(count=self.summary.count, mean=None, median=None, spread=None)

    @property
    def state(self) -> str:
        if self.has_conflict:
            return ReviewState.CONFLICT
        if self.has_scored:
            return ReviewState.SCORED
        if self.project.status in REVIEWABLE_STATUSES:
            return ReviewState.PENDING
        return ReviewState.CLOSED


def _current_sheets_prefetch() -> Prefetch:
    # One query for every row: the sheets of each project's own current round.
    return Prefetch(
        "score_sheets",
        queryset=ScoreSheet.objects.filter(review_round=F("project__review_round")).only(
            "id", "project_id", "reviewer_id", "review_round", "weighted_total"
        ),
        to_attr="current_sheets",
    )


def _participants_prefetch() -> Prefetch:
    return Prefetch("participants", queryset=Member.objects.only("id"))


def review_queue_projects(user, review_filter: ReviewFilter) -> QuerySet[MicroProject]:
    """The committee's applications for the queue, filtered, with what each row needs loaded."""
    roles = roles_of(user)
    if roles.committee_id is None or not roles.is_committee_member:
        return MicroProject.objects.none()
    statuses = [review_filter.status] if review_filter.status in QUEUE_STATUSES else list(REVIEWABLE_STATUSES)
    projects = MicroProject.objects.filter(committee_id=roles.committee_id, status__in=statuses)
    if review_filter.project_type_id:
        projects = projects.filter(project_type_id=review_filter.project_type_id)
    if review_filter.branch_id:
        projects = projects.filter(group__branch_id=review_filter.branch_id)
    return (
        projects.select_related("group", "group__branch", "project_type")
        .prefetch_related(_participants_prefetch(), _current_sheets_prefetch())
        .order_by("submitted_at", "pk")
    )


def _sort_key(row: QueueRow, field: str):
    if field == "submitted":
        return row.project.submitted_at
    if field == "count":
        return row.summary.count
    return getattr(row.visible_summary, field)


def review_queue(user, review_filter: ReviewFilter) -> list[QueueRow]:
    """Rows of the review queue with their current-round summary and the user's own state.

    Three queries (projects, participants, sheets) whatever the number of rows. Totals the user
    may not see yet are hidden from the row and from sorting, so the order does not leak them.
    """
    rows = []
    for project in review_queue_projects(user, review_filter):
        conflict = has_conflict_of_interest(user, project)
        has_scored = any(sheet.reviewer_id == user.pk for sheet in project.current_sheets)
        rows.append(
            QueueRow(
                project=project,
                summary=ScoreSummary.of(sheet.weighted_total for sheet in project.current_sheets),
                scores_visible=user.has_perm("projects.view_scores", project),
                has_scored=has_scored,
                has_conflict=conflict,
            )
        )
    sort = review_filter.sort if review_filter.sort.lstrip("-") in QUEUE_SORTS else "submitted"
    field, descending = sort.lstrip("-"), sort.startswith("-")
    known = [row for row in rows if _sort_key(row, field) is not None]
    unknown = [row for row in rows if _sort_key(row, field) is None]
    known.sort(key=lambda row: (_sort_key(row, field), row.project.pk), reverse=descending)
    return known + unknown  # rows without a value go last either way


def committee_officers(committee_id: int | None = None):
    """Active secretaries and committee members with a login (of every committee, or one), with their users."""
    officers = Member.objects.filter(
        is_active=True, user__isnull=False, committee_role__in=["secretary", "member"]
    ).select_related("user")
    return officers if committee_id is None else officers.filter(committee_id=committee_id)


def officers_without_conflict(project: MicroProject, officers, participants: set[int]) -> list[User]:
    """The users of `officers` (members of the project's committee) free of a conflict with the
    project (`rules.is_conflicted`), judged on data read beforehand, for lists of many projects:
    `participants` are the project's participant member ids."""
    leader_id = project.group.leader_id
    return [
        officer.user
        for officer in officers
        if not is_conflicted(
            project,
            user_id=officer.user_id,
            member_id=officer.pk,
            group_id=officer.group_id,
            leads_project_group=officer.pk == leader_id,
            participants=lambda: participants,
        )
    ]


def reviewers_for(project: MicroProject) -> list[User]:
    """Committee members who may score the project: everyone on the committee without a conflict
    (two queries: the officers, the project's participants)."""
    return officers_without_conflict(project, committee_officers(project.committee_id), participant_ids(project))


def review_subject(project: MicroProject) -> str:
    """The subject of the notices asking to score the project's current round (see notifications_resolve)."""
    return f"review:{project.pk}:{project.review_round}"


def active_criteria(committee_id: int) -> list[RubricCriterion]:
    """The committee's rubric in order: the criteria every score sheet fills in."""
    return list(RubricCriterion.objects.filter(committee_id=committee_id, is_active=True).order_by("position", "pk"))


def my_pending_reviews(user, queue: list[QueueRow] | None = None) -> list[MicroProject]:
    """Applications the user may score (projects.score_project) and has not scored this round.

    ``queue``: the rows of the unfiltered review queue (`review_queue` with a filter that does not
    narrow it), which hold every application under review with its current sheets and
    participants; the list is taken from them instead of reading the same rows again.
    """
    roles = roles_of(user)
    if roles.committee_id is None or not roles.is_committee_member:
        return []
    if queue is not None:
        projects = sorted(
            (row.project for row in queue if not row.has_scored and row.project.status in REVIEWABLE_STATUSES),
            key=lambda project: (project.submitted_at is None, project.submitted_at or project.created_at, project.pk),
        )
    else:
        own_sheet = ScoreSheet.objects.filter(
            project=OuterRef("pk"), reviewer_id=user.pk, review_round=OuterRef("review_round")
        )
        projects = (
            MicroProject.objects.filter(committee_id=roles.committee_id, status__in=REVIEWABLE_STATUSES)
            .exclude(Exists(own_sheet))
            .select_related("group", "project_type")
            .prefetch_related(_participants_prefetch())
            .order_by("submitted_at", "pk")
        )
    return [project for project in projects if user.has_perm("projects.score_project", project)]


def review_sheets(project: MicroProject) -> list[ScoreSheet]:
    """Every sheet of the application, newest round first, with scores and reviewers (two queries).

    The current round's are also kept on the project as ``current_sheets``, which the rules
    read instead of asking again; `review_table` builds on the same list.
    """
    sheets = list(
        ScoreSheet.objects.filter(project=project)
        .select_related("reviewer", "reviewer__member")
        .prefetch_related(
            Prefetch("scores", queryset=CriterionScore.objects.only("id", "sheet_id", "criterion_id", "score"))
        )
        .order_by("-review_round", "created_at", "pk")
    )
    project.current_sheets = [sheet for sheet in sheets if sheet.review_round == project.review_round]
    return sheets


def project_for_review(user, project_id: int) -> MicroProject | None:
    """One application of the user's committee with what the review page shows; None outside it."""
    committee_id = roles_of(user).committee_id
    if committee_id is None:
        return None
    return (
        MicroProject.objects.filter(committee_id=committee_id, pk=project_id)
        .select_related("group", "group__branch", "group__leader", "project_type", "created_by")
        .prefetch_related(
            "phases",
            Prefetch("targets", queryset=targets_in_order()),
            # Names for the application's summary, ids for the conflict-of-interest rule.
            Prefetch("participants", queryset=Member.objects.only("id", "name").order_by("name")),
        )
        .first()
    )


@dataclass(frozen=True)
class SheetRow:
    sheet: ScoreSheet
    reviewer_name: str
    scores: list[Decimal | None]  # in the order of ReviewTable.criteria


@dataclass(frozen=True)
class RoundTable:
    review_round: int
    is_current: bool
    rows: list[SheetRow]
    summary: ScoreSummary


@dataclass(frozen=True)
class ReviewTable:
    criteria: list[RubricCriterion]
    rounds: list[RoundTable]  # the current round first, then earlier ones

    @property
    def current(self) -> RoundTable:
        return self.rounds[0]


def _reviewer_name(user) -> str:
    member = getattr(user, "member", None)
    return member.name if member is not None else user.get_username()


def review_table(
    project: MicroProject, sheets: list[ScoreSheet] | None = None, active: list[RubricCriterion] | None = None
) -> ReviewTable:
    """Every sheet of the application grouped by round, with per-criterion scores and summaries.

    Columns are the committee's active criteria plus any retired one a sheet still uses.
    Three queries whatever the number of sheets; one when given `review_sheets`' list, none when
    also given `active_criteria`' list and no sheet uses a retired criterion.
    """
    if sheets is None:
        sheets = review_sheets(project)
    if active is None:
        active = active_criteria(project.committee_id)
    # Retired criteria come from the sheets already read: joining the district's criterion
    # scores with DISTINCT to find them cost more than the rest of the page.
    retired = {score.criterion_id for sheet in sheets for score in sheet.scores.all()} - {c.pk for c in active}
    criteria = sorted(
        [*active, *(RubricCriterion.objects.filter(pk__in=retired) if retired else ())],
        key=lambda criterion: (criterion.position, criterion.pk),
    )
    by_round: dict[int, list[SheetRow]] = {project.review_round: []}
    for sheet in sheets:
        scores = {score.criterion_id: score.score for score in sheet.scores.all()}
        by_round.setdefault(sheet.review_round, []).append(
            SheetRow(
                sheet=sheet,
                reviewer_name=_reviewer_name(sheet.reviewer),
                scores=[scores.get(criterion.pk) for criterion in criteria],
            )
        )
    rounds = [
        RoundTable(
            review_round=number,
            is_current=number == project.review_round,
            rows=rows,
            summary=ScoreSummary.of(row.sheet.weighted_total for row in rows),
        )
        for number, rows in sorted(by_round.items(), key=lambda item: (item[0] != project.review_round, -item[0]))
    ]
    return ReviewTable(criteria=criteria, rounds=rounds)


@dataclass(frozen=True)
class DecisionRecord:
    """The secretary's latest decision on the application: what, when, by whom and her comment."""

    label: str
    decided_at: datetime.datetime
    comment: str
    decided_by: str
    review_round: int
    below_quorum: bool
    not_scored: list[str]


# The decision as the secretary chose it (立项 / 退回修改 / 不予立项), by the event it wrote.
_DECISION_ACTIONS = {
    EventAction.APPROVED: Decision.APPROVE,
    EventAction.RETURNED: Decision.RETURN,
    EventAction.REJECTED: Decision.REJECT,
}


def decision_of(project: MicroProject) -> DecisionRecord | None:
    """The latest decision event of the project, if it was ever decided (one query)."""
    event = (
        ProjectEvent.objects.filter(project=project, action__in=list(_DECISION_ACTIONS))
        .select_related("actor__member")
        .order_by("-created_at", "-pk")
        .first()
    )
    return _decision_record(event) if event is not None else None


def decision_in(events) -> DecisionRecord | None:
    """The latest decision among events already read, oldest first (the project page's timeline,
    which carries their actors' names and details): no query of its own."""
    decided = [event for event in events if event.action in _DECISION_ACTIONS]
    return _decision_record(decided[-1]) if decided else None


def _decision_record(event: ProjectEvent) -> DecisionRecord:
    return DecisionRecord(
        label=_DECISION_ACTIONS[EventAction(event.action)].label,
        decided_at=event.created_at,
        comment=event.comment,
        decided_by=_reviewer_name(event.actor),
        review_round=event.review_round,
        below_quorum=bool(event.details.get("below_quorum")),
        not_scored=list(event.details.get("not_scored") or []),
    )
