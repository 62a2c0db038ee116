"""Every write to micro-projects: the application, the review and the workflow.

Each service checks state and permission first, raises ProjectError with a translated
message, and writes a ProjectEvent, so the timeline tells who did what, when and why.
"""

import datetime
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Group
from config import input_bounds as bounds
from config.document_checks import EXTENSIONS, DocumentKind, DocumentRefused, check_ooxml, check_pdf
from config.idempotency import ClientIdInUse, create_once
from members.models import Member, User
from members.roles import roles_of
from members.services import notification_send, notifications_resolve

from .calendar_selectors import Quorum, application_window, resubmission_due_on, review_quorum
from .enums import Decision, EventAction, ProjectStatus, Recommendation
from .errors import ProjectError
from .models import (
    CriterionScore,
    Indicator,
    MicroProject,
    ProjectPhase,
    ProjectTarget,
    ProjectType,
    RubricCriterion,
    ScoreSheet,
)
from .rules import has_conflict_of_interest, participant_ids
from .scoring import weighted_total
from .workflow import lock_project, record_event, require_permission, transition

# What each verified kind may be called: the name must agree with the content, never decide it.
ALLOWED_ATTACHMENT_TYPES = {
    DocumentKind.PDF: {".pdf"},
    DocumentKind.DOCX: {".docx"},
    DocumentKind.XLSX: {".xlsx"},
    DocumentKind.PPTX: {".pptx"},
}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class PhaseData:
    title: str
    starts_on: datetime.date
    ends_on: datetime.date
    description: str = ""


@dataclass(frozen=True)
class TargetData:
    indicator: Indicator
    target_value: Decimal


@dataclass(frozen=True)
class ApplicationData:
    """What a group leader writes; any part may be empty while it is a draft."""

    title: str
    school_year: str
    project_type: ProjectType | None = None
    background: str = ""
    goals: str = ""
    expected_achievements: str = ""
    participants: list[Member] = field(default_factory=list)
    phases: list[PhaseData] = field(default_factory=list)
    targets: list[TargetData] = field(default_factory=list)


def check_attachment(upload: UploadedFile) -> DocumentKind:
    """The kind of a real PDF, DOCX, XLSX or PPTX within the size limit, judged by its content.

    The name's extension only has to agree with what the content is; PDFs must show pages and
    nothing else, Office files must be plain (document_checks); anything else is refused.
    """
    if upload.size is None or upload.size > MAX_ATTACHMENT_BYTES:
        raise ProjectError(_("附件不能超过 10 MB。"))
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            kind = check_pdf(upload.read(MAX_ATTACHMENT_BYTES + 1))
        elif head.startswith(b"PK\x03\x04"):
            kind = check_ooxml(upload)
        else:
            raise DocumentRefused(_("附件只能是 PDF、Word（.docx）、Excel（.xlsx）或 PowerPoint（.pptx）文件。"))
    except DocumentRefused as refused:
        raise ProjectError(_("附件未通过检查：%(reason)s") % {"reason": refused.message}) from refused
    finally:
        upload.seek(0)
    if Path(upload.name or "").suffix.lower() not in ALLOWED_ATTACHMENT_TYPES.get(kind, ()):
        raise ProjectError(_("附件内容与文件类型不符。"))
    return kind


def _attach(project: MicroProject, attachment: UploadedFile, kind: DocumentKind) -> None:
    """Keep the uploader's name for display only; the stored name and served type come from the kind."""
    project.attachment_name = (attachment.name or "")[:255]
    project.attachment_kind = kind
    attachment.name = f"attachment{EXTENSIONS[kind]}"
    project.attachment = attachment


def _write_application(project: MicroProject, data: ApplicationData) -> None:
    group_branch_id = project.group.branch_id
    for member in data.participants:
        if (
            member.committee_id != project.committee_id
            or member.group is None
            or member.group.branch_id != group_branch_id
        ):
            raise ProjectError(_("参与党员只能从本党支部的党员中选择：%(name)s 不在本支部。") % {"name": member.name})
    if data.project_type is not None and data.project_type.committee_id != project.committee_id:
        raise ProjectError(_("项目类型不存在。"))
    indicator_ids = [target.indicator.pk for target in data.targets]
    if len(indicator_ids) != len(set(indicator_ids)):
        raise ProjectError(_("同一指标只能设置一个目标值。"))
    for target in data.targets:
        if target.indicator.committee_id != project.committee_id:
            raise ProjectError(_("指标不存在。"))
        if not Decimal(target.target_value).is_finite() or target.target_value <= 0:
            raise ProjectError(_("目标值必须大于 0。"))
        if target.target_value > bounds.INDICATOR_VALUE_MAX:
            raise ProjectError(_("目标值不能超过 %(max)s。") % {"max": bounds.INDICATOR_VALUE_MAX})
    for phase in data.phases:
        for day in (phase.starts_on, phase.ends_on):
            if message := bounds.date_window_error(day, past_only=False):
                raise ProjectError(_("阶段「%(title)s」：%(reason)s") % {"title": phase.title, "reason": message})
        if phase.ends_on < phase.starts_on:
            raise ProjectError(_("阶段「%(title)s」的结束日期早于开始日期。") % {"title": phase.title})

    project.title = data.title
    project.school_year = data.school_year
    project.project_type = data.project_type
    project.background = data.background
    project.goals = data.goals
    project.expected_achievements = data.expected_achievements
    project.save()
    project.participants.set(data.participants)
    # Phases and targets are replaced as a whole while the application is editable;
    # the event log keeps each saved version's summary.
    project.phases.all().delete()
    ProjectPhase.objects.bulk_create(
        [
            ProjectPhase(
                project=project,
                title=phase.title,
                starts_on=phase.starts_on,
                ends_on=phase.ends_on,
                description=phase.description,
            )
            for phase in data.phases
        ]
    )
    project.targets.all().delete()
    # One by one, not bulk_create: each save tells the statistics (stats.freshness) what changed.
    for target in data.targets:
        ProjectTarget.objects.create(project=project, indicator=target.indicator, target_value=target.target_value)


