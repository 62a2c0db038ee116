"""Every write of the year-end assessment (考核): opening a round, its rubric and thresholds, scores, publication.

Each service checks state and permission first, raises YearEndError with a translated message
and writes an AssessmentEvent (who, when, what); publication also leaves a ProjectEvent on each
project's timeline and notifies the groups.
"""

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from config.idempotency import ClientIdInUse, create_once, created_before
from members.models import Member, User
from members.roles import roles_of
from members.services import notification_send
from projects.enums import EventAction, ProjectStatus
from projects.models import MicroProject, ProjectEvent
from projects.rules import has_conflict_of_interest
from projects.scoring import TWO_PLACES, weighted_total

from . import selectors as assessment_selectors
from .enums import AssessmentAction, AssessmentRating, AssessmentStatus
from .errors import YearEndError
from .models import (
    AssessmentCriterion,
    AssessmentEvent,
    AssessmentResult,
    AssessmentRound,
    AssessmentScore,
    AssessmentSheet,
)


@dataclass(frozen=True)
class CriterionData:
    name: str
    max_score: int
    weight: Decimal
    description: str = ""


# The rubric every round starts with; the secretary may change it until the first sheet is in.
DEFAULT_RUBRIC = [
    CriterionData("过程管理", 20, Decimal("1.00"), "按计划开展活动，活动记录及时完整，照片等佐证齐全。"),
    CriterionData("目标达成", 20, Decimal("1.50"), "各项指标完成值达到或超过申报时的目标值。"),
    CriterionData("成果质量", 20, Decimal("1.00"), "经党委认定的成果数量、级别与等次。"),
    CriterionData("特色创新", 20, Decimal("0.50"), "形式新颖，形成可推广的经验。"),
    CriterionData("群众评价", 20, Decimal("1.00"), "师生、家长和社区对项目的评价。"),
]
DEFAULT_THRESHOLDS = (Decimal(90), Decimal(80), Decimal(60))  # 优秀, 良好, 合格

_SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{4})$")


def _record(
    assessment_round: AssessmentRound,
    actor: User,
    action: AssessmentAction,
    *,
    project: MicroProject | None = None,
    comment: str = "",
    details: dict | None = None,
) -> AssessmentEvent:
    return AssessmentEvent.objects.create(
        assessment_round=assessment_round,
        project=project,
        actor=actor,
        action=action,
        comment=comment,
        details=details or {},
    )


def _lock(assessment_round: AssessmentRound) -> AssessmentRound:
    """Re-read the round under a row lock: scores, rubric edits and publication take turns."""
    return AssessmentRound.objects.select_for_update().get(pk=assessment_round.pk)


def _require(actor: User, permission: str, obj, message: str) -> None:
    if not actor.has_perm(permission, obj):
        raise YearEndError(message)


def _check_thresholds(excellent: Decimal, good: Decimal, passing: Decimal) -> None:
    if not (Decimal(0) <= passing < good < excellent <= Decimal(100)):
        raise YearEndError(_("分数线应满足：0 ≤ 合格 < 良好 < 优秀 ≤ 100。"))


def _thresholds(assessment_round: AssessmentRound) -> dict[str, str]:
    def plain(value) -> str:
        return str(Decimal(value).quantize(TWO_PLACES))

    return {
        "excellent": plain(assessment_round.excellent_threshold),
        "good": plain(assessment_round.good_threshold),
        "pass": plain(assessment_round.pass_threshold),
    }


def _rubric(criteria: Sequence[AssessmentCriterion | CriterionData]) -> list[dict]:
    return [
        {"name": criterion.name, "max_score": criterion.max_score, "weight": str(criterion.weight)}
        for criterion in criteria
    ]


def _committee_officers(committee_id: int, *, exclude: User) -> list[User]:
    officers = Member.objects.filter(
        committee_id=committee_id, is_active=True, user__isnull=False, committee_role__in=["secretary", "member"]
    ).select_related("user")
    return [officer.user for officer in officers if officer.user != exclude]


def _opened_before(client_id: uuid.UUID | None, actor: User, in_use: YearEndError) -> AssessmentRound | None:
    """The round this actor already opened with this form's one-time id, if any."""
    try:
        return created_before(AssessmentRound, client_id, owner="opened_by", actor=actor)
    except ClientIdInUse as error:
        raise in_use from error


