"""Every write to activity logs, photos and achievements.

Each service checks permission and state first and raises ActivityError with a message fit
for the user. Activity edits and archives keep a revision with the content before the
change; photos are stored only as our own clean re-encoding, and their display sizes are
made by a Celery task queued once the upload has committed.
"""

import datetime
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Member, User
from members.roles import roles_of
from members.services import notification_send
from projects.models import Indicator, MicroProject

from . import images
from .enums import AchievementKind, AchievementLevel, AchievementRank, AchievementStatus, ActivityType, RevisionAction
from .errors import ActivityError, ImageRefused
from .models import PHOTO_DISPLAY_MAX_FAILURES, Achievement, ActivityLog, ActivityRevision, IndicatorValue, Photo
from .signals import achievement_figures_changed, project_figures_changed

logger = logging.getLogger(__name__)

MAX_PHOTOS_PER_UPLOAD = 30
MAX_CERTIFICATE_BYTES = images.MAX_UPLOAD_BYTES


@dataclass(frozen=True)
class IndicatorValueData:
    indicator: Indicator
    value: Decimal


@dataclass(frozen=True)
class ActivityData:
    """What a group leader files about one activity."""

    date: datetime.date
    activity_type: str
    title: str
    place: str = ""
    participants: list[Member] = field(default_factory=list)
    beneficiaries_count: int = 0
    beneficiaries: str = ""
    duration_hours: Decimal = Decimal("0")
    narrative: str = ""
    indicator_values: list[IndicatorValueData] = field(default_factory=list)


def _require(actor: User, permission: str, obj, message: str) -> None:
    if not actor.has_perm(permission, obj):
        raise ActivityError(message)


def _lock_project(project: MicroProject) -> MicroProject:
    """Re-read the project under a row lock: it cannot be concluded while an activity is written."""
    return MicroProject.objects.select_for_update().get(pk=project.pk)


def _lock_activity(activity: ActivityLog) -> ActivityLog:
    locked = ActivityLog.objects.select_for_update().get(pk=activity.pk)
    locked.project = _lock_project(locked.project)
    return locked


def _check_activity(project: MicroProject, data: ActivityData) -> None:
    if not data.title.strip():
        raise ActivityError(_("请填写活动名称。"))
    if data.activity_type not in ActivityType.values:
        raise ActivityError(_("请选择活动类型。"))
    if data.date > timezone.localdate():
        raise ActivityError(_("活动日期不能晚于今天。"))
    if data.beneficiaries_count < 0:
        raise ActivityError(_("受益人数不能为负数。"))
    if data.duration_hours < 0:
        raise ActivityError(_("活动时长不能为负数。"))
    for member in data.participants:
        if member.committee_id != project.committee_id:
            raise ActivityError(_("参与党员 %(name)s 不是本校党员。") % {"name": member.name})
    indicator_ids = [item.indicator.pk for item in data.indicator_values]
    if len(indicator_ids) != len(set(indicator_ids)):
        raise ActivityError(_("同一指标在一条活动记录中只能填写一次。"))
    for item in data.indicator_values:
        if item.indicator.committee_id != project.committee_id:
            raise ActivityError(_("指标不存在。"))
        if item.value <= 0:
            raise ActivityError(_("指标「%(name)s」的完成值必须大于 0。") % {"name": item.indicator.name})


def _write_activity(activity: ActivityLog, data: ActivityData) -> None:
    activity.date = data.date
    activity.activity_type = data.activity_type
    activity.title = data.title.strip()
    activity.place = data.place.strip()
    activity.beneficiaries_count = data.beneficiaries_count
    activity.beneficiaries = data.beneficiaries.strip()
    activity.duration_hours = data.duration_hours
    activity.narrative = data.narrative
    activity.save()
    activity.participants.set(data.participants)
    activity.indicator_values.all().delete()
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(activity=activity, indicator=item.indicator, value=item.value)
            for item in data.indicator_values
        ]
    )


def activity_snapshot(activity: ActivityLog) -> dict:
    """The activity's content as plain JSON, as kept in its revisions."""
    return {
        "date": activity.date.isoformat(),
        "activity_type": activity.activity_type,
        "title": activity.title,
        "place": activity.place,
        "participants": [{"id": member.pk, "name": member.name} for member in activity.participants.order_by("pk")],
        "beneficiaries_count": activity.beneficiaries_count,
        "beneficiaries": activity.beneficiaries,
        "duration_hours": str(activity.duration_hours),
        "narrative": activity.narrative,
        "indicator_values": [
            {"indicator_id": value.indicator_id, "indicator": value.indicator.name, "value": str(value.value)}
            for value in activity.indicator_values.select_related("indicator").order_by("indicator_id")
        ],
        "is_archived": activity.is_archived,
    }


