"""Reads of report jobs, scoped to the user's committee (outside it: None, and the view says 404)."""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from members.roles import roles_of
from projects.school_years import school_year_of
from stats.scopes import school_years

from .models import ReportJob

LIST_LIMIT = 30


def report_jobs_of(user) -> QuerySet[ReportJob]:
    """The latest jobs the user may see: the whole committee's for the secretary, else their own (one query)."""
    roles = roles_of(user)
    if roles.committee_id is None or not roles.is_committee_member:
        return ReportJob.objects.none()
    jobs = ReportJob.objects.filter(committee_id=roles.committee_id)
    if not roles.is_secretary:
        jobs = jobs.filter(Q(requested_by=user))
    return jobs.select_related("requested_by__member").order_by("-created_at", "-pk")[:LIST_LIMIT]


def report_job_for(user, job_id: int) -> ReportJob | None:
    """The job if it belongs to the user's committee; whether they may open it is `view_report_job`."""
    committee_id = roles_of(user).committee_id
    if committee_id is None:
        return None
    return ReportJob.objects.filter(pk=job_id, committee_id=committee_id).select_related("committee").first()


def report_school_years(committee_id: int, today: datetime.date | None = None) -> tuple[list[str], str]:
    """School years a report can be asked for, newest first: the same list as the dashboards'
    (every year with data, the current one when there is none), and the one to offer first: the
    newest year in which something was recorded, not one whose projects were only just approved
    (one query)."""
    found = school_years(committee_id)
    years = found.years or [school_year_of(today or timezone.localdate())]
    default = found.latest_with_records() or years[-1]
    return sorted(years, reverse=True), default