@transaction.atomic
def assessment_round_open(
    *,
    actor: User,
    school_year: str,
    excellent_threshold: Decimal = DEFAULT_THRESHOLDS[0],
    good_threshold: Decimal = DEFAULT_THRESHOLDS[1],
    pass_threshold: Decimal = DEFAULT_THRESHOLDS[2],
    client_id: uuid.UUID | None = None,
) -> AssessmentRound:
    """Open the assessment of a school year's concluded projects with the default rubric.

    With a `client_id` (the form's one-time id) a repeated post answers with the round the first
    one opened, and two racing posts open one.
    """
    committee_id = roles_of(actor).committee_id
    if committee_id is None or not actor.has_perm("yearend.open_assessment"):
        raise YearEndError(_("只有党委书记可以开启年度考核。"))
    in_use = YearEndError(_("这份表单的提交编号已被使用，请刷新页面后重新填写。"))
    # Before the checks: the repeat of an opening finds its school year taken.
    if (earlier := _opened_before(client_id, actor, in_use)) is not None:
        return earlier
    school_year = school_year.strip()
    match = _SCHOOL_YEAR.match(school_year)
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise YearEndError(_("学年格式应为“2024-2025”，后一年比前一年大 1。"))
    _check_thresholds(excellent_threshold, good_threshold, pass_threshold)
    taken = YearEndError(_("本校 %(year)s 学年的考核已经开启。") % {"year": school_year})
    if AssessmentRound.objects.filter(committee_id=committee_id, school_year=school_year).exists():
        # Opened by a racing copy of this post, committed since the first look for its id? Then
        # that round (with its rubric and notices) is the answer, not an error.
        if (earlier := _opened_before(client_id, actor, in_use)) is not None:
            return earlier
        raise taken
    if not MicroProject.objects.filter(
        committee_id=committee_id, school_year=school_year, status=ProjectStatus.CONCLUDED
    ).exists():
        raise YearEndError(
            _("%(year)s 学年还没有已结项的项目，不能开启考核。请先为实施完成的项目结项。") % {"year": school_year}
        )
    made: list[AssessmentRound] = []

    def create() -> AssessmentRound:
        made.append(
            AssessmentRound.objects.create(
                committee_id=committee_id,
                school_year=school_year,
                excellent_threshold=excellent_threshold,
                good_threshold=good_threshold,
                pass_threshold=pass_threshold,
                opened_by=actor,
                client_id=client_id,
            )
        )
        return made[0]

    try:
        assessment_round = create_once(AssessmentRound, client_id, owner="opened_by", actor=actor, create=create)
    except IntegrityError as exc:
        raise taken from exc
    except ClientIdInUse as error:
        raise in_use from error
    if not made:  # a racing copy of this post opened it, with its rubric and notices
        return assessment_round
    AssessmentCriterion.objects.bulk_create(
        [
            AssessmentCriterion(
                assessment_round=assessment_round,
                name=criterion.name,
                description=criterion.description,
                max_score=criterion.max_score,
                weight=criterion.weight,
                position=position,
            )
            for position, criterion in enumerate(DEFAULT_RUBRIC, start=1)
        ]
    )
    _record(
        assessment_round,
        actor,
        AssessmentAction.OPENED,
        details={"thresholds": _thresholds(assessment_round), "rubric": _rubric(DEFAULT_RUBRIC)},
    )
    notification_send(
        recipients=_committee_officers(committee_id, exclude=actor),
        message=_("党委开启了 %(year)s 学年党建微项目年度考核，请为已结项的项目评分。") % {"year": school_year},
        link=reverse("yearend:assessment_round", args=[assessment_round.pk]),
    )
    return assessment_round


@transaction.atomic
def assessment_thresholds_set(
    *,
    actor: User,
    assessment_round: AssessmentRound,
    excellent_threshold: Decimal,
    good_threshold: Decimal,
    pass_threshold: Decimal,
) -> AssessmentRound:
    """Change the rating thresholds; allowed until the results are published."""
    assessment_round = _lock(assessment_round)
    _require(
        actor,
        "yearend.set_assessment_thresholds",
        assessment_round,
        _("只有党委书记可以在考核结果公布前修改等次分数线。"),
    )
    _check_thresholds(excellent_threshold, good_threshold, pass_threshold)
    before = _thresholds(assessment_round)
    assessment_round.excellent_threshold = excellent_threshold
    assessment_round.good_threshold = good_threshold
    assessment_round.pass_threshold = pass_threshold
    assessment_round.save(update_fields=["excellent_threshold", "good_threshold", "pass_threshold"])
    _record(
        assessment_round,
        actor,
        AssessmentAction.THRESHOLDS_CHANGED,
        details={"from": before, "to": _thresholds(assessment_round)},
    )
    return assessment_round