def _revise(activity: ActivityLog, actor: User, action: RevisionAction) -> ActivityRevision:
    return ActivityRevision.objects.create(
        activity=activity, action=action, edited_by=actor, snapshot=activity_snapshot(activity)
    )


@transaction.atomic
def activity_log_create(*, actor: User, project: MicroProject, data: ActivityData) -> ActivityLog:
    """File an activity of an approved or in-progress project: the group's leader or a member they delegated."""
    project = _lock_project(project)
    _require(
        actor,
        "activities.add_activity",
        project,
        _("只有本党小组的组长或获组长授权的党员可以为已立项或实施中的项目填写活动记录。"),
    )
    _check_activity(project, data)
    activity = ActivityLog(project=project, created_by=actor)
    _write_activity(activity, data)
    project_figures_changed(project)
    return activity


@transaction.atomic
def activity_log_update(*, actor: User, activity: ActivityLog, data: ActivityData) -> ActivityLog:
    """Change an activity log; the content before the change is kept as a revision."""
    activity = _lock_activity(activity)
    _require(
        actor,
        "activities.change_activity",
        activity,
        _("只有本党小组的组长或获组长授权的党员可以修改活动记录；项目结项后或记录归档后不能再修改。"),
    )
    _check_activity(activity.project, data)
    _revise(activity, actor, RevisionAction.UPDATED)
    _write_activity(activity, data)
    project_figures_changed(activity.project)
    return activity


@transaction.atomic
def activity_log_archive(*, actor: User, activity: ActivityLog) -> ActivityLog:
    """Archive (never delete) an activity log; its figures no longer count, its history stays."""
    activity = _lock_activity(activity)
    _require(
        actor,
        "activities.archive_activity",
        activity,
        _("只有本党小组的组长可以归档活动记录；项目结项后不能再归档。"),
    )
    _revise(activity, actor, RevisionAction.ARCHIVED)
    activity.is_archived = True
    activity.save(update_fields=["is_archived", "updated_at"])
    project_figures_changed(activity.project)
    return activity


@dataclass(frozen=True)
class PhotoRefusal:
    file_name: str
    message: str


@dataclass
class PhotoUploadResult:
    """Photos saved and files refused, each with its reason; one bad file does not stop the others."""

    saved: list[Photo] = field(default_factory=list)
    refused: list[PhotoRefusal] = field(default_factory=list)


def _send_display_sizes(photo_id: int) -> None:
    from .tasks import make_photo_display_sizes  # noqa: PLC0415 - task/service handshake

    try:
        # retry=False: with the broker down, fail at once instead of holding the request.
        make_photo_display_sizes.apply_async(args=[photo_id], retry=False)
    except Exception:
        # The upload has committed and stands; the periodic sweep makes the missing sizes later.
        logger.warning("photos: display sizes of photo %s not queued", photo_id, exc_info=True)


def _queue_display_sizes(photo_id: int) -> None:
    # After commit: the worker must find the row, and a rolled-back upload queues nothing.
    transaction.on_commit(partial(_send_display_sizes, photo_id))


# A photo whose display sizes failed PHOTO_DISPLAY_MAX_FAILURES times is retried after this long.
PHOTO_DISPLAY_RETRY_AFTER = datetime.timedelta(days=1)


