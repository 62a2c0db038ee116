"""Statistics scopes: how a scope is named, which scopes a project touches, which years have data.

A *scope* is a project, a group, a branch, a project type or the whole committee, named by a
key such as ``"group:3"`` in tasks and services.
"""

import datetime

from django.db.models.functions import TruncMonth

from activities.enums import AchievementStatus
from activities.models import Achievement, ActivityLog
from branches.models import Committee, Group
from projects.enums import PUBLIC_STATUSES, ProjectStatus
from projects.models import MicroProject
from projects.school_years import school_year_of

from .enums import StatScope

SCOPE_PATHS: dict[str, str] = {
    StatScope.PROJECT: "id",
    StatScope.GROUP: "group_id",
    StatScope.BRANCH: "group__branch_id",
    StatScope.TYPE: "project_type_id",
    StatScope.COMMITTEE: "committee_id",
}

# (kind, scope id, first day of the month or None for the whole school year)
SnapshotKey = tuple[str, int, datetime.date | None]


def scope_key(kind: str, scope_id: int) -> str:
    """``scope_key("group", 3) == "group:3"``: the name of a scope in tasks and services."""
    return f"{kind}:{scope_id}"


def parse_scope_key(key: str) -> tuple[str, int]:
    """The (kind, id) of a scope key; ValueError for anything else."""
    kind, _, raw_id = key.partition(":")
    if kind not in SCOPE_PATHS or not raw_id.isdigit():
        raise ValueError(f"not a statistics scope key: {key!r}")
    return kind, int(raw_id)


def project_scope_keys(project: MicroProject) -> list[str]:
    """The scopes a change to the project's activities, photos or achievements touches."""
    branch_id = Group.objects.filter(pk=project.group_id).values_list("branch_id", flat=True).first()
    keys = [scope_key(StatScope.PROJECT, project.pk), scope_key(StatScope.GROUP, project.group_id)]
    if branch_id is not None:
        keys.append(scope_key(StatScope.BRANCH, branch_id))
    if project.project_type_id is not None:
        keys.append(scope_key(StatScope.TYPE, project.project_type_id))
    keys.append(scope_key(StatScope.COMMITTEE, project.committee_id))
    return keys


def school_years_of(committee: Committee | int) -> list[str]:
    """School years with approved projects or committee achievements, oldest first (two queries)."""
    years = set(
        MicroProject.objects.filter(committee=committee, status__in=PUBLIC_STATUSES)
        .order_by()  # the model's ordering would join DISTINCT and return a row per project
        .values_list("school_year", flat=True)
        .distinct()
    )
    # Achievements without a project belong to the school year of their date.
    dates = (
        Achievement.objects.filter(committee=committee, status=AchievementStatus.VERIFIED, project__isnull=True)
        .annotate(month=TruncMonth("awarded_on"))
        .order_by()
        .values_list("month", flat=True)
        .distinct()
    )
    years.update(school_year_of(month) for month in dates)
    return sorted(years)


def latest_school_year_with_records(committee: Committee | int, years: list[str]) -> str | None:
    """The newest of ``years`` in which something happened: an activity logged, a project
    concluded, or an achievement verified (one query). A year whose projects were only just
    approved is listed, but it is not where a page should open (two queries)."""
    logged = set(
        ActivityLog.objects.filter(project__committee=committee, is_archived=False)
        .order_by()
        .values_list("project__school_year", flat=True)
        .distinct()
    )
    concluded = set(
        MicroProject.objects.filter(committee=committee, status=ProjectStatus.CONCLUDED)
        .order_by()
        .values_list("school_year", flat=True)
        .distinct()
    )
    with_records = [year for year in years if year in logged or year in concluded]
    return with_records[-1] if with_records else None
