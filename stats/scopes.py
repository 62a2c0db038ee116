"""Statistics scopes: how a scope is named, which scopes a project touches, which years have data.

A *scope* is a project, a group, a branch, a project type or the whole committee, named by a
key such as ``"group:3"`` in tasks and services.
"""

import datetime
from dataclasses import dataclass

from django.db.models import CharField, DateField, Exists, F, OuterRef, Value
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


@dataclass(frozen=True)
class SchoolYears:
    """A committee's school years with data, and in which of them something was recorded."""

    years: list[str]  # approved projects or committee achievements, oldest first
    logged: frozenset[str]  # an activity was logged
    concluded: frozenset[str]  # a project was concluded

    def latest_with_records(self) -> str | None:
        """The newest year in which something happened: an activity logged or a project
        concluded. A year whose projects were only just approved is listed, but it is not where a
        page should open."""
        with_records = [year for year in self.years if year in self.logged or year in self.concluded]
        return with_records[-1] if with_records else None


def union_arm(queryset, **columns):
    """One arm of a UNION: the given columns, every one an annotation, so that each arm selects
    them in the same order (Django puts a model's fields before its annotations), with the model's
    ordering dropped (it would join tables into the arm and break the UNION)."""
    return queryset.order_by().annotate(**columns).values_list(*columns)


def _facts(queryset, kind: str, year_path: str | None = None, month=None):
    """An arm of `school_years`' UNION: (kind, school year, month)."""
    return union_arm(
        queryset,
        fact=Value(kind, output_field=CharField()),
        year=F(year_path) if year_path else Value("", output_field=CharField()),
        month=month if month is not None else Value(None, output_field=DateField()),
    )


def school_years(committee: Committee | int) -> SchoolYears:
    """Which school years a committee has data in, and what happened in each (one query)."""
    committee_id = committee.pk if isinstance(committee, Committee) else committee
    # Achievements without a project belong to the school year of their date; their arm comes
    # first so that the month column reads as a date on every backend.
    rows = _facts(
        Achievement.objects.filter(committee_id=committee_id, status=AchievementStatus.VERIFIED, project__isnull=True),
        "achieved",
        month=TruncMonth("awarded_on"),
    ).union(
        _facts(
            MicroProject.objects.filter(committee_id=committee_id, status__in=PUBLIC_STATUSES),
            "approved",
            "school_year",
        ),
        # A project per year that has an activity, not every activity: the UNION deduplicated
        # all of a committee's activities of every year (5 ms at district size, on every
        # dashboard); the semi-join stops at each project's first activity (0.7 ms).
        _facts(
            MicroProject.objects.filter(
                Exists(ActivityLog.objects.filter(project_id=OuterRef("pk"), is_archived=False)),
                committee_id=committee_id,
            ),
            "logged",
            "school_year",
        ),
        _facts(
            MicroProject.objects.filter(committee_id=committee_id, status=ProjectStatus.CONCLUDED),
            "concluded",
            "school_year",
        ),
    )
    years: set[str] = set()
    logged: set[str] = set()
    concluded: set[str] = set()
    for fact, year, month in rows:
        if fact == "achieved":
            years.add(school_year_of(month))
        elif fact == "approved":
            years.add(year)
        elif fact == "logged":
            logged.add(year)
        else:
            concluded.add(year)
    return SchoolYears(years=sorted(years), logged=frozenset(logged), concluded=frozenset(concluded))


def school_years_of(committee: Committee | int) -> list[str]:
    """School years with approved projects or committee achievements, oldest first (one query)."""
    return school_years(committee).years