def photos_missing_display_sizes(*, older_than: datetime.timedelta, limit: int) -> list[int]:
    """Ids of photos uploaded before ``older_than`` ago that still lack a display size.

    Those that never failed come first, oldest first; photos that failed repeatedly (a damaged
    original) are offered once a day only, so they neither loop forever nor crowd out the rest.
    """
    now = timezone.now()
    return list(
        Photo.objects.filter(Q(display_small="") | Q(display_large=""), created_at__lt=now - older_than)
        .filter(
            Q(display_failures__lt=PHOTO_DISPLAY_MAX_FAILURES)
            | Q(display_failed_at__lt=now - PHOTO_DISPLAY_RETRY_AFTER)
        )
        .order_by("display_failures", "created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def _upload_refused() -> str:
    return _("只有本党小组的党员可以为已立项或实施中项目的活动上传照片。")


@dataclass(frozen=True)
class _StoredOriginal:
    file_name: str
    storage_name: str
    width: int
    height: int


def photo_upload(
    *, actor: User, activity: ActivityLog, files: Sequence[UploadedFile], caption: str = ""
) -> PhotoUploadResult:
    """Store the good photos of an upload and say why each bad one was refused.

    Teachers of the project's group and its leader may upload while the project is open.
    Files are checked and re-encoded before the transaction that creates the rows, so no
    lock is held while images decode; a refused file writes nothing at all. Returns at once:
    display sizes are made by `make_photo_display_sizes` after commit.
    """
    _require(actor, "activities.upload_photo", activity, _upload_refused())
    if not files:
        raise ActivityError(_("请选择要上传的照片。"))
    if len(files) > MAX_PHOTOS_PER_UPLOAD:
        raise ActivityError(_("一次最多上传 %(count)s 张照片。") % {"count": MAX_PHOTOS_PER_UPLOAD})
    result = PhotoUploadResult()
    originals: list[_StoredOriginal] = []
    field_file = Photo._meta.get_field("original")
    try:
        for upload in files:
            file_name = (upload.name or "")[:255]
            try:
                clean = images.clean_upload(upload)
            except ImageRefused as refused:
                result.refused.append(PhotoRefusal(file_name, refused.message))
                continue
            name = field_file.generate_filename(None, f"photo{clean.extension}")
            # Stored one by one, so a 30-photo upload never holds every decoded file in memory.
            originals.append(
                _StoredOriginal(
                    file_name, field_file.storage.save(name, ContentFile(clean.content)), clean.width, clean.height
                )
            )
        if originals:
            result.saved = _photos_create(actor=actor, activity=activity, originals=originals, caption=caption)
    except BaseException:
        # Rows roll back with their transaction; the files stored for them must go too.
        for original in originals:
            field_file.storage.delete(original.storage_name)
        raise
    return result


@transaction.atomic
def _photos_create(
    *, actor: User, activity: ActivityLog, originals: list[_StoredOriginal], caption: str
) -> list[Photo]:
    # Checked again under the lock: the project may have been concluded while files were decoding.
    activity = _lock_activity(activity)
    _require(actor, "activities.upload_photo", activity, _upload_refused())
    saved = []
    for original in originals:
        photo = Photo.objects.create(
            activity=activity,
            uploaded_by=actor,
            original=original.storage_name,
            original_name=original.file_name,
            caption=caption.strip()[:200],
            width=original.width,
            height=original.height,
        )
        saved.append(photo)
        _queue_display_sizes(photo.pk)
    project_figures_changed(activity.project)
    return saved


@transaction.atomic
def photo_archive(*, actor: User, photo: Photo) -> Photo:
    """Hide a photo from galleries without deleting it (the uploader or the group's leader)."""
    photo = Photo.objects.select_for_update().select_related("activity__project").get(pk=photo.pk)
    _require(actor, "activities.archive_photo", photo, _("只有上传人或本党小组的组长可以归档照片。"))
    photo.is_archived = True
    photo.save(update_fields=["is_archived"])
    project_figures_changed(photo.activity.project)
    return photo


def photo_display_sizes_make(*, photo_id: int) -> Photo | None:
    """Make the photo's display sizes if they are missing; harmless to run again.

    Returns None when the photo no longer exists (e.g. its upload was rolled back).
    """
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None:
        return None
    storage = photo.original.storage
    if (
        photo.has_display_sizes
        and storage.exists(photo.display_small.name)
        and storage.exists(photo.display_large.name)
    ):
        return photo
    try:
        with photo.original.open("rb") as original:
            small, large = images.DISPLAY_SIZES
            renditions = images.display_renditions(original, (small, large))
    except Exception:
        # Counted, so the sweep stops offering a damaged original every few minutes; the task
        # still retries what may be a passing storage error.
        Photo.objects.filter(pk=photo_id).update(
            display_failures=F("display_failures") + 1, display_failed_at=timezone.now()
        )
        raise
    new_small = storage.save(
        photo.display_small.field.generate_filename(photo, "small.jpg"), ContentFile(renditions[small])
    )
    new_large = storage.save(
        photo.display_large.field.generate_filename(photo, "large.jpg"), ContentFile(renditions[large])
    )
    old_small, old_large = photo.display_small.name or "", photo.display_large.name or ""
    # Only the run that still sees the old names wins; a concurrent run's files are removed.
    won = Photo.objects.filter(pk=photo_id, display_small=old_small, display_large=old_large).update(
        display_small=new_small, display_large=new_large
    )
    for name in (old_small, old_large) if won else (new_small, new_large):
        if name:
            storage.delete(name)
    photo.refresh_from_db()
    return photo


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
    if not data.title.strip():
        raise ActivityError(_("请填写成果名称。"))
    if data.kind not in AchievementKind.values:
        raise ActivityError(_("请选择成果类别。"))
    if data.level not in AchievementLevel.values:
        raise ActivityError(_("请选择成果级别。"))
    if data.rank not in AchievementRank.values:
        raise ActivityError(_("请选择等次。"))
    if data.awarded_on > timezone.localdate():
        raise ActivityError(_("获得日期不能晚于今天。"))
    if data.word_count is not None and data.word_count < 0:
        raise ActivityError(_("字数不能为负数。"))
    if data.project is not None and data.project.committee_id != committee_id:
        raise ActivityError(_("关联项目不存在。"))
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


def _clean_certificate(upload: UploadedFile) -> tuple[ContentFile, str]:
    """A certificate is a photo (cleaned like any photo) or a PDF within the size limit."""
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        if upload.size is None or upload.size > MAX_CERTIFICATE_BYTES:
            raise ActivityError(_("证书文件超过 %(limit)s MB。") % {"limit": MAX_CERTIFICATE_BYTES // (1024 * 1024)})
        return ContentFile(upload.read()), ".pdf"
    try:
        clean = images.clean_upload(upload)
    except ImageRefused as refused:
        raise ActivityError(_("证书只能是图片或 PDF 文件：%(reason)s") % {"reason": refused.message}) from refused
    return ContentFile(clean.content), clean.extension


@transaction.atomic
def achievement_record(*, actor: User, data: AchievementData, certificate: UploadedFile | None = None) -> Achievement:
    """Record an achievement for oneself, one's group (a leader) or anyone of the school (the committee).

    It waits as 待审核 until the secretary or a committee member verifies it.
    """
    _require(actor, "activities.record_achievement", None, _("只有本校党员可以填报成果。"))
    committee_id = roles_of(actor).committee_id
    _check_achievement(actor, committee_id, data)
    achievement = Achievement(
        committee_id=committee_id,
        kind=data.kind,
        title=data.title.strip(),
        level=data.level,
        rank=data.rank,
        issuing_body=data.issuing_body.strip(),
        awarded_on=data.awarded_on,
        pupils=data.pupils.strip(),
        word_count=data.word_count,
        project=data.project,
        is_committee_honour=data.is_committee_honour,
        recorded_by=actor,
    )
    return achievement_save(achievement, data=data, certificate=certificate)


def achievement_save(
    achievement: Achievement, *, data: AchievementData, certificate: UploadedFile | None
) -> Achievement:
    """Store the achievement, its credited members and a new certificate, if one was given.

    Part of achievement_record and achievement_update (callers hold the transaction and have
    checked permission and data): a certificate file stored before a failed save is removed.
    """
    stored_name = ""
    try:
        if certificate is not None:
            content, extension = _clean_certificate(certificate)
            achievement.certificate.save(f"certificate{extension}", content, save=False)
            achievement.certificate_name = (certificate.name or "")[:255]
            stored_name = achievement.certificate.name
        achievement.save()
        achievement.members.set([] if data.is_committee_honour else data.members)
    except BaseException:
        if stored_name:
            default_storage.delete(stored_name)
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
    _require(actor, "activities.verify_achievement", achievement, _("不能审核自己填报或署名的成果。"))


@transaction.atomic
def achievement_verify(*, actor: User, achievement: Achievement) -> Achievement:
    """Verify a pending achievement: from now on it counts in the statistics."""
    achievement = _lock_achievement(achievement)
    _check_reviewable(actor, achievement)
    achievement.status = AchievementStatus.VERIFIED
    achievement.verified_by = actor
    achievement.verified_at = timezone.now()
    achievement.save(update_fields=["status", "verified_by", "verified_at", "updated_at"])
    achievement_figures_changed(achievement)
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
