"""Every write to photos: the upload (verified, re-encoded, stripped), the archive, the display sizes.

Photos are stored only as our own clean re-encoding; their display sizes are made by a Celery
task queued once the upload has committed.
"""

import datetime
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from config.idempotency import ClientIdInUse, create_once, created_before
from members.models import User

from . import images
from .activity_services import lock_activity
from .errors import ActivityError, ImageRefused
from .models import PHOTO_DISPLAY_MAX_FAILURES, ActivityLog, Photo
from .rules import require_permission

logger = logging.getLogger(__name__)


MAX_PHOTOS_PER_UPLOAD = 30


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
    client_id: uuid.UUID | None = None


def photo_client_id(upload_id: uuid.UUID | None, position: int) -> uuid.UUID | None:
    """Each file's own one-time id, derived from the upload form's id and the file's place in it."""
    return None if upload_id is None else uuid.uuid5(upload_id, str(position))


def photo_upload(
    *,
    actor: User,
    activity: ActivityLog,
    files: Sequence[UploadedFile],
    caption: str = "",
    client_id: uuid.UUID | None = None,
) -> PhotoUploadResult:
    """Store the good photos of an upload and say why each bad one was refused.

    Teachers of the project's group and its leader may upload while the project is open.
    Files are checked and re-encoded before the transaction that creates the rows, so no
    lock is held while images decode; a refused file writes nothing at all. Returns at once:
    display sizes are made by `make_photo_display_sizes` after commit. With a `client_id` (the
    upload form's one-time id) a repeated post stores no photo twice: it answers with the photos
    the first one stored.
    """
    require_permission(actor, "activities.upload_photo", activity, _upload_refused())
    if not files:
        raise ActivityError(_("请选择要上传的照片。"))
    if len(files) > MAX_PHOTOS_PER_UPLOAD:
        raise ActivityError(_("一次最多上传 %(count)s 张照片。") % {"count": MAX_PHOTOS_PER_UPLOAD})
    result = PhotoUploadResult()
    originals: list[_StoredOriginal] = []
    field_file = Photo._meta.get_field("original")
    try:
        for position, upload in enumerate(files):
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
                    file_name,
                    field_file.storage.save(name, ContentFile(clean.content)),
                    clean.width,
                    clean.height,
                    photo_client_id(client_id, position),
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


@dataclass(frozen=True)
class PhotoAdded:
    """One photo sent on its own: the row, and whether this request made it (False: a repeat)."""

    photo: Photo
    created: bool


def _photo_id_in_use() -> str:
    return _("这张照片的编号已用于另一条活动记录或另一位用户，未重复保存。")


def photo_add(
    *, actor: User, activity: ActivityLog, upload: UploadedFile, caption: str = "", client_id: uuid.UUID
) -> PhotoAdded:
    """Store one photo of an activity, sent on its own with the id the phone made for it.

    The capture page sends an activity's photos one request each (static/js/outbox.js): a dropped
    connection costs at most the photo in flight. A repeat of an id already stored for this
    activity by this user answers with that photo without decoding the file again; the same id
    on another activity or from another user is refused. Permission is checked on every send, and
    again under the activity's lock. Raises ImageRefused (a subclass of ActivityError) for a file
    that is not a safe photo.
    """
    require_permission(actor, "activities.upload_photo", activity, _upload_refused())
    try:
        earlier = created_before(
            Photo, client_id, owner="uploaded_by", actor=actor, within={"activity_id": activity.pk}
        )
    except ClientIdInUse as error:
        raise ActivityError(_photo_id_in_use()) from error
    if earlier is not None:
        return PhotoAdded(earlier, created=False)
    clean = images.clean_upload(upload)
    field_file = Photo._meta.get_field("original")
    name = field_file.generate_filename(None, f"photo{clean.extension}")
    stored = _StoredOriginal(
        (upload.name or "")[:255],
        field_file.storage.save(name, ContentFile(clean.content)),
        clean.width,
        clean.height,
        client_id,
    )
    try:
        (photo,) = _photos_create(actor=actor, activity=activity, originals=[stored], caption=caption)
    except BaseException:
        field_file.storage.delete(stored.storage_name)
        raise
    return PhotoAdded(photo, created=photo.original.name == stored.storage_name)


@transaction.atomic
def _photos_create(
    *, actor: User, activity: ActivityLog, originals: list[_StoredOriginal], caption: str
) -> list[Photo]:
    # Checked again under the lock: the project may have been concluded while files were decoding.
    activity = lock_activity(activity)
    require_permission(actor, "activities.upload_photo", activity, _upload_refused())
    saved = []
    for original in originals:
        try:
            photo = create_once(
                Photo,
                original.client_id,
                owner="uploaded_by",
                actor=actor,
                within={"activity_id": activity.pk},
                create=partial(
                    Photo.objects.create,
                    activity=activity,
                    uploaded_by=actor,
                    original=original.storage_name,
                    original_name=original.file_name,
                    caption=caption.strip()[:200],
                    width=original.width,
                    height=original.height,
                    client_id=original.client_id,
                ),
            )
        except ClientIdInUse as error:
            raise ActivityError(_("这份表单的提交编号已被使用，请刷新页面后重新上传。")) from error
        if photo.original.name != original.storage_name:
            # Stored by an earlier post of the same form: this post's copy of the file goes.
            transaction.on_commit(partial(Photo._meta.get_field("original").storage.delete, original.storage_name))
        else:
            _queue_display_sizes(photo.pk)
        saved.append(photo)
    return saved


@transaction.atomic
def photo_archive(*, actor: User, photo: Photo) -> Photo:
    """Hide a photo from galleries without deleting it (the uploader or the group's leader)."""
    photo = Photo.objects.select_for_update().select_related("activity__project").get(pk=photo.pk)
    require_permission(actor, "activities.archive_photo", photo, _("只有上传人或本党小组的组长可以归档照片。"))
    photo.is_archived = True
    photo.save(update_fields=["is_archived"])
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
