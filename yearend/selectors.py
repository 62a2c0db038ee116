"""Reads for the year-end assessment: rounds, the projects each round assesses, sheets, ranking, evidence.

Everything is scoped to the user's committee and asks a fixed number of queries however many
projects or sheets a round has; means come from projects.scoring.ScoreSummary over one
prefetched query of sheets, as in the review.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from activities.activity_selectors import project_progress
from activities.enums import AchievementLevel, AchievementStatus
from activities.models import Achievement, ActivityLog
from config.percentages import percent
from members.models import Member
from members.roles import roles_of
from projects.enums import ProjectStatus
from projects.models import MicroProject
from projects.rules import has_conflict_of_interest
from projects.scoring import ScoreSummary
from projects.selectors import targets_in_order
from stats.scopes import school_years

from .enums import AssessmentStatus
from .models import (
    AssessmentCriterion,
    AssessmentEvent,
    AssessmentResult,
    AssessmentRound,
    AssessmentScore,
    AssessmentSheet,
)


@dataclass
class AssessmentEntry:
    """One project of a round with the round's sheets of it; the object of the entry permissions."""

    assessment_round: AssessmentRound
    project: MicroProject
    sheets: list[AssessmentSheet] = field(default_factory=list)

    @property
    def committee_id(self) -> int:
        return self.project.committee_id

    @property
    def assessor_ids(self) -> set[int]:
        return {sheet.assessor_id for sheet in self.sheets}

    @property
    def summary(self) -> ScoreSummary:
        return ScoreSummary.of(sheet.weighted_total for sheet in self.sheets)

    @property
    def rating(self) -> str | None:
        return self.assessment_round.rating_for(self.summary.mean)


def _concluded_in_year(committee_id: int, school_year: str) -> QuerySet[MicroProject]:
    return MicroProject.objects.filter(
        committee_id=committee_id, school_year=school_year, status=ProjectStatus.CONCLUDED
    )


