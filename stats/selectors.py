"""Statistics of micro-projects as dashboards, reports and commands read them.

Figures are computed by `stats.aggregation` (database aggregation only), stored as
`StatSnapshot` rows by `stats.services`, and read here. This module never writes.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import F, IntegerField, Q, Subquery, Value
from django.utils import timezone

from branches.models import Branch, Committee, Group
from projects.enums import PUBLIC_STATUSES
from projects.models import MicroProject, ProjectType
from projects.school_years import school_year_months

from .aggregation import compute_figures, empty_figures
from .enums import StatScope
from .models import StatFreshness, StatSnapshot
from .scopes import scope_key, union_arm


@dataclass(frozen=True)
class ScopeStats:
    """One group, branch or project type with its figures for the year."""

    id: int
    name: str
    figures: dict[str, Any]


@dataclass(frozen=True)
class ProjectStats:
    """One approved project with what a report names it by, where it belongs, and its figures for the year."""

    id: int
    title: str
    type_name: str
    group_name: str
    branch_name: str
    status: str
    status_label: str
    figures: dict[str, Any]
    group_id: int
    branch_id: int
    type_id: int | None


@dataclass(frozen=True)
class MonthStats:
    month: datetime.date
    figures: dict[str, Any]


@dataclass(frozen=True)
class CommitteeStats:
    """A committee's figures for a school year, as the dashboards, reports and commands show them.

    ``computed_at`` is when the committee's snapshot was computed; ``stale`` says a write has
    touched the data since (the figures are then the last known ones, shown with their age).
    ``from_snapshot`` is False when no snapshot existed and the figures were computed just now;
    ``missing`` names the scopes that had none (their figures were computed just now too).
    """

    committee: Committee
    school_year: str
    computed_at: datetime.datetime
    stale: bool
    from_snapshot: bool
    missing: tuple[str, ...]  # scope keys without a snapshot yet, computed just now
    totals: dict[str, Any]
    projects: list[ProjectStats]
    groups: list[ScopeStats]
    branches: list[ScopeStats]
    types: list[ScopeStats]
    months: list[MonthStats]

    @property
    def age(self) -> datetime.timedelta:
        return timezone.now() - self.computed_at


def _names(queryset, kind: int, first: str, then: str | None = None):
    """An arm of `_scope_names`' UNION: (kind, sort keys, name, pk)."""
    return union_arm(
        queryset,
        kind=Value(kind, output_field=IntegerField()),
        first=F(first),
        then=F(then) if then else Value(0, output_field=IntegerField()),
        scope_name=F("name"),
        scope_pk=F("pk"),
    )


def _scope_names(committee: Committee) -> tuple[list[tuple[int, str]], ...]:
    """(pk, name) of the committee's groups, branches and project types, each in its own order
    (the models' orderings), in one query."""
    groups, branches, types = [], [], []
    rows = _names(Group.objects.filter(branch__committee=committee), 0, "branch__position", "position").union(
        _names(Branch.objects.filter(committee=committee), 1, "position"),
        _names(ProjectType.objects.filter(committee=committee), 2, "position"),
        all=True,
    )
    for kind, _first, _then, name, pk in rows.order_by("kind", "first", "then", "scope_name", "scope_pk"):
        (groups, branches, types)[kind].append((pk, name))
    return groups, branches, types


def committee_stats(committee: Committee, school_year: str) -> CommitteeStats:
    """The committee's figures for the year from its snapshots (three queries).

    With no snapshot yet, the figures are computed in process (nothing is written). Callers
    scope by user themselves: this returns the whole committee's figures.
    """
    # Tuples, not model instances: the dashboard reads some sixty rows and as many names on every
    # request. The model's ordering would join the committee (one here) to sort by its name.
    year_stamp = StatFreshness.objects.filter(committee=committee, school_year=school_year).values("computed_at")[:1]
    rows = list(
        StatSnapshot.objects.filter(committee=committee, school_year=school_year)
        .filter(Q(month__isnull=True) | Q(scope_kind=StatScope.COMMITTEE))
        .order_by("scope_kind", "scope_id", "month")
        # The year's stamp rides along on every row (PostgreSQL runs the uncorrelated subquery once).
        .annotate(year_computed_at=Subquery(year_stamp))
        .values_list("scope_kind", "scope_id", "month", "figures", "computed_at", "edited_at", "year_computed_at")
    )
    figures = {(kind, scope_id, month): data for kind, scope_id, month, data, *_times in rows}
    committee_row = next((row for row in rows if row[0] == StatScope.COMMITTEE and row[2] is None), None)
    # When the year was last recomputed (snapshots are rewritten only when their figures change);
    # a year computed before the stamps existed falls back to its committee row's own time.
    computed_at = (committee_row[6] or committee_row[4]) if committee_row else timezone.now()
    stale = any(edited_at is not None and edited_at > at for *_key, _data, at, edited_at, _year_at in rows)

    projects = (
        MicroProject.objects.filter(committee=committee, school_year=school_year, status__in=PUBLIC_STATUSES)
        .order_by("group__branch__position", "group__position", "title", "pk")
        .values_list(
            "pk",
            "title",
            "project_type__name",
            "group__name",
            "group__branch__name",
            "status",
            "group_id",
            "group__branch_id",
            "project_type_id",
        )
    )
    projects = list(projects)
    status_labels = dict(MicroProject._meta.get_field("status").flatchoices)
    groups, branches, types = _scope_names(committee)
    # A scope without a snapshot (a new project, group or type; a year with only honours) is
    # computed now, never shown as zero; the caller queues its snapshot (`missing`).
    wanted = [
        *((StatScope.PROJECT, row[0]) for row in projects),
        *((StatScope.GROUP, pk) for pk, _name in groups),
        *((StatScope.BRANCH, pk) for pk, _name in branches),
        *((StatScope.TYPE, pk) for pk, _name in types),
        (StatScope.COMMITTEE, committee.pk),
    ]
    missing = tuple(scope_key(kind, pk) for kind, pk in wanted if (kind, pk, None) not in figures)
    if missing:
        figures.update(compute_figures(committee.pk, school_year, missing))

    def of(kind: str, pk: int) -> dict[str, Any]:
        return figures.get((kind, pk, None)) or empty_figures()

    return CommitteeStats(
        committee=committee,
        school_year=school_year,
        computed_at=computed_at,
        stale=stale,
        from_snapshot=bool(rows),
        missing=missing,
        totals=of(StatScope.COMMITTEE, committee.pk),
        projects=[
            ProjectStats(
                id=pk,
                title=title,
                type_name=type_name or "",
                group_name=group_name,
                branch_name=branch_name,
                status=status,
                status_label=str(status_labels.get(status, status)),
                figures=of(StatScope.PROJECT, pk),
                group_id=group_id,
                branch_id=branch_id,
                type_id=type_id,
            )
            for pk, title, type_name, group_name, branch_name, status, group_id, branch_id, type_id in projects
        ],
        groups=[ScopeStats(pk, name, of(StatScope.GROUP, pk)) for pk, name in groups],
        branches=[ScopeStats(pk, name, of(StatScope.BRANCH, pk)) for pk, name in branches],
        types=[ScopeStats(pk, name, of(StatScope.TYPE, pk)) for pk, name in types],
        months=[
            MonthStats(month, figures.get((StatScope.COMMITTEE, committee.pk, month)) or empty_figures())
            for month in school_year_months(school_year)
        ],
    )
