"""Every write of the review: opening it, the committee members' score sheets and the secretary's decision.

Each service checks state and permission first, raises ProjectError with a translated message and
writes a ProjectEvent (projects.workflow). Who may score is read in review_selectors.
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import User
from members.roles import roles_of
from members.services import notification_send, notifications_resolve

from .calendar_selectors import Quorum, review_quorum
from .enums import Decision, EventAction, ProjectStatus, Recommendation
from .errors import ProjectError
from .models import CriterionScore, MicroProject, ScoreSheet
from .review_selectors import active_criteria, reviewers_for
from .rules import has_conflict_of_interest
from .scoring import weighted_total
from .workflow import lock_project, record_event, require_permission, transition


@transaction.atomic
def review_start(*, actor: User, project: MicroProject) -> MicroProject:
    """Open the review of a submitted application (also done by the first score sheet)."""
    project = lock_project(project)
    if not roles_of(actor).is_committee_member or not actor.has_perm("projects.view_project", project):
        raise ProjectError(_("只有党委委员可以开始评审。"))
    transition(project, actor, ProjectStatus.IN_REVIEW, EventAction.REVIEW_STARTED)
    return project


@transaction.atomic
def score_record(
    *,
    actor: User,
    project: MicroProject,
    scores: Mapping[int, Decimal],
    recommendation: str,
    comment: str = "",
) -> ScoreSheet:
    """Record or revise the actor's score sheet for the current round.

    One sheet per reviewer per round, even when the same form arrives twice at once: the
    project row lock serialises them and the unique constraint backs it up.
    """
    project = lock_project(project)
    roles = roles_of(actor)
    if project.committee_id != roles.committee_id or not roles.is_committee_member:
        raise ProjectError(_("只有本校党委委员可以评分。"))
    if has_conflict_of_interest(actor, project):
        raise ProjectError(_("您是申报党小组成员、项目参与人或申报人，需回避评分。"))
    require_permission(
        actor,
        "projects.score_project",
        project,
        _("项目当前状态为「%(status)s」，不在评审中。") % {"status": ProjectStatus(project.status).label},
    )
    if recommendation not in Recommendation.values:
        raise ProjectError(_("请选择总体意见。"))
    criteria = active_criteria(project.committee_id)
    if not criteria:
        raise ProjectError(_("党委尚未设置评审维度。"))
    clean_scores: dict[int, Decimal] = {}
    for criterion in criteria:
        if criterion.pk not in scores or scores[criterion.pk] is None:
            raise ProjectError(_("请为「%(name)s」打分。") % {"name": criterion.name})
        value = Decimal(scores[criterion.pk])
        if value < 0 or value > criterion.max_score:
            raise ProjectError(
                _("「%(name)s」的得分必须在 0 到 %(max)s 之间。") % {"name": criterion.name, "max": criterion.max_score}
            )
        clean_scores[criterion.pk] = value
    total = weighted_total(clean_scores, criteria)

    if project.status == ProjectStatus.SUBMITTED:
        transition(project, actor, ProjectStatus.IN_REVIEW, EventAction.REVIEW_STARTED)

    sheet = ScoreSheet.objects.filter(project=project, reviewer=actor, review_round=project.review_round).first()
    previous_total = sheet.weighted_total if sheet else None
    if sheet is None:
        try:
            with transaction.atomic():
                sheet = ScoreSheet.objects.create(
                    project=project,
                    reviewer=actor,
                    review_round=project.review_round,
                    recommendation=recommendation,
                    comment=comment,
                    weighted_total=total,
                )
        except IntegrityError:
            # A concurrent post of the same form won the race: revise that sheet instead.
            sheet = ScoreSheet.objects.get(project=project, reviewer=actor, review_round=project.review_round)
            previous_total = sheet.weighted_total
    if previous_total is not None:
        sheet.recommendation = recommendation
        sheet.comment = comment
        sheet.weighted_total = total
        sheet.save(update_fields=["recommendation", "comment", "weighted_total", "updated_at"])
        sheet.scores.all().delete()
    CriterionScore.objects.bulk_create(
        [
            CriterionScore(sheet=sheet, criterion_id=criterion_id, score=value)
            for criterion_id, value in clean_scores.items()
        ]
    )
    notifications_resolve(subject=f"review:{project.pk}:", recipient=actor, prefix=True)
    record_event(
        project,
        actor,
        EventAction.SCORE_CHANGED if previous_total is not None else EventAction.SCORED,
        comment=comment,
        details={
            "weighted_total": str(total),
            "previous_total": str(previous_total) if previous_total is not None else None,
            "recommendation": recommendation,
            "scores": {str(key): str(value) for key, value in clean_scores.items()},
        },
    )
    return sheet


_DECISIONS = {
    Decision.APPROVE: (ProjectStatus.APPROVED, EventAction.APPROVED),
    Decision.RETURN: (ProjectStatus.RETURNED, EventAction.RETURNED),
    Decision.REJECT: (ProjectStatus.REJECTED, EventAction.REJECTED),
}


class BelowQuorum(ProjectError):
    """The decision would be taken on fewer scores than the round's quorum, without confirmation."""

    def __init__(self, message: str, quorum: Quorum) -> None:
        super().__init__(message)
        self.quorum = quorum


