"""Concluded projects and assessment rounds, written through the services as the committee would."""

from decimal import Decimal

from members.models import User
from projects import review_services, services
from projects.models import MicroProject
from tests.projects.workflow_fixtures import draft_of, full_scores
from yearend import services as assessment_services
from yearend.models import AssessmentRound

SCHOOL_YEAR = "2025-2026"  # the year of workflow_fixtures.complete_application


def approved_of(leader: User, title: str, school_year: str = SCHOOL_YEAR) -> MicroProject:
    """An approved application of the leader's group (the secretary, of no group, reviews it)."""
    secretary = User.objects.get(username="secretary")
    project = services.project_submit(actor=leader, project=draft_of(leader, title, school_year))
    review_services.score_record(
        actor=secretary, project=project, scores=full_scores(project), recommendation="approve"
    )
    return review_services.project_decide(
        actor=secretary, project=project, decision="approve", comment="同意立项。", confirm_below_quorum=True
    )


def in_progress_of(leader: User, title: str, school_year: str = SCHOOL_YEAR) -> MicroProject:
    return services.project_start(actor=leader, project=approved_of(leader, title, school_year))


def concluded_of(leader: User, title: str = "红领巾助学行动", school_year: str = SCHOOL_YEAR) -> MicroProject:
    secretary = User.objects.get(username="secretary")
    return services.project_conclude(
        actor=secretary, project=in_progress_of(leader, title, school_year), comment="按期完成。"
    )


def open_round(school_year: str = SCHOOL_YEAR) -> AssessmentRound:
    secretary = User.objects.get(username="secretary")
    return assessment_services.assessment_round_open(actor=secretary, school_year=school_year)


def assess(assessor: User, assessment_round: AssessmentRound, project: MicroProject, values, comment: str = ""):
    """Score the round's criteria in order with the given values."""
    criteria = list(assessment_round.criteria.order_by("position", "pk"))
    return assessment_services.assessment_score_record(
        actor=assessor,
        assessment_round=assessment_round,
        project=project,
        scores={criterion.pk: Decimal(str(value)) for criterion, value in zip(criteria, values, strict=True)},
        comment=comment,
    )


def sheet_post(assessment_round: AssessmentRound, values, comment: str = "") -> dict:
    criteria = list(assessment_round.criteria.order_by("position", "pk"))
    data = {f"criterion_{criterion.pk}": value for criterion, value in zip(criteria, values, strict=True)}
    return {**data, "comment": comment}
