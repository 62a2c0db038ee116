"""Every write to achievements: record, verify, reject, and the recorder's revision.

Editing a rejected achievement is a resubmission: it goes back to 待审核 and the rejection,
with the content it judged, is kept as a revision. Verified achievements are final.
"""

import dataclasses
import datetime
import uuid
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config import input_bounds as bounds
from config.document_checks import EXTENSIONS, DocumentKind, DocumentRefused, check_pdf, image_kind
from config.idempotency import ClientIdInUse, create_once
from config.text_input import clean_title
from members.models import Member, User
from members.roles import roles_of
from members.services import notification_send
from projects.models import MicroProject
from projects.school_years import school_year_bounds

from . import certificate_previews, images
from .enums import AchievementKind, AchievementLevel, AchievementRank, AchievementStatus
from .errors import ActivityError, ImageRefused
from .models import (
    Achievement,
    AchievementRevision,
)
from .rules import require_permission

MAX_CERTIFICATE_BYTES = images.MAX_UPLOAD_BYTES


@dataclass(frozen=True)
class AchievementData:
    """An achievement as a teacher, a leader or the committee records it."""

    kind: str
    title: str
    level: str
    awarded_on: datetime.date
    rank: str = AchievementRank.NONE
    issuing_body: str = ""
    members: list[Member] = field(default_factory=list)
    pupils: str = ""
    word_count: int | None = None
    project: MicroProject | None = None
    is_committee_honour: bool = False


def _check_achievement(actor: User, committee_id: int, data: AchievementData) -> None:
    roles = roles_of(actor)
    if not clean_title(data.title):
        raise ActivityError(_("请填写成果名称。"))
    if data.kind not in AchievementKind.values:
        raise ActivityError(_("请选择成果类别。"))
    if data.level not in AchievementLevel.values:
        raise ActivityError(_("请选择成果级别。"))
    if data.rank not in AchievementRank.values:
        raise ActivityError(_("请选择等次。"))
    if data.awarded_on > timezone.localdate():
        raise ActivityError(_("获得日期不能晚于今天。"))
    if message := bounds.date_window_error(data.awarded_on, past_only=True):
        raise ActivityError(_("获得日期：%(reason)s") % {"reason": message})
    if data.word_count is not None and data.word_count < 0:
        raise ActivityError(_("字数不能为负数。"))
    if data.word_count is not None and data.word_count > bounds.WORD_COUNT_MAX:
        raise ActivityError(_("字数不能超过 %(max)s。") % {"max": bounds.WORD_COUNT_MAX})
    if data.project is not None and data.project.committee_id != committee_id:
        raise ActivityError(_("关联项目不存在。"))
    if data.project is not None:
        start, end = school_year_bounds(data.project.school_year)
        if not start <= data.awarded_on <= end:
            raise ActivityError(
                _("关联微项目的成果，获得日期应在该项目所属的 %(year)s 学年内（%(start)s 至 %(end)s）。")
                % {"year": data.project.school_year, "start": start.isoformat(), "end": end.isoformat()}
            )
    if data.is_committee_honour:
        if not roles.is_committee_member:
            raise ActivityError(_("只有党委书记或党委委员可以填报党委集体荣誉。"))
        return
    if data.kind == AchievementKind.PUPILS_WORK and not data.pupils.strip():
        raise ActivityError(_("学生作品请填写学生姓名。"))
    if data.kind != AchievementKind.PUPILS_WORK and not data.members:
        raise ActivityError(_("请选择获得成果的党员。"))
    for member in data.members:
        if member.committee_id != committee_id:
            raise ActivityError(_("%(name)s 不是本校党员。") % {"name": member.name})
        may_credit = (
            roles.is_committee_member
            or member.pk == roles.member_id
            or (member.group_id is not None and member.group_id in roles.led_group_ids)
        )
        if not may_credit:
            raise ActivityError(
                _("只能为自己填报成果；党小组长可为本组党员填报：%(name)s 不在您的党小组。") % {"name": member.name}
            )


