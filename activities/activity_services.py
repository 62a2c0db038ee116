"""Every write to activity logs and their indicator values: record, edit, archive.

Each service checks permission and state first and raises ActivityError with a message fit
for the user. Edits and archives keep a revision with the content before the change.
"""

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config import input_bounds as bounds
from config.idempotency import ClientIdInUse, create_once
from config.text_input import clean_title
from members.models import Member, User
from members.services import notifications_resolve
from projects.models import Indicator, MicroProject
from projects.school_years import school_year_bounds

from .enums import ActivityType, RevisionAction
from .errors import ActivityError, StaleEdit
from .models import ActivityLog, ActivityRevision, IndicatorValue
from .rules import require_permission


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


def _lock_project(project: MicroProject) -> MicroProject:
    """Re-read the project under a row lock: it cannot be concluded while an activity is written."""
    return MicroProject.objects.select_for_update().get(pk=project.pk)


def lock_activity(activity: ActivityLog) -> ActivityLog:
    """Re-read the activity and its project under row locks (photos are added under the same locks)."""
    locked = ActivityLog.objects.select_for_update().get(pk=activity.pk)
    locked.project = _lock_project(locked.project)
    return locked


def _check_activity(project: MicroProject, data: ActivityData) -> None:
    if not clean_title(data.title):
        raise ActivityError(_("请填写活动名称。"))
    if data.activity_type not in ActivityType.values:
        raise ActivityError(_("请选择活动类型。"))
    if data.date > timezone.localdate():
        raise ActivityError(_("活动日期不能晚于今天。"))
    if message := bounds.date_window_error(data.date, past_only=True):
        raise ActivityError(_("活动日期：%(reason)s") % {"reason": message})
    start, end = school_year_bounds(project.school_year)
    if not start <= data.date <= end:
        # Counted in its project's school year, an activity dated outside it would fall in no month.
        raise ActivityError(
            _("活动日期应在项目所属的 %(year)s 学年内（%(start)s 至 %(end)s）。")
            % {"year": project.school_year, "start": start.isoformat(), "end": end.isoformat()}
        )
    if data.beneficiaries_count < 0:
        raise ActivityError(_("受益人数不能为负数。"))
    if data.beneficiaries_count > bounds.BENEFICIARIES_MAX:
        raise ActivityError(_("受益人数不能超过 %(max)s。") % {"max": bounds.BENEFICIARIES_MAX})
    if not Decimal(data.duration_hours).is_finite() or data.duration_hours < 0:
        raise ActivityError(_("活动时长不能为负数。"))
    if data.duration_hours > bounds.ACTIVITY_HOURS_MAX:
        raise ActivityError(_("活动时长不能超过 %(max)s 小时。") % {"max": bounds.ACTIVITY_HOURS_MAX})
    for member in data.participants:
        if member.committee_id != project.committee_id:
            raise ActivityError(_("参与党员 %(name)s 不是本校党员。") % {"name": member.name})
    indicator_ids = [item.indicator.pk for item in data.indicator_values]
    if len(indicator_ids) != len(set(indicator_ids)):
        raise ActivityError(_("同一指标在一条活动记录中只能填写一次。"))
    for item in data.indicator_values:
        if item.indicator.committee_id != project.committee_id:
            raise ActivityError(_("指标不存在。"))
        if not Decimal(item.value).is_finite() or item.value <= 0:
            raise ActivityError(_("指标「%(name)s」的完成值必须大于 0。") % {"name": item.indicator.name})
        if item.value > bounds.INDICATOR_VALUE_MAX:
            raise ActivityError(
                _("指标「%(name)s」的完成值不能超过 %(max)s。")
                % {"name": item.indicator.name, "max": bounds.INDICATOR_VALUE_MAX}
            )


def _columns(data: ActivityData) -> dict:
    """The activity's own columns as `data` writes them (cleaned as stored)."""
    return {
        "date": data.date,
        "activity_type": data.activity_type,
        "title": clean_title(data.title),
        "place": data.place.strip(),
        "beneficiaries_count": data.beneficiaries_count,
        "beneficiaries": data.beneficiaries.strip(),
        "duration_hours": data.duration_hours,
        "narrative": data.narrative,
    }