def _snapshot(data: ApplicationData) -> dict:
    return {
        "title": data.title,
        "targets": {target.indicator.name: str(target.target_value) for target in data.targets},
        "phases": len(data.phases),
        "participants": len(data.participants),
    }


@transaction.atomic
def project_create(
    *,
    actor: User,
    group: Group,
    data: ApplicationData,
    attachment: UploadedFile | None = None,
    client_id: uuid.UUID | None = None,
) -> MicroProject:
    """A new draft application for the actor's group (the actor must lead it).

    With a `client_id` (the form's one-time id) a repeated post answers with the application the
    first one made, and two racing posts make one.
    """
    roles = roles_of(actor)
    if group.pk not in roles.led_group_ids:
        raise ProjectError(_("只有本党小组的党小组长可以申报项目。"))
    attachment_kind = check_attachment(attachment) if attachment is not None else ""

    def create() -> MicroProject:
        project = MicroProject(
            committee_id=group.branch.committee_id,
            group=group,
            title=data.title,
            school_year=data.school_year,
            created_by=actor,
            client_id=client_id,
        )
        if attachment is not None:
            _attach(project, attachment, attachment_kind)
        try:
            project.save()
        except IntegrityError:
            # A racing post with the same one-time id won: the file stored for this one must go.
            if project.attachment:
                project.attachment.storage.delete(project.attachment.name)
            raise
        _write_application(project, data)
        record_event(project, actor, EventAction.CREATED, to_status=ProjectStatus.DRAFT, details=_snapshot(data))
        return project

    try:
        return create_once(MicroProject, client_id, owner="created_by", actor=actor, create=create)
    except ClientIdInUse as error:
        raise ProjectError(_("这份表单的提交编号已被使用，请刷新页面后重新填写。")) from error


@transaction.atomic
def project_update(
    *, actor: User, project: MicroProject, data: ApplicationData, attachment: UploadedFile | None = None
) -> MicroProject:
    """Save the application's new content; only while it is a draft or returned for revision."""
    project = lock_project(project)
    require_permission(
        actor,
        "projects.change_project",
        project,
        _("只有申报党小组的组长可以在草稿或退回修改状态下编辑项目。"),
    )
    if attachment is not None:
        _attach(project, attachment, check_attachment(attachment))
    _write_application(project, data)
    return project


def missing_for_submission(project: MicroProject) -> list[str]:
    """What the application still lacks before it can be submitted (empty when complete)."""
    missing = []
    if not project.title.strip():
        missing.append(_("项目名称"))
    if project.project_type_id is None:
        missing.append(_("项目类型"))
    if not project.background.strip():
        missing.append(_("项目背景"))
    if not project.goals.strip():
        missing.append(_("项目目标"))
    if not project.expected_achievements.strip():
        missing.append(_("预期成果"))
    if not project.phases.exists():
        missing.append(_("至少一个实施阶段"))
    if not project.targets.exists():
        missing.append(_("至少一项指标目标"))
    if not project.participants.exists():
        missing.append(_("参与党员"))
    return missing


def committee_officers(committee_id: int | None = None):
    """Active secretaries and committee members with a login (of every committee, or one), with their users."""
    officers = Member.objects.filter(
        is_active=True, user__isnull=False, committee_role__in=["secretary", "member"]
    ).select_related("user")
    return officers if committee_id is None else officers.filter(committee_id=committee_id)


def officers_without_conflict(project: MicroProject, officers, participants: set[int]) -> list[User]:
    """The users of `officers` (members of the project's committee) free of a conflict with the
    project: `rules.has_conflict_of_interest` on data read beforehand, for lists of many projects."""
    leader_id = project.group.leader_id
    return [
        officer.user
        for officer in officers
        if officer.group_id != project.group_id
        and officer.pk != leader_id
        and officer.user_id != project.created_by_id
        and officer.pk not in participants
    ]


