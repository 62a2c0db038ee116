"""On-time rates of the year: activities logged by the calendar's logging day, reviews by their due date.

- Logging: each month of a project from the month it was approved to the month it concluded
  (or the last month whose due date has passed) is *due*; it is *on time* when an activity of
  that month was entered (``created_at``) by that month's due date (the calendar's logging day
  of the next month). Counted per group and per branch.
- Reviews: each first-round score sheet is due once the calendar's review date has passed; it is
  on time when it was submitted by then (later rounds' dates move with each resubmission and
  are reminded about, not counted). Counted for the committee.

No calendar, or no logging day, for the year: no figure (None), never a made-up 0 %.
Three queries for the whole committee, whatever its size (four once the review date has passed).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from activities.models import ActivityLog
from branches.models import Committee
from config.percentages import percent
from projects.calendar_selectors import calendar_of
from projects.enums import EventAction, ProjectStatus
from projects.models import MicroProject, ProjectEvent, ScoreSheet
from projects.school_years import school_year_months


@dataclass(frozen=True)
class Rate:
    due: int
    on_time: int

    @property
    def percent(self) -> float | None:
        return percent(self.on_time, self.due)


@dataclass(frozen=True)
class OnTimeRates:
    logging_day: int | None
    groups: dict[int, Rate]  # by group id
    branches: dict[int, Rate]  # by branch id
    projects: dict[int, Rate]  # by project id (the assessment sheet's figure)
    committee: Rate | None  # logging, the whole committee
    reviews: Rate | None


def _month_due(month: datetime.date, day: int) -> datetime.date:
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following.replace(day=day)


def on_time_rates(committee: Committee | int, school_year: str, today: datetime.date | None = None) -> OnTimeRates:
    today = today or timezone.localdate()
    committee_id = committee if isinstance(committee, int) else committee.pk
    calendar = calendar_of(committee_id, school_year)
    reviews = _review_rate(committee_id, school_year, calendar, today) if calendar else None
    if calendar is None or not calendar.logging_due_day:
        return OnTimeRates(None, {}, {}, {}, None, reviews)
    day = calendar.logging_due_day
    # (pk, group, branch, approved at, concluded at) of the year's running and concluded projects
    concluded_at = ProjectEvent.objects.filter(project=OuterRef("pk"), action=EventAction.CONCLUDED).order_by(
        "-created_at"
    )
    projects = list(
        MicroProject.objects.filter(
            committee_id=committee_id,
            school_year=school_year,
            status__in=(ProjectStatus.IN_PROGRESS, ProjectStatus.CONCLUDED),
        )
        .order_by()
        .annotate(concluded_at=Subquery(concluded_at.values("created_at")[:1]))
        .values_list("pk", "group_id", "group__branch_id", "decided_at", "concluded_at")
    )
    entered = defaultdict(list)  # (project, month) -> dates the month's activities were entered
    for project_id, day_of, created_at in ActivityLog.objects.filter(
        project__in=[row[0] for row in projects], is_archived=False
    ).values_list("project_id", "date", "created_at"):
        entered[(project_id, day_of.replace(day=1))].append(timezone.localtime(created_at).date())
    groups: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    branches: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    by_project: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for project_id, group_id, branch_id, decided_at, concluded_on in projects:
        first = timezone.localtime(decided_at).date().replace(day=1) if decided_at else None
        last = timezone.localtime(concluded_on).date() if concluded_on else None
        for month in school_year_months(school_year):
            due = _month_due(month, day)
            if first is None or month < first or due > today or (last is not None and month > last):
                continue
            on_time = any(entered_on <= due for entered_on in entered[(project_id, month)])
            for counts in (groups[group_id], branches[branch_id], by_project[project_id]):
                counts[0] += 1
                counts[1] += on_time
    total = [sum(counts[0] for counts in groups.values()), sum(counts[1] for counts in groups.values())]
    return OnTimeRates(
        logging_day=day,
        groups={key: Rate(*counts) for key, counts in groups.items()},
        branches={key: Rate(*counts) for key, counts in branches.items()},
        projects={key: Rate(*counts) for key, counts in by_project.items()},
        committee=Rate(*total),
        reviews=reviews,
    )


def _review_rate(committee_id: int, school_year: str, calendar, today: datetime.date) -> Rate | None:
    """First-round score sheets submitted by the calendar's review date, once that date has passed."""
    deadline = calendar.review_due_on
    if deadline is None or deadline > today:
        return None
    submitted = ScoreSheet.objects.filter(
        project__committee_id=committee_id, project__school_year=school_year, review_round=1
    ).values_list("created_at", flat=True)
    dates = [timezone.localtime(created_at).date() for created_at in submitted]
    return Rate(len(dates), sum(day <= deadline for day in dates)) if dates else None
