"""Every write of an application: writing it, submitting or withdrawing it, starting and concluding it.

Each service checks state and permission first, raises ProjectError with a translated message
and writes a ProjectEvent (projects.workflow), so the timeline tells who did what, when and why.
The review's writes (score sheets, decisions) are in review_services.
"""

import datetime
import uuid
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

from .calendar_selectors import application_window, resubmission_due_on
from .enums import EventAction, ProjectStatus
from .errors import ProjectError
from .models import Indicator, MicroProject, ProjectPhase, ProjectTarget, ProjectType
from .review_selectors import review_subject, reviewers_for
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
