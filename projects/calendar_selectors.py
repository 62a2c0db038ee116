"""Reads of the year's calendar: the dates, the application window of a group, review due dates, quorum."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from .enums import ProjectStatus
from .models import ApplicationExtension, CalendarChange, MicroProject, ScoreSheet, YearCalendar
from .school_years import school_year_of


def calendar_of(committee_id: int, school_year: str) -> YearCalendar | None:
    return YearCalendar.objects.filter(committee_id=committee_id, school_year=school_year).first()


def calendars_of(committee_id: int) -> dict[str, YearCalendar]:
    """Every school year's calendar of the committee, by school year (one query)."""
    return {calendar.school_year: calendar for calendar in YearCalendar.objects.filter(committee_id=committee_id)}


def extension_of(group_id: int, school_year: str) -> ApplicationExtension | None:
    """The group's latest extension of the year's application window, if any."""
    return ApplicationExtension.objects.filter(group_id=group_id, school_year=school_year).first()


@dataclass(frozen=True)
class ApplicationWindow:
    opens_on: datetime.date | None
    closes_on: datetime.date | None
    extended_until: datetime.date | None = None

    @property
    def last_day(self) -> datetime.date | None:
        """The last day a submission is accepted: the close, or the group's extension if later."""
        if self.closes_on is None:
            return None
        return max(self.closes_on, self.extended_until) if self.extended_until else self.closes_on

    def accepts(self, day: datetime.date) -> bool:
        if self.opens_on is not None and day < self.opens_on:
            return False
        return self.last_day is None or day <= self.last_day


def application_window(group_id: int, committee_id: int, school_year: str) -> ApplicationWindow:
    """The window in which the group may submit its application for the year (open when unset)."""
    calendar = calendar_of(committee_id, school_year)
    if calendar is None:
        return ApplicationWindow(None, None)
    extension = extension_of(group_id, school_year)
    return ApplicationWindow(
        calendar.application_opens_on, calendar.application_closes_on, extension.until if extension else None
    )


# A returned application may come back within this many days of its return, or until the window
# closes if that is later: returns usually come after the close (the review ends then), and the
# group must have time to revise without asking for an extension.
RESUBMISSION_DAYS = 14


def resubmission_due_on(project: MicroProject) -> datetime.date | None:
    """The last day a returned application may be resubmitted (None: no window, no limit)."""
    window = application_window(project.group_id, project.committee_id, project.school_year)
    if window.last_day is None:
        return None
    if project.decided_at is None:
        return window.last_day
    return max(window.last_day, timezone.localdate(project.decided_at) + datetime.timedelta(days=RESUBMISSION_DAYS))


def review_due_on(project: MicroProject, calendar: YearCalendar | None) -> datetime.date | None:
    """When the current review round is due: the calendar's date for the first round, and
    `resubmission_review_days` after the resubmission for later ones (None without a calendar)."""
    if calendar is None:
        return None
    if project.review_round <= 1:
        return calendar.review_due_on
    if project.submitted_at is None:
        return None
    return timezone.localdate(project.submitted_at) + datetime.timedelta(days=calendar.resubmission_review_days)


@dataclass(frozen=True)
class Quorum:
    """How many current-round scores the decision needs, how many there are, and who is missing."""

    required: int
    scored: int
    missing_names: list[str]

    @property
    def reached(self) -> bool:
        return self.scored >= self.required


def review_quorum(project: MicroProject, reviewers: list) -> Quorum:
    """The round's quorum: the calendar's minimum, else every reviewer without a conflict.

    ``reviewers`` are the users who may score (``review_selectors.reviewers_for``); the names are those of
    them who have not scored this round, so the secretary sees whom she decides without.
    """
    scored_ids = set(
        ScoreSheet.objects.filter(project=project, review_round=project.review_round).values_list(
            "reviewer_id", flat=True
        )
    )
    calendar = calendar_of(project.committee_id, project.school_year)
    required = calendar.review_quorum if calendar and calendar.review_quorum else len(reviewers)
    missing = [
        getattr(getattr(user, "member", None), "name", None) or user.get_username()
        for user in reviewers
        if user.pk not in scored_ids
    ]
    return Quorum(required=max(required, 1), scored=len(scored_ids), missing_names=missing)


def application_default_year(
    group_id: int | None, committee_id: int, school_years: list[str], today: datetime.date | None = None
) -> str:
    """The year an application form starts on: one whose calendar's application window is open
    today (for the group, so with its extension), else the current school year."""
    today = today or timezone.localdate()
    current = school_year_of(today)
    calendars = calendars_of(committee_id)
    for year in sorted(school_years, key=lambda year: year != current):  # the current year first
        calendar = calendars.get(year)
        if calendar is None or (calendar.application_opens_on is None and calendar.application_closes_on is None):
            continue
        extension = extension_of(group_id, year) if group_id else None
        window = ApplicationWindow(
            calendar.application_opens_on, calendar.application_closes_on, extension.until if extension else None
        )
        if window.accepts(today):
            return year
    return current


def window_note(project: MicroProject, today: datetime.date | None = None) -> str:
    """For the applying leader: the year's application window as a sentence ("" when none is set)."""
    window = application_window(project.group_id, project.committee_id, project.school_year)
    if window.opens_on is None and window.closes_on is None:
        return ""
    today = today or timezone.localdate()
    if project.status == ProjectStatus.RETURNED:
        due = resubmission_due_on(project)
        if due is not None:
            late = _("现已逾期，如需延期请联系党委书记。") if today > due else ""
            return _("退回修改的申报请在 %(date)s 前重新提交。") % {"date": f"{due:%Y-%m-%d}"} + late
    parts = [_("%(year)s 学年项目申报：") % {"year": project.school_year}]
    if window.opens_on:
        parts.append(_("%(date)s 开始") % {"date": f"{window.opens_on:%Y-%m-%d}"})
    if window.closes_on:
        parts.append(_("，%(date)s 截止") % {"date": f"{window.closes_on:%Y-%m-%d}"})
    if window.extended_until and window.extended_until > (window.closes_on or window.extended_until):
        parts.append(_("；党委已同意本小组延期至 %(date)s") % {"date": f"{window.extended_until:%Y-%m-%d}"})
    if not window.accepts(today):
        parts.append(_("。现在不在申报期内，不能提交。"))
    else:
        parts.append(_("。"))
    return "".join(str(part) for part in parts)


def calendar_school_years(committee_id: int, today: datetime.date | None = None) -> list[str]:
    """School years a calendar can be set for, newest first: those with applications, and the
    last, this and the next school year."""
    start = int(school_year_of(today or timezone.localdate())[:4])
    around = {f"{year}-{year + 1}" for year in (start - 1, start, start + 1)}
    with_projects = MicroProject.objects.filter(committee_id=committee_id).values_list("school_year", flat=True)
    return sorted({*with_projects.order_by().distinct(), *around}, reverse=True)


def extensions_of(committee_id: int, school_year: str) -> list[ApplicationExtension]:
    return list(
        ApplicationExtension.objects.filter(committee_id=committee_id, school_year=school_year).select_related(
            "group", "granted_by__member"
        )
    )


def calendar_changes_of(committee_id: int, school_year: str, *, limit: int = 20) -> list[CalendarChange]:
    return list(
        CalendarChange.objects.filter(committee_id=committee_id, school_year=school_year).select_related(
            "actor__member"
        )[:limit]
    )
