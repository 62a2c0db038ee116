"""A person's dates: what they owe by when, the year's calendar dates of their role, and their
group's activities and project phases. One list feeds the 日程 page and the ICS feed."""

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from activities.models import ActivityLog
from members.models import User
from members.roles import roles_of
from projects.enums import PUBLIC_STATUSES
from projects.models import ProjectPhase, YearCalendar
from projects.school_years import school_year_of

from .selectors import KIND_LABELS, open_deadlines

# The feed reaches back this far for activities (a phone calendar need not hold years of them).
ACTIVITY_DAYS_BACK = 120


@dataclass(frozen=True)
class ScheduleItem:
    uid: str  # stable across feeds, so a calendar app updates an event instead of adding one
    day: datetime.date
    title: str
    kind: str  # 我的待办 / 逾期告知 / 学年日程 / 活动 / 实施阶段
    link: str = ""


def schedule_of(user: User, today: datetime.date) -> list[ScheduleItem]:
    """Every dated item of the user's role, soonest first (a fixed number of queries per kind)."""
    roles = roles_of(user)
    if roles.committee_id is None:
        return []
    items = []
    for deadline in open_deadlines(today, roles.committee_id):
        if user in deadline.owners:
            items.append(
                ScheduleItem(f"{deadline.key}:{user.pk}", deadline.due, deadline.what, _("我的待办"), deadline.link)
            )
        elif user in deadline.escalate_to and deadline.due < today:
            names = "、".join(deadline.owner_names)
            items.append(
                ScheduleItem(
                    f"{deadline.key}:late:{user.pk}",
                    deadline.due,
                    _("%(kind)s：%(what)s（尚未完成：%(names)s）")
                    % {
                        "kind": KIND_LABELS[deadline.kind],
                        "what": deadline.what,
                        "names": names,
                    },
                    _("逾期告知"),
                    deadline.link,
                )
            )
    items += _calendar_dates(roles, today)
    if roles.group_id is not None or roles.led_group_ids:
        items += _group_dates(roles, today)
    return sorted(items, key=lambda item: (item.day, item.uid))


def _calendar_dates(roles, today: datetime.date) -> list[ScheduleItem]:
    years = {school_year_of(today), school_year_of(today + datetime.timedelta(days=180))}
    items = []
    for calendar in YearCalendar.objects.filter(committee_id=roles.committee_id, school_year__in=years):
        dates = [
            (calendar.application_opens_on, _("项目申报开始")),
            (calendar.application_closes_on, _("项目申报截止")),
        ]
        if roles.is_committee_member:
            dates += [
                (calendar.review_due_on, _("首轮评审截止")),
                (calendar.assessment_opens_on, _("年度考核开始")),
                (calendar.assessment_due_on, _("年度考核评分截止")),
            ]
        for day, label in dates:
            if day is not None:
                items.append(
                    ScheduleItem(
                        f"calendar:{calendar.pk}:{label}", day, f"{calendar.school_year} 学年{label}", _("学年日程")
                    )
                )
    return items


def _group_dates(roles, today: datetime.date) -> list[ScheduleItem]:
    group_ids = {*roles.led_group_ids, *([roles.group_id] if roles.group_id else [])}
    since = today - datetime.timedelta(days=ACTIVITY_DAYS_BACK)
    activities = ActivityLog.objects.filter(
        project__group_id__in=group_ids, is_archived=False, date__gte=since
    ).select_related("project")
    items = [
        ScheduleItem(
            f"activity:{activity.pk}",
            activity.date,
            f"{activity.title}（{activity.project.title}）",
            _("活动"),
            reverse("activities:activity_detail", args=[activity.pk]),
        )
        for activity in activities
    ]
    phases = ProjectPhase.objects.filter(
        project__group_id__in=group_ids, project__status__in=PUBLIC_STATUSES, ends_on__gte=since
    ).select_related("project")
    items += [
        ScheduleItem(
            f"phase:{phase.pk}",
            phase.ends_on,
            _("%(phase)s阶段结束（%(title)s）") % {"phase": phase.title, "title": phase.project.title},
            _("实施阶段"),
            reverse("projects:detail", args=[phase.project_id]),
        )
        for phase in phases
    ]
    return items