def _write_activity(activity: ActivityLog, data: ActivityData) -> None:
    for name, value in _columns(data).items():
        setattr(activity, name, value)
    activity.save()
    activity.participants.set(data.participants)
    activity.indicator_values.all().delete()
    # One by one, not bulk_create: each save tells the statistics (stats.freshness) what changed.
    for item in data.indicator_values:
        IndicatorValue.objects.create(activity=activity, indicator=item.indicator, value=item.value)


def _holds(activity: ActivityLog, data: ActivityData) -> bool:
    """Whether the activity's saved content is already what `data` would write."""
    return (
        all(getattr(activity, name) == value for name, value in _columns(data).items())
        and set(activity.participants.values_list("pk", flat=True)) == {member.pk for member in data.participants}
        and set(activity.indicator_values.values_list("indicator_id", "value"))
        == {(item.indicator.pk, item.value) for item in data.indicator_values}
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
def activity_log_create(
    *, actor: User, project: MicroProject, data: ActivityData, client_id: uuid.UUID | None = None
) -> ActivityLog:
    """File an activity of an approved or in-progress project: the group's leader or a member they delegated.

    With a `client_id` (the form's one-time id, or the phone's own id for the record) a
    repeated post answers with the activity the first one made, and two racing posts make one.
    """
    project = _lock_project(project)
    require_permission(
        actor,
        "activities.add_activity",
        project,
        _("只有本党小组的组长或获组长授权的党员可以为已立项或实施中的项目填写活动记录。"),
    )
    _check_activity(project, data)

    def create() -> ActivityLog:
        activity = ActivityLog(project=project, created_by=actor, client_id=client_id)
        _write_activity(activity, data)
        return activity

    try:
        activity = create_once(
            ActivityLog, client_id, owner="created_by", actor=actor, create=create, within={"project_id": project.pk}
        )
    except ClientIdInUse as error:
        raise ActivityError(_("这份表单的提交编号已被使用，请刷新页面后重新填写。")) from error
    # The month's logging reminders (deadlines app) are done.
    notifications_resolve(subject=f"log:{project.pk}:{activity.date:%Y%m}")
    return activity


@transaction.atomic
def activity_log_update(
    *, actor: User, activity: ActivityLog, data: ActivityData, based_on: int | None = None
) -> ActivityLog:
    """Change an activity log; the content before the change is kept as a revision.

    `based_on` is the version the editor's form showed: if another edit was saved since (a phone
    that edited offline, a second browser), StaleEdit is raised and nothing changes. Without it
    (an outbox record from before versions existed) the edit is not checked.
    """
    activity = lock_activity(activity)
    require_permission(
        actor,
        "activities.change_activity",
        activity,
        _("只有本党小组的组长或获组长授权的党员可以修改活动记录；项目结项后或记录归档后不能再修改。"),
    )
    if based_on is not None and based_on != activity.version:
        if _holds(activity, data):
            # This very edit, sent again (its answer lost on a weak network, a retry of the
            # outbox): it is saved already, nothing newer to protect.
            return activity
        raise StaleEdit(
            _("这条活动记录在您编辑期间已被他人修改，这次修改没有保存，以免覆盖较新的内容。"), current=activity.version
        )
    _check_activity(activity.project, data)
    _revise(activity, actor, RevisionAction.UPDATED)
    activity.version += 1
    _write_activity(activity, data)
    return activity


@transaction.atomic
def activity_log_archive(*, actor: User, activity: ActivityLog) -> ActivityLog:
    """Archive (never delete) an activity log; its figures no longer count, its history stays."""
    activity = lock_activity(activity)
    require_permission(
        actor,
        "activities.archive_activity",
        activity,
        _("只有本党小组的组长可以归档活动记录；项目结项后不能再归档。"),
    )
    _revise(activity, actor, RevisionAction.ARCHIVED)
    activity.is_archived = True
    activity.version += 1
    activity.save(update_fields=["is_archived", "version", "updated_at"])
    return activity