def _clean_certificate(upload: UploadedFile) -> tuple[bytes, DocumentKind]:
    """A certificate is a photo (re-encoded like any photo) or a PDF that only shows pages,
    judged by its content; its kind is stored and decides how it is served."""
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        if upload.size is None or upload.size > MAX_CERTIFICATE_BYTES:
            raise ActivityError(_("证书文件超过 %(limit)s MB。") % {"limit": MAX_CERTIFICATE_BYTES // (1024 * 1024)})
        data = upload.read(MAX_CERTIFICATE_BYTES + 1)
        upload.seek(0)
        try:
            return data, check_pdf(data)
        except DocumentRefused as refused:
            raise ActivityError(_("证书未通过检查：%(reason)s") % {"reason": refused.message}) from refused
    try:
        clean = images.clean_upload(upload)
    except ImageRefused as refused:
        raise ActivityError(_("证书只能是图片或 PDF 文件：%(reason)s") % {"reason": refused.message}) from refused
    return clean.content, image_kind(clean.extension)


@transaction.atomic
def achievement_record(
    *,
    actor: User,
    data: AchievementData,
    certificate: UploadedFile | None = None,
    client_id: uuid.UUID | None = None,
) -> Achievement:
    """Record an achievement for oneself, one's group (a leader) or anyone of the school (the committee).

    It waits as 待审核 until the secretary or a committee member verifies it. With a `client_id`
    (the form's one-time id) a repeated post answers with the achievement the first one made.
    """
    require_permission(actor, "activities.record_achievement", None, _("只有本校党员可以填报成果。"))
    committee_id = roles_of(actor).committee_id
    _check_achievement(actor, committee_id, data)
    achievement = Achievement(
        committee_id=committee_id,
        kind=data.kind,
        title=clean_title(data.title),
        level=data.level,
        rank=data.rank,
        issuing_body=data.issuing_body.strip(),
        awarded_on=data.awarded_on,
        pupils=data.pupils.strip(),
        word_count=data.word_count,
        project=data.project,
        is_committee_honour=data.is_committee_honour,
        recorded_by=actor,
        client_id=client_id,
    )
    try:
        return create_once(
            Achievement,
            client_id,
            owner="recorded_by",
            actor=actor,
            create=lambda: achievement_save(achievement, data=data, certificate=certificate),
        )
    except ClientIdInUse as error:
        raise ActivityError(_("这份表单的提交编号已被使用，请刷新页面后重新填写。")) from error


def achievement_save(
    achievement: Achievement, *, data: AchievementData, certificate: UploadedFile | None
) -> Achievement:
    """Store the achievement, its credited members and a new certificate, if one was given.

    Part of achievement_record and achievement_update (callers hold the transaction and have
    checked permission and data): a certificate file stored before a failed save is removed.
    A PDF certificate gets a first-page preview (certificate_previews) when it can be rendered;
    the preview of a replaced certificate is removed once the replacement is committed.
    """
    stored_names: list[str] = []
    try:
        if certificate is not None:
            content, kind = _clean_certificate(certificate)
            old_preview = achievement.certificate_preview.name or ""
            achievement.certificate.save(f"certificate{EXTENSIONS[kind]}", ContentFile(content), save=False)
            achievement.certificate_name = (certificate.name or "")[:255]
            achievement.certificate_kind = kind
            stored_names.append(achievement.certificate.name)
            # An image is its own thumbnail; a PDF gets its first page, or the icon if that fails.
            preview = certificate_previews.first_page_jpeg(content) if kind == DocumentKind.PDF else None
            if preview is not None:
                achievement.certificate_preview.save("preview.jpg", ContentFile(preview), save=False)
                stored_names.append(achievement.certificate_preview.name)
            else:
                achievement.certificate_preview = ""
            if old_preview:
                # The old certificate stays, named in its revision; its preview can be made again.
                transaction.on_commit(lambda: default_storage.delete(old_preview))
        achievement.save()
        achievement.members.set([] if data.is_committee_honour else data.members)
    except BaseException:
        for name in stored_names:
            default_storage.delete(name)
        raise
    return achievement


def _lock_achievement(achievement: Achievement) -> Achievement:
    return Achievement.objects.select_for_update().get(pk=achievement.pk)


def _check_reviewable(actor: User, achievement: Achievement) -> None:
    roles = roles_of(actor)
    if not roles.is_committee_member or roles.committee_id != achievement.committee_id:
        raise ActivityError(_("只有党委书记或党委委员可以审核成果。"))
    if achievement.status != AchievementStatus.PENDING:
        raise ActivityError(
            _("该成果已是「%(status)s」状态，不能再次审核。") % {"status": AchievementStatus(achievement.status).label}
        )
    require_permission(actor, "activities.verify_achievement", achievement, _("不能审核自己填报或署名的成果。"))


@transaction.atomic
def achievement_verify(*, actor: User, achievement: Achievement) -> Achievement:
    """Verify a pending achievement: from now on it counts in the statistics."""
    achievement = _lock_achievement(achievement)
    _check_reviewable(actor, achievement)
    achievement.status = AchievementStatus.VERIFIED
    achievement.verified_by = actor
    achievement.verified_at = timezone.now()
    achievement.save(update_fields=["status", "verified_by", "verified_at", "updated_at"])
    return achievement


@transaction.atomic
def achievement_reject(*, actor: User, achievement: Achievement, reason: str) -> Achievement:
    """Reject a pending achievement with the reason its recorder reads."""
    achievement = _lock_achievement(achievement)
    _check_reviewable(actor, achievement)
    if not reason.strip():
        raise ActivityError(_("请写明未通过的原因。"))
    achievement.status = AchievementStatus.REJECTED
    achievement.verified_by = actor
    achievement.verified_at = timezone.now()
    achievement.rejection_reason = reason.strip()
    achievement.save(update_fields=["status", "verified_by", "verified_at", "rejection_reason", "updated_at"])
    notification_send(
        recipients=[achievement.recorded_by],
        message=_("成果《%(title)s》未通过审核：%(reason)s")
        % {"title": achievement.title, "reason": achievement.rejection_reason},
    )
    return achievement


def achievement_snapshot(achievement: Achievement) -> dict:
    """The achievement's content as plain JSON, as kept in its revisions."""
    return {
        "kind": achievement.kind,
        "title": achievement.title,
        "level": achievement.level,
        "rank": achievement.rank,
        "issuing_body": achievement.issuing_body,
        "awarded_on": achievement.awarded_on.isoformat(),
        "members": [{"id": member.pk, "name": member.name} for member in achievement.members.order_by("pk")],
        "pupils": achievement.pupils,
        "word_count": achievement.word_count,
        "project_id": achievement.project_id,
        "certificate": achievement.certificate.name or "",
        "certificate_name": achievement.certificate_name,
    }


@transaction.atomic
def achievement_update(
    *, actor: User, achievement: Achievement, data: AchievementData, certificate: UploadedFile | None = None
) -> Achievement:
    """Let the recorder correct a pending or rejected achievement; a rejected one is resubmitted.

    The content before the edit, its status and any rejection reason are kept as an
    AchievementRevision; a replaced certificate file stays in storage, named in that revision.
    Whether it is a committee honour cannot change. Verified achievements are refused.
    """
    achievement = Achievement.objects.select_for_update().get(pk=achievement.pk)
    if achievement.status == AchievementStatus.VERIFIED:
        raise ActivityError(_("成果已认定，不能再修改。"))
    if not actor.has_perm("activities.change_achievement", achievement):
        raise ActivityError(_("只有成果的填报人可以修改待审核或未通过的成果。"))
    data = dataclasses.replace(data, is_committee_honour=achievement.is_committee_honour)
    _check_achievement(actor, achievement.committee_id, data)
    AchievementRevision.objects.create(
        achievement=achievement,
        edited_by=actor,
        status_before=achievement.status,
        rejection_reason=achievement.rejection_reason,
        snapshot=achievement_snapshot(achievement),
    )
    achievement.kind = data.kind
    achievement.title = clean_title(data.title)
    achievement.level = data.level
    achievement.rank = data.rank
    achievement.issuing_body = data.issuing_body.strip()
    achievement.awarded_on = data.awarded_on
    achievement.pupils = data.pupils.strip()
    achievement.word_count = data.word_count
    achievement.project = data.project
    if achievement.status == AchievementStatus.REJECTED:
        # Resubmitted: it waits for a fresh review; the old verdict lives on in the revision.
        achievement.status = AchievementStatus.PENDING
        achievement.verified_by = None
        achievement.verified_at = None
        achievement.rejection_reason = ""
    return achievement_save(achievement, data=data, certificate=certificate)
