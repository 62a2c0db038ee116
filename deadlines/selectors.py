"""The deadlines of the year as the portal knows them: who owes what by when.

Four kinds, each read from the calendar (`projects.YearCalendar`) and the state of the work:

- ``review``: a reviewer without a score sheet for an application's current round; the round is
  due on the calendar's review date (the first round) or some days after a resubmission;
- ``log``: a group leader whose project in progress has no activity logged for a month, due on
  the calendar's logging day of the next month;
- ``returned``: a group leader whose application was returned, due at the application close
  (or the group's extension);
- ``assessment``: a committee member who has not assessed every concluded project of the round.

Every deadline names who is told once it is late (`escalate_to`): the branch secretary of the
group for a group's work, the 党委书记 for a committee member's.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.models import ActivityLog
from members.models import Member, User
from projects.calendar_selectors import resubmission_due_on, review_due_on
from projects.enums import ProjectStatus
from projects.models import MicroProject, ScoreSheet, YearCalendar
from projects.review_selectors import committee_officers, officers_without_conflict, review_subject
from projects.school_years import school_year_months
from yearend.enums import AssessmentStatus
from yearend.models import AssessmentRound, AssessmentSheet


class Kind:
    REVIEW = "review"
    LOG = "log"
    RETURNED = "returned"
    ASSESSMENT = "assessment"


KIND_LABELS = {
    Kind.REVIEW: gettext_lazy("评审截止"),
    Kind.LOG: gettext_lazy("活动记录截止"),
    Kind.RETURNED: gettext_lazy("修改后重新提交截止"),
    Kind.ASSESSMENT: gettext_lazy("考核评分截止"),
}


@dataclass(frozen=True)
class Deadline:
    kind: str
    key: str  # unique per deadline and its due date: a moved date starts its reminders afresh
    due: datetime.date
    what: str  # e.g. 评审《红领巾助学行动》
    link: str
    subject: str  # the notices' subject, so they resolve with the work (members.notifications_resolve)
    owners: tuple[User, ...]
    escalate_to: tuple[User, ...] = field(default=())

    @property
    def owner_names(self) -> list[str]:
        return [_name(user) for user in self.owners]


def _name(user: User) -> str:
    member = getattr(user, "member", None)
    return member.name if member is not None else user.get_username()


def _branch_secretary(project: MicroProject) -> tuple[User, ...]:
    secretary = project.group.branch.secretary
    return (secretary.user,) if secretary is not None and secretary.user_id else ()


def _committee_secretaries() -> dict[int, tuple[User, ...]]:
    found: dict[int, list[User]] = defaultdict(list)
    for member in Member.objects.filter(committee_role="secretary", is_active=True, user__isnull=False).select_related(
        "user"
    ):
        found[member.committee_id].append(member.user)
    return {committee_id: tuple(users) for committee_id, users in found.items()}


def _calendars() -> dict[tuple[int, str], YearCalendar]:
    return {(calendar.committee_id, calendar.school_year): calendar for calendar in YearCalendar.objects.all()}


def _projects(statuses, committee_id: int | None):
    projects = MicroProject.objects.filter(status__in=statuses).select_related(
        "group__leader__user__member", "group__branch__secretary__user__member"
    )
    return projects.filter(committee_id=committee_id) if committee_id is not None else projects


def _officers(committee_id: int | None) -> dict[int, list[Member]]:
    found: dict[int, list[Member]] = defaultdict(list)
    for officer in committee_officers(committee_id):
        found[officer.committee_id].append(officer)
    return found


def _participants(projects: list[MicroProject]) -> dict[int, set[int]]:
    """Each project's participant member ids, in one query for all of them."""
    found: dict[int, set[int]] = defaultdict(set)
    links = MicroProject.participants.through.objects.filter(microproject__in=projects)
    for project_id, member_id in links.values_list("microproject_id", "member_id"):
        found[project_id].add(member_id)
    return found


def review_deadlines(calendars, secretaries, committee_id: int | None = None) -> list[Deadline]:
    projects = list(_projects((ProjectStatus.SUBMITTED, ProjectStatus.IN_REVIEW), committee_id))
    scored = defaultdict(set)
    for project_id, review_round, reviewer_id in ScoreSheet.objects.filter(project__in=projects).values_list(
        "project_id", "review_round", "reviewer_id"
    ):
        scored[(project_id, review_round)].add(reviewer_id)
    officers, participants = _officers(committee_id), _participants(projects)
    deadlines = []
    for project in projects:
        due = review_due_on(project, calendars.get((project.committee_id, project.school_year)))
        if due is None:
            continue
        reviewers = officers_without_conflict(project, officers[project.committee_id], participants[project.pk])
        owing = tuple(user for user in reviewers if user.pk not in scored[(project.pk, project.review_round)])
        if not owing:
            continue
        deadlines.append(
            Deadline(
                kind=Kind.REVIEW,
                key=f"review:{project.pk}:{project.review_round}:{due:%Y%m%d}",
                due=due,
                what=_("评审《%(title)s》（第 %(round)d 轮）")
                % {"title": project.title, "round": project.review_round},
                link=reverse("projects:review", args=[project.pk]),
                subject=review_subject(project),
                owners=owing,
                escalate_to=secretaries.get(project.committee_id, ()),
            )
        )
    return deadlines


def _month_due(month: datetime.date, day: int) -> datetime.date:
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following.replace(day=day)