def assessment_rounds_of(user) -> list[AssessmentRound]:
    """The committee's rounds, newest year first, each with `sheet_count` and `project_count` (one query)."""
    roles = roles_of(user)
    if roles.committee_id is None or not roles.is_committee_member:
        return []
    concluded = (
        MicroProject.objects.filter(
            committee_id=OuterRef("committee_id"),
            school_year=OuterRef("school_year"),
            status=ProjectStatus.CONCLUDED,
        )
        .order_by()
        .values("committee_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    sheets = (
        AssessmentSheet.objects.filter(assessment_round=OuterRef("pk"))
        .order_by()
        .values("assessment_round")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return list(
        AssessmentRound.objects.filter(committee_id=roles.committee_id)
        .annotate(
            project_count=Coalesce(Subquery(concluded, output_field=IntegerField()), 0),
            sheet_count=Coalesce(Subquery(sheets, output_field=IntegerField()), 0),
        )
        .order_by("-school_year", "-pk")
    )


def assessment_round_for(user, round_id: int) -> AssessmentRound | None:
    """A round of the user's committee with its rubric loaded; None outside it (a view answers 404)."""
    committee_id = roles_of(user).committee_id
    if committee_id is None:
        return None
    return (
        AssessmentRound.objects.filter(committee_id=committee_id, pk=round_id)
        .prefetch_related(Prefetch("criteria", queryset=AssessmentCriterion.objects.order_by("position", "pk")))
        .first()
    )


def school_years_to_assess(user) -> tuple[list[str], str]:
    """For the open form: every school year with data, newest first (the dashboards' list), and
    the default, the newest with a concluded project and no round yet (two queries). A year
    without one stays in the list; the service refuses it with a message saying why."""
    committee_id = roles_of(user).committee_id
    if committee_id is None:
        return [], ""
    found = school_years(committee_id)
    years = list(reversed(found.years))
    taken = set(AssessmentRound.objects.filter(committee_id=committee_id).values_list("school_year", flat=True))
    return years, next((year for year in years if year in found.concluded and year not in taken), "")


def _round_sheets_prefetch(assessment_round: AssessmentRound) -> Prefetch:
    return Prefetch(
        "assessment_sheets",
        queryset=AssessmentSheet.objects.filter(assessment_round=assessment_round).only(
            "id", "project_id", "assessor_id", "assessment_round_id", "weighted_total"
        ),
        to_attr="round_sheets",
    )


def assessment_entries(assessment_round: AssessmentRound) -> list[AssessmentEntry]:
    """The concluded projects the round assesses, each with its sheets (three queries)."""
    projects = (
        _concluded_in_year(assessment_round.committee_id, assessment_round.school_year)
        .select_related("group", "group__branch", "project_type")
        .prefetch_related(
            Prefetch("participants", queryset=Member.objects.only("id")), _round_sheets_prefetch(assessment_round)
        )
        .order_by("group__position", "title", "pk")
    )
    return [
        AssessmentEntry(assessment_round=assessment_round, project=project, sheets=project.round_sheets)
        for project in projects
    ]


class AssessmentState:
    SCORED = "scored"
    PENDING = "pending"
    CONFLICT = "conflict"
    CLOSED = "closed"  # published without the user's sheet


@dataclass(frozen=True)
class BoardRow:
    entry: AssessmentEntry
    scores_visible: bool  # projects.view_assessment_scores
    state: str

    @property
    def visible_summary(self) -> ScoreSummary:
        """The count always; the mean only for those who may see the scores."""
        summary = self.entry.summary
        if self.scores_visible:
            return summary
        return ScoreSummary(count=summary.count, mean=None, median=None, spread=None)

    @property
    def visible_rating(self) -> str | None:
        return self.entry.assessment_round.rating_for(self.visible_summary.mean)


def assessment_board(user, assessment_round: AssessmentRound) -> list[BoardRow]:
    """The round's projects as the user sees them: their own state, and the mean once allowed."""
    rows = []
    for entry in assessment_entries(assessment_round):
        if has_conflict_of_interest(user, entry.project):
            state = AssessmentState.CONFLICT
        elif user.pk in entry.assessor_ids:
            state = AssessmentState.SCORED
        elif assessment_round.status == AssessmentStatus.OPEN:
            state = AssessmentState.PENDING
        else:
            state = AssessmentState.CLOSED
        rows.append(
            BoardRow(
                entry=entry,
                scores_visible=user.has_perm("yearend.view_assessment_scores", entry),
                state=state,
            )
        )
    return rows


@dataclass(frozen=True)
class RankingRow:
    project: MicroProject
    rank: int | None  # None: no sheet yet
    sheet_count: int
    mean: Decimal | None
    rating: str | None


def _ranked(rows: list[tuple[MicroProject, ScoreSummary, str | None]]) -> list[RankingRow]:
    """Highest mean first; equal means share a rank (1, 2, 2, 4), listed in group order; unscored last."""
    scored = sorted(
        (row for row in rows if row[1].mean is not None),
        key=lambda row: (-row[1].mean, row[0].group.position, row[0].pk),
    )
    ranking, previous_mean, rank = [], None, 0
    for position, (project, summary, rating) in enumerate(scored, start=1):
        if summary.mean != previous_mean:
            rank, previous_mean = position, summary.mean
        ranking.append(RankingRow(project, rank, summary.count, summary.mean, rating))
    for project, summary, _rating in rows:
        if summary.mean is None:
            ranking.append(RankingRow(project, None, 0, None, None))
    return ranking


def assessment_ranking(assessment_round: AssessmentRound) -> list[RankingRow]:
    """The ranking table: frozen results once published, else computed from the current sheets.

    One query when published, three before.
    """
    if assessment_round.status == AssessmentStatus.PUBLISHED:
        results = AssessmentResult.objects.filter(assessment_round=assessment_round).select_related(
            "project", "project__group", "project__group__branch", "project__project_type"
        )
        return [
            RankingRow(result.project, result.rank, result.sheet_count, result.mean, result.rating)
            for result in results.order_by("rank", "project__group__position", "project_id")
        ]
    return _ranked([(entry.project, entry.summary, entry.rating) for entry in assessment_entries(assessment_round)])


def assessment_entry_for(user, round_id: int, project_id: int) -> AssessmentEntry | None:
    """A concluded project of a round of the user's committee, with what its sheet page shows.

    None when the round is not the committee's or the project is not one the round assesses.
    """
    assessment_round = assessment_round_for(user, round_id)
    if assessment_round is None:
        return None
    project = (
        _concluded_in_year(assessment_round.committee_id, assessment_round.school_year)
        .filter(pk=project_id)
        .select_related("group", "group__branch", "group__leader", "project_type", "created_by")
        .prefetch_related(
            "phases",
            Prefetch("targets", queryset=targets_in_order()),
            Prefetch("participants", queryset=Member.objects.select_related("group").order_by("name")),
            _round_sheets_prefetch(assessment_round),
        )
        .first()
    )
    if project is None:
        return None
    return AssessmentEntry(assessment_round=assessment_round, project=project, sheets=project.round_sheets)


def own_sheet(user, entry: AssessmentEntry) -> AssessmentSheet | None:
    """The user's sheet of the entry with its scores, for the form's initial values."""
    return (
        AssessmentSheet.objects.filter(
            assessment_round=entry.assessment_round, project=entry.project, assessor_id=user.pk
        )
        .prefetch_related("scores")
        .first()
    )


@dataclass(frozen=True)
class AssessorRow:
    sheet: AssessmentSheet
    assessor_name: str
    scores: list[Decimal | None]  # in the order of the round's criteria


def _person_name(user) -> str:
    member = getattr(user, "member", None)
    return member.name if member is not None else user.get_username()


def assessment_sheet_rows(entry: AssessmentEntry) -> list[AssessorRow]:
    """Every sheet of the entry with per-criterion scores, in the order of the round's criteria (two queries)."""
    criteria = list(entry.assessment_round.criteria.all())
    sheets = (
        AssessmentSheet.objects.filter(assessment_round=entry.assessment_round, project=entry.project)
        .select_related("assessor", "assessor__member")
        .prefetch_related(
            Prefetch("scores", queryset=AssessmentScore.objects.only("id", "sheet_id", "criterion_id", "score"))
        )
        .order_by("created_at", "pk")
    )
    rows = []
    for sheet in sheets:
        scores = {score.criterion_id: score.score for score in sheet.scores.all()}
        rows.append(
            AssessorRow(
                sheet=sheet,
                assessor_name=_person_name(sheet.assessor),
                scores=[scores.get(criterion.pk) for criterion in criteria],
            )
        )
    return rows


@dataclass(frozen=True)
class Evidence:
    """What a project did against what it promised: the figures beside the score sheet."""

    progress: list  # activities.activity_selectors.TargetProgress, one per target
    activities: int
    photos: int
    activities_with_photos: int
    verified_achievements: int
    achievements_by_level: list[tuple[str, int]]  # (level label, count), levels with none left out

    @property
    def coverage_percent(self) -> float | None:
        """Share of activities with at least one photo, in percent with one decimal (None without activities)."""
        return percent(self.activities_with_photos, self.activities)


def evidence_of(project: MicroProject) -> Evidence:
    """Target completion, activities, photos, evidence coverage and verified achievements (three queries)."""
    live_photo = Q(photos__is_archived=False)
    figures = ActivityLog.objects.filter(project=project, is_archived=False).aggregate(
        activity_count=Count("pk", distinct=True),
        photo_count=Count("photos", filter=live_photo, distinct=True),
        with_photos=Count("pk", filter=live_photo, distinct=True),
    )
    by_level = dict(
        Achievement.objects.filter(project=project, status=AchievementStatus.VERIFIED)
        .values("level")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("level", "count")
    )
    return Evidence(
        progress=project_progress(project),
        activities=figures["activity_count"],
        photos=figures["photo_count"],
        activities_with_photos=figures["with_photos"],
        verified_achievements=sum(by_level.values()),
        achievements_by_level=[(level.label, by_level[level]) for level in AchievementLevel if by_level.get(level)],
    )


def my_pending_assessments(user) -> list[AssessmentEntry]:
    """Projects of open rounds the user may score (projects.score_project) and has not scored yet."""
    roles = roles_of(user)
    if roles.committee_id is None or not roles.is_committee_member:
        return []
    pending = []
    rounds = AssessmentRound.objects.filter(committee_id=roles.committee_id, status=AssessmentStatus.OPEN)
    for assessment_round in rounds:
        for entry in assessment_entries(assessment_round):
            if user.pk not in entry.assessor_ids and user.has_perm("yearend.score_assessment", entry):
                pending.append(entry)
    return pending


def published_result_of(user, project: MicroProject) -> AssessmentResult | None:
    """The project's latest published result, for those allowed to see it.

    One query, and none for a project that is not concluded: only concluded projects are assessed.
    """
    if project.status != ProjectStatus.CONCLUDED or not user.has_perm("yearend.view_assessment_result", project):
        return None
    return (
        AssessmentResult.objects.filter(project=project, assessment_round__status=AssessmentStatus.PUBLISHED)
        .select_related("assessment_round")
        .order_by("-assessment_round__school_year", "-pk")
        .first()
    )


def published_results_for_groups(user) -> list[AssessmentResult]:
    """Published results of the projects of the groups the user leads or belongs to (one query)."""
    roles = roles_of(user)
    group_ids = set(roles.led_group_ids) | ({roles.group_id} if roles.group_id else set())
    if roles.committee_id is None or not group_ids:
        return []
    return list(
        AssessmentResult.objects.filter(
            project__committee_id=roles.committee_id,
            project__group_id__in=group_ids,
            assessment_round__status=AssessmentStatus.PUBLISHED,
        )
        .select_related("assessment_round", "project")
        .order_by("-assessment_round__school_year", "rank", "pk")
    )


def assessment_events(assessment_round: AssessmentRound) -> QuerySet[AssessmentEvent]:
    """The round's audit trail, oldest first, with who and which project."""
    return (
        AssessmentEvent.objects.filter(assessment_round=assessment_round)
        .select_related("actor", "actor__member", "project")
        .order_by("created_at", "pk")
    )