@transaction.atomic
def assessment_rubric_save(
    *, actor: User, assessment_round: AssessmentRound, criteria: Sequence[CriterionData]
) -> list[AssessmentCriterion]:
    """Replace the round's rubric as a whole; only before the first sheet, so every sheet shares one rubric."""
    assessment_round = _lock(assessment_round)
    if not actor.has_perm("yearend.set_assessment_thresholds", assessment_round):
        raise YearEndError(_("只有党委书记可以在考核结果公布前修改考核细则。"))
    if assessment_round.sheets.exists():
        raise YearEndError(_("已有委员提交考核评分，考核细则不能再修改。"))
    _require(actor, "yearend.edit_assessment_rubric", assessment_round, _("考核细则不能再修改。"))
    if not criteria:
        raise YearEndError(_("考核细则至少需要一个维度。"))
    names = [criterion.name.strip() for criterion in criteria]
    if any(not name for name in names):
        raise YearEndError(_("请填写考核维度的名称。"))
    if len(set(names)) != len(names):
        raise YearEndError(_("考核维度的名称不能重复。"))
    for criterion in criteria:
        if criterion.max_score < 1:
            raise YearEndError(_("「%(name)s」的满分至少为 1 分。") % {"name": criterion.name})
        if criterion.weight <= 0:
            raise YearEndError(_("「%(name)s」的权重必须大于 0。") % {"name": criterion.name})
    before = _rubric(list(assessment_round.criteria.order_by("position", "pk")))
    assessment_round.criteria.all().delete()
    saved = AssessmentCriterion.objects.bulk_create(
        [
            AssessmentCriterion(
                assessment_round=assessment_round,
                name=criterion.name.strip(),
                description=criterion.description,
                max_score=criterion.max_score,
                weight=criterion.weight,
                position=position,
            )
            for position, criterion in enumerate(criteria, start=1)
        ]
    )
    _record(
        assessment_round,
        actor,
        AssessmentAction.RUBRIC_CHANGED,
        details={"from": before, "to": _rubric(criteria)},
    )
    return saved


@transaction.atomic
def assessment_score_record(
    *,
    actor: User,
    assessment_round: AssessmentRound,
    project: MicroProject,
    scores: Mapping[int, Decimal],
    comment: str = "",
) -> AssessmentSheet:
    """Record or revise the actor's sheet for a concluded project, until the results are published.

    One sheet per assessor, project and round, even when the same form arrives twice at once:
    the round's row lock serialises them and the unique constraint backs it up.
    """
    assessment_round = _lock(assessment_round)
    project = MicroProject.objects.select_related("group").get(pk=project.pk)
    roles = roles_of(actor)
    if assessment_round.committee_id != roles.committee_id or not roles.is_committee_member:
        raise YearEndError(_("只有本校党委委员可以参与考核评分。"))
    if has_conflict_of_interest(actor, project):
        raise YearEndError(_("您是该项目所在党小组成员、项目参与人或申报人，需回避考核评分。"))
    if assessment_round.status != AssessmentStatus.OPEN:
        raise YearEndError(_("考核结果已经公布，不能再评分或修改评分。"))
    entry = assessment_selectors.AssessmentEntry(assessment_round=assessment_round, project=project)
    _require(
        actor,
        "yearend.score_assessment",
        entry,
        _("该项目不在本次考核范围内：只考核 %(year)s 学年已结项的项目。") % {"year": assessment_round.school_year},
    )
    criteria = list(assessment_round.criteria.order_by("position", "pk"))
    if not criteria:
        raise YearEndError(_("本次考核尚未设置考核维度。"))
    clean_scores: dict[int, Decimal] = {}
    for criterion in criteria:
        if scores.get(criterion.pk) is None:
            raise YearEndError(_("请为「%(name)s」打分。") % {"name": criterion.name})
        value = Decimal(scores[criterion.pk])
        if value < 0 or value > criterion.max_score:
            raise YearEndError(
                _("「%(name)s」的得分必须在 0 到 %(max)s 之间。") % {"name": criterion.name, "max": criterion.max_score}
            )
        clean_scores[criterion.pk] = value
    total = weighted_total(clean_scores, criteria)

    lookup = {"assessment_round": assessment_round, "project": project, "assessor": actor}
    sheet = AssessmentSheet.objects.filter(**lookup).first()
    previous_total = sheet.weighted_total if sheet else None
    if sheet is None:
        try:
            with transaction.atomic():
                sheet = AssessmentSheet.objects.create(**lookup, comment=comment, weighted_total=total)
        except IntegrityError:
            # A concurrent post of the same form won the race: revise that sheet instead.
            sheet = AssessmentSheet.objects.get(**lookup)
            previous_total = sheet.weighted_total
    if previous_total is not None:
        sheet.comment = comment
        sheet.weighted_total = total
        sheet.save(update_fields=["comment", "weighted_total", "updated_at"])
        sheet.scores.all().delete()
    AssessmentScore.objects.bulk_create(
        [AssessmentScore(sheet=sheet, criterion_id=pk, score=value) for pk, value in clean_scores.items()]
    )
    names = {criterion.pk: criterion.name for criterion in criteria}
    _record(
        assessment_round,
        actor,
        AssessmentAction.SCORE_CHANGED if previous_total is not None else AssessmentAction.SCORED,
        project=project,
        comment=comment,
        details={
            "weighted_total": str(total),
            "previous_total": str(previous_total) if previous_total is not None else None,
            "scores": {names[pk]: str(value) for pk, value in clean_scores.items()},
        },
    )
    return sheet


