"""Writes to the year's calendar: its dates and the application extensions granted to a group."""

import datetime
from dataclasses import asdict, dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from branches.models import Group
from config import input_bounds as bounds
from members.models import User
from members.roles import roles_of
from members.services import notification_send

from .errors import ProjectError
from .models import ApplicationExtension, CalendarChange, YearCalendar


@dataclass(frozen=True)
class CalendarData:
    """The dates of a school year; None leaves a deadline unset (not enforced, not reminded)."""

    application_opens_on: datetime.date | None = None
    application_closes_on: datetime.date | None = None
    review_due_on: datetime.date | None = None
    resubmission_review_days: int = 14
    logging_due_day: int | None = None
    assessment_opens_on: datetime.date | None = None
    assessment_due_on: datetime.date | None = None
    review_quorum: int | None = None


def _check(data: CalendarData) -> None:
    opens, closes = data.application_opens_on, data.application_closes_on
    if opens and closes and closes < opens:
        raise ProjectError(_("申报截止日期不能早于申报开始日期。"))
    if data.assessment_opens_on and data.assessment_due_on and data.assessment_due_on < data.assessment_opens_on:
        raise ProjectError(_("考核评分截止日期不能早于考核开始日期。"))
    if data.logging_due_day is not None and not 1 <= data.logging_due_day <= 28:
        raise ProjectError(_("活动记录截止日应在 1 到 28 之间。"))
    if not 1 <= data.resubmission_review_days <= 90:
        raise ProjectError(_("重新提交后的评审期限应在 1 到 90 天之间。"))
    if data.review_quorum is not None and not 1 <= data.review_quorum <= 50:
        raise ProjectError(_("最少评分人数应在 1 到 50 之间。"))
    for value in asdict(data).values():
        if isinstance(value, datetime.date) and (error := bounds.date_window_error(value, past_only=False)):
            raise ProjectError(error)


@transaction.atomic
def calendar_save(*, actor: User, school_year: str, data: CalendarData) -> YearCalendar:
    """Set the school year's dates for the actor's committee (the secretary only), with the change recorded."""
    roles = roles_of(actor)
    if roles.committee_id is None or not actor.has_perm("projects.edit_calendar"):
        raise ProjectError(_("只有党委书记可以设置学年日程。"))
    _check(data)
    calendar = (
        YearCalendar.objects.select_for_update()
        .filter(committee_id=roles.committee_id, school_year=school_year)
        .first()
    )
    before = {} if calendar is None else {name: getattr(calendar, name) for name in asdict(data)}
    if calendar is None:
        calendar = YearCalendar(committee_id=roles.committee_id, school_year=school_year)
    for name, value in asdict(data).items():
        setattr(calendar, name, value)
    calendar.updated_by = actor
    calendar.save()
    changes = {
        name: [_text(before.get(name)), _text(value)]
        for name, value in asdict(data).items()
        if before.get(name) != value and (before or value is not None)
    }
    if changes:
        CalendarChange.objects.create(
            committee_id=roles.committee_id, school_year=school_year, actor=actor, changes=changes
        )
    return calendar


def _text(value) -> str:
    return "" if value is None else str(value)


@transaction.atomic
def extension_grant(
    *, actor: User, group: Group, school_year: str, until: datetime.date, reason: str
) -> ApplicationExtension:
    """Let one group submit its application for the year until ``until``; the group's leader is told."""
    roles = roles_of(actor)
    if roles.committee_id is None or not actor.has_perm("projects.edit_calendar"):
        raise ProjectError(_("只有党委书记可以批准申报延期。"))
    if group.branch.committee_id != roles.committee_id:
        raise ProjectError(_("只能为本校的党小组延期。"))
    if not reason.strip():
        raise ProjectError(_("请写明延期原因。"))
    calendar = YearCalendar.objects.filter(committee_id=roles.committee_id, school_year=school_year).first()
    if calendar is None or calendar.application_closes_on is None:
        raise ProjectError(_("%(year)s 学年尚未设置申报截止日期，无需延期。") % {"year": school_year})
    if until <= calendar.application_closes_on:
        raise ProjectError(
            _("延期日期应晚于申报截止日期 %(date)s。") % {"date": f"{calendar.application_closes_on:%Y-%m-%d}"}
        )
    if error := bounds.date_window_error(until, past_only=False):
        raise ProjectError(error)
    extension = ApplicationExtension.objects.create(
        committee_id=roles.committee_id,
        school_year=school_year,
        group=group,
        until=until,
        reason=reason.strip()[:200],
        granted_by=actor,
    )
    leader = group.leader.user if group.leader_id and group.leader.user_id else None
    notification_send(
        recipients=[leader],
        message=_("党委同意%(group)s %(year)s 学年的项目申报延期至 %(date)s。")
        % {"group": group.name, "year": school_year, "date": f"{until:%Y-%m-%d}"},
    )
    return extension