def log_deadlines(calendars, today: datetime.date, committee_id: int | None = None) -> list[Deadline]:
    """Months of a project in progress without an activity, from the month it was approved to this one."""
    projects = [
        project
        for project in _projects((ProjectStatus.IN_PROGRESS,), committee_id)
        if (calendar := calendars.get((project.committee_id, project.school_year))) and calendar.logging_due_day
    ]
    logged = defaultdict(set)
    for project_id, day in ActivityLog.objects.filter(project__in=projects, is_archived=False).values_list(
        "project_id", "date"
    ):
        logged[project_id].add(day.replace(day=1))
    deadlines = []
    for project in projects:
        leader = project.group.leader.user if project.group.leader and project.group.leader.user_id else None
        if leader is None:
            continue
        day = calendars[(project.committee_id, project.school_year)].logging_due_day
        first = (timezone.localdate(project.decided_at) if project.decided_at else today).replace(day=1)
        for month in school_year_months(project.school_year):
            if month < first or month > today or month in logged[project.pk]:
                continue
            due = _month_due(month, day)
            deadlines.append(
                Deadline(
                    kind=Kind.LOG,
                    key=f"log:{project.pk}:{month:%Y%m}:{due:%Y%m%d}",
                    due=due,
                    what=_("记录《%(title)s》%(month)s的活动")
                    % {"title": project.title, "month": f"{month:%Y年%-m月}"},
                    link=reverse("projects:detail", args=[project.pk]),
                    subject=f"log:{project.pk}:{month:%Y%m}",
                    owners=(leader,),
                    escalate_to=_branch_secretary(project),
                )
            )
    return deadlines


def returned_deadlines(committee_id: int | None = None) -> list[Deadline]:
    deadlines = []
    for project in _projects((ProjectStatus.RETURNED,), committee_id):
        due = resubmission_due_on(project)
        leader = project.group.leader.user if project.group.leader and project.group.leader.user_id else None
        if due is None or leader is None:
            continue
        deadlines.append(
            Deadline(
                kind=Kind.RETURNED,
                key=f"returned:{project.pk}:{project.review_round}:{due:%Y%m%d}",
                due=due,
                what=_("修改并重新提交《%(title)s》") % {"title": project.title},
                link=reverse("projects:detail", args=[project.pk]),
                subject=f"returned:{project.pk}:{project.review_round}",
                owners=(leader,),
                escalate_to=_branch_secretary(project),
            )
        )
    return deadlines


def assessment_deadlines(calendars, secretaries, committee_id: int | None = None) -> list[Deadline]:
    """Open rounds with a due date where an officer still owes a sheet (a fixed number of queries
    for every round, project and officer)."""
    rounds = [
        assessment_round
        for assessment_round in AssessmentRound.objects.filter(status=AssessmentStatus.OPEN)
        if committee_id is None or assessment_round.committee_id == committee_id
        if (calendar := calendars.get((assessment_round.committee_id, assessment_round.school_year)))
        and calendar.assessment_due_on is not None
    ]
    if not rounds:
        return []
    projects_of: dict[tuple[int, str], list[MicroProject]] = defaultdict(list)
    for project in MicroProject.objects.filter(
        committee_id__in={assessment_round.committee_id for assessment_round in rounds},
        status=ProjectStatus.CONCLUDED,
    ).select_related("group"):
        projects_of[(project.committee_id, project.school_year)].append(project)
    done = set(
        AssessmentSheet.objects.filter(assessment_round__in=rounds).values_list(
            "assessment_round_id", "assessor_id", "project_id"
        )
    )
    officers = _officers(committee_id)
    participants = _participants([project for projects in projects_of.values() for project in projects])
    deadlines = []
    for assessment_round in rounds:
        owed_by: set[int] = set()
        for project in projects_of[(assessment_round.committee_id, assessment_round.school_year)]:
            for user in officers_without_conflict(
                project, officers[assessment_round.committee_id], participants[project.pk]
            ):
                if (assessment_round.pk, user.pk, project.pk) not in done:
                    owed_by.add(user.pk)
        owing = tuple(officer.user for officer in officers[assessment_round.committee_id] if officer.user_id in owed_by)
        if not owing:
            continue
        due = calendars[(assessment_round.committee_id, assessment_round.school_year)].assessment_due_on
        deadlines.append(
            Deadline(
                kind=Kind.ASSESSMENT,
                key=f"assessment:{assessment_round.pk}:{due:%Y%m%d}",
                due=due,
                what=_("%(year)s 学年年度考核评分") % {"year": assessment_round.school_year},
                link=reverse("yearend:assessment_round", args=[assessment_round.pk]),
                subject=f"assessment:{assessment_round.pk}",
                owners=owing,
                escalate_to=secretaries.get(assessment_round.committee_id, ()),
            )
        )
    return deadlines


def open_deadlines(today: datetime.date, committee_id: int | None = None) -> list[Deadline]:
    """Every deadline whose work is still owed, in every committee (or one), soonest first."""
    calendars = _calendars()
    secretaries = _committee_secretaries()
    deadlines = [
        *review_deadlines(calendars, secretaries, committee_id),
        *log_deadlines(calendars, today, committee_id),
        *returned_deadlines(committee_id),
        *assessment_deadlines(calendars, secretaries, committee_id),
    ]
    return sorted(deadlines, key=lambda deadline: (deadline.due, deadline.key))