@transaction.atomic
def assessment_publish(*, actor: User, assessment_round: AssessmentRound) -> list[AssessmentResult]:
    """Freeze each project's mean, rating and rank and show them to the groups.

    Every concluded project of the year needs at least one sheet; after publication the sheets,
    rubric and thresholds stay as they are.
    """
    assessment_round = _lock(assessment_round)
    _require(actor, "yearend.publish_assessment", assessment_round, _("只有党委书记可以公布尚未公布的考核结果。"))
    ranking = assessment_selectors.assessment_ranking(assessment_round)
    if not ranking:
        raise YearEndError(
            _("%(year)s 学年还没有已结项的项目，无可公布的考核结果。") % {"year": assessment_round.school_year}
        )
    unscored = [row.project.title for row in ranking if row.mean is None]
    if unscored:
        raise YearEndError(_("以下项目尚无考核评分，不能公布：%(titles)s。") % {"titles": "、".join(unscored)})
    results = AssessmentResult.objects.bulk_create(
        [
            AssessmentResult(
                assessment_round=assessment_round,
                project=row.project,
                sheet_count=row.sheet_count,
                mean=row.mean,
                rating=row.rating,
                rank=row.rank,
            )
            for row in ranking
        ]
    )
    assessment_round.status = AssessmentStatus.PUBLISHED
    assessment_round.published_by = actor
    assessment_round.published_at = timezone.now()
    assessment_round.save(update_fields=["status", "published_by", "published_at"])
    summary = [
        {"project": row.project.pk, "title": row.project.title, "mean": str(row.mean), "rating": row.rating}
        for row in ranking
    ]
    _record(
        assessment_round,
        actor,
        AssessmentAction.PUBLISHED,
        details={"thresholds": _thresholds(assessment_round), "results": summary},
    )
    for row in ranking:
        rating = AssessmentRating(row.rating).label
        ProjectEvent.objects.create(
            project=row.project,
            actor=actor,
            action=EventAction.ASSESSMENT_PUBLISHED,
            review_round=row.project.review_round,
            comment=_("%(year)s 学年考核：%(rating)s，平均分 %(mean)s。")
            % {"year": assessment_round.school_year, "rating": rating, "mean": row.mean},
            details={"assessment_round": assessment_round.pk, "mean": str(row.mean), "rating": row.rating},
        )
        leader = row.project.group.leader
        notification_send(
            recipients=[leader.user if leader else None, row.project.created_by],
            message=_("项目《%(title)s》%(year)s 学年考核结果：%(rating)s。")
            % {"title": row.project.title, "year": assessment_round.school_year, "rating": rating},
            link=reverse("projects:detail", args=[row.project.pk]),
        )
    return results