def quorum_message(quorum: Quorum) -> str:
    names = "、".join(quorum.missing_names) or _("（无）")
    return _("本轮已有 %(scored)d 人评分，少于作出决定所需的 %(required)d 人。尚未评分：%(names)s。") % {
        "scored": quorum.scored,
        "required": quorum.required,
        "names": names,
    }


@transaction.atomic
def project_decide(
    *,
    actor: User,
    project: MicroProject,
    decision: str,
    comment: str,
    share_reviewer_comments: bool = False,
    confirm_below_quorum: bool = False,
) -> MicroProject:
    """The secretary's decision on an application in review, with a comment the group reads.

    Below the round's quorum (`calendar_selectors.review_quorum`) it is refused with `BelowQuorum`
    naming who has not scored, unless ``confirm_below_quorum``; then the audit row keeps the
    quorum, the count and those names.
    """
    project = lock_project(project)
    require_permission(actor, "projects.decide_project", project, _("只有党委书记可以对评审中的项目作出决定。"))
    if decision not in _DECISIONS:
        raise ProjectError(_("请选择决定：立项、退回修改或不予立项。"))
    if decision == Decision.RETURN and not comment.strip():
        raise ProjectError(_("退回修改时请写明修改意见。"))
    quorum = review_quorum(project, reviewers_for(project))
    if not quorum.reached and not confirm_below_quorum:
        raise BelowQuorum(quorum_message(quorum) + _("如确需作出决定，请勾选确认后再提交。"), quorum)
    to_status, action = _DECISIONS[Decision(decision)]
    project.decision_comment = comment
    project.share_reviewer_comments = share_reviewer_comments
    project.decided_at = timezone.now()
    transition(
        project,
        actor,
        to_status,
        action,
        comment,
        details={
            "quorum": quorum.required,
            "scores": quorum.scored,
            "below_quorum": not quorum.reached,
            "not_scored": quorum.missing_names,
        },
    )
    # Nobody needs to score this round any more.
    notifications_resolve(subject=f"review:{project.pk}:", prefix=True)
    leaders = [project.group.leader.user] if project.group.leader and project.group.leader.user else []
    notification_send(
        recipients=[*leaders, project.created_by],
        message=_("项目《%(title)s》：%(decision)s。") % {"title": project.title, "decision": Decision(decision).label},
        link=reverse("projects:detail", args=[project.pk]),
    )
    return project


def projects_decide_in_bulk(
    *, actor: User, projects: Iterable[MicroProject], decision: str, comment: str
) -> tuple[list[MicroProject], list[tuple[MicroProject, str]]]:
    """Decide several applications; each in its own transaction. Returns (decided, refused with reasons)."""
    decided, refused = [], []
    for project in projects:
        try:
            decided.append(project_decide(actor=actor, project=project, decision=decision, comment=comment))
        except ProjectError as error:
            refused.append((project, error.message))
    return decided, refused