def reviewers_for(project: MicroProject) -> list[User]:
    """Committee members who may score the project: everyone on the committee without a conflict
    (two queries: the officers, the project's participants)."""
    return officers_without_conflict(project, committee_officers(project.committee_id), participant_ids(project))


@transaction.atomic
def project_submit(*, actor: User, project: MicroProject) -> MicroProject:
    """Hand the application to the committee; a returned one comes back as a new review round."""
    project = lock_project(project)
    require_permission(
        actor,
        "projects.submit_project",
        project,
        _("只有申报党小组的组长可以提交草稿或退回修改的项目。"),
    )
    missing = missing_for_submission(project)
    if missing:
        raise ProjectError(
            _("申报内容不完整，请补充：%(items)s。") % {"items": "、".join(str(item) for item in missing)}
        )
    _check_window(project)
    resubmission = project.status == ProjectStatus.RETURNED
    if resubmission:
        project.review_round += 1
    project.submitted_at = timezone.now()
    transition(
        project, actor, ProjectStatus.SUBMITTED, EventAction.RESUBMITTED if resubmission else EventAction.SUBMITTED
    )
    notification_send(
        recipients=reviewers_for(project),
        message=_("%(group)s提交了项目申报《%(title)s》，请评审。")
        % {"group": project.group.name, "title": project.title},
        link=reverse("projects:review", args=[project.pk]),
        subject=review_subject(project),
    )
    # The leader's own reminders to resubmit (if it was returned) are done.
    notifications_resolve(subject=f"returned:{project.pk}:", prefix=True)
    return project


def review_subject(project: MicroProject) -> str:
    """The subject of the notices asking to score the project's current round (see notifications_resolve)."""
    return f"review:{project.pk}:{project.review_round}"


def _check_window(project: MicroProject) -> None:
    """Refuse a submission outside the year's application window (and the group's extension);
    a returned application has its own time to come back (`resubmission_due_on`)."""
    today = timezone.localdate()
    if project.status == ProjectStatus.RETURNED:
        due = resubmission_due_on(project)
        if due is None or today <= due:
            return
        raise ProjectError(
            _("退回修改的申报须在 %(due)s 前重新提交，现已逾期。如需延期，请联系党委书记。")
            % {"due": f"{due:%Y-%m-%d}"}
        )
    window = application_window(project.group_id, project.committee_id, project.school_year)
    if window.accepts(today):
        return
    if window.opens_on and today < window.opens_on:
        raise ProjectError(
            _("%(year)s 学年的项目申报 %(opens)s 开始、%(closes)s 截止，尚未开始，请届时提交。")
            % {
                "year": project.school_year,
                "opens": f"{window.opens_on:%Y-%m-%d}",
                "closes": f"{window.closes_on:%Y-%m-%d}" if window.closes_on else "—",
            }
        )
    raise ProjectError(
        _("%(year)s 学年的项目申报已于 %(closes)s 截止。如需延期，请联系党委书记。")
        % {"year": project.school_year, "closes": f"{window.last_day:%Y-%m-%d}"}
    )


@transaction.atomic
def project_withdraw(*, actor: User, project: MicroProject, comment: str = "") -> MicroProject:
    """Withdraw an application that has not been decided; it stays on record as 已撤回."""
    project = lock_project(project)
    require_permission(actor, "projects.withdraw_project", project, _("只有申报党小组的组长可以撤回尚未决定的申报。"))
    transition(project, actor, ProjectStatus.WITHDRAWN, EventAction.WITHDRAWN, comment)
    return project


@transaction.atomic
def review_start(*, actor: User, project: MicroProject) -> MicroProject:
    """Open the review of a submitted application (also done by the first score sheet)."""
    project = lock_project(project)
    if not roles_of(actor).is_committee_member or not actor.has_perm("projects.view_project", project):
        raise ProjectError(_("只有党委委员可以开始评审。"))
    transition(project, actor, ProjectStatus.IN_REVIEW, EventAction.REVIEW_STARTED)
    return project


def active_criteria(committee_id: int) -> list[RubricCriterion]:
    return list(RubricCriterion.objects.filter(committee_id=committee_id, is_active=True).order_by("position", "pk"))


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


@transaction.atomic
def project_start(*, actor: User, project: MicroProject) -> MicroProject:
    """Move an approved project into implementation (实施中)."""
    project = lock_project(project)
    require_permission(actor, "projects.start_project", project, _("只有党小组长或党委书记可以启动已立项的项目。"))
    transition(project, actor, ProjectStatus.IN_PROGRESS, EventAction.STARTED)
    return project


@transaction.atomic
def project_conclude(*, actor: User, project: MicroProject, comment: str = "") -> MicroProject:
    """Conclude (结项) a project in progress; it becomes read-only."""
    project = lock_project(project)
    require_permission(actor, "projects.conclude_project", project, _("只有党委书记可以为实施中的项目结项。"))
    transition(project, actor, ProjectStatus.CONCLUDED, EventAction.CONCLUDED, comment)
    return project
