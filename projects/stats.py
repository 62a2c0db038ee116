"""Statistics of micro-projects: computed by the database, kept as snapshots, read by dashboards.

A *scope* is a project, a group, a branch, a project type or the whole committee, named by a
key such as ``"group:3"``. For each scope and school year the figures cover the year and each
of its months. What counts:

- only projects that were approved (已立项 / 实施中 / 已结项) of that school year;
- activities, photos and indicator values of archived activities never count, nor archived photos;
- achievements count once verified; a scope counts the achievements linked to its projects, and
  the committee also counts its own honours and achievements without a project (by the school
  year of their date).

Every figure comes from GROUP BY queries with conditional aggregates, the same on SQLite and
PostgreSQL; Python only files the grouped rows under their scope and turns sums into ratios.
Writes live in `stats_services`; this module never writes.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from activities.enums import AchievementLevel, AchievementRank, AchievementStatus
from activities.models import Achievement, ActivityLog, IndicatorValue, Photo
from branches.models import Branch, Committee, Group
from members.models import Member

from .enums import PUBLIC_STATUSES
from .models import Indicator, MicroProject, ProjectTarget, ProjectType, StatScope, StatSnapshot

# Where each scope sits, seen from a MicroProject.
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


def school_year_of(day: datetime.date) -> str:
    """The school year a date falls in; a school year runs from September to August."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{start + 1}"


def school_year_bounds(school_year: str) -> tuple[datetime.date, datetime.date]:
    """First and last day of a school year such as ``"2024-2025"``."""
    start = int(school_year[:4])
    return datetime.date(start, 9, 1), datetime.date(start + 1, 8, 31)


def school_year_months(school_year: str) -> list[datetime.date]:
    """The first day of each of the school year's twelve months, September first."""
    start = int(school_year[:4])
    return [datetime.date(start + (month < 9), month, 1) for month in (*range(9, 13), *range(1, 9))]


def normalise_school_year(raw: str) -> str:
    """``"2024"`` or ``"2024-2025"`` → ``"2024-2025"``; ValueError for anything else."""
    raw = raw.strip()
    start = raw[:4]
    if not start.isdigit() or raw not in (start, f"{start}-{int(start) + 1}"):
        raise ValueError(f"not a school year: {raw!r}")
    return f"{start}-{int(start) + 1}"


def school_years_of(committee: Committee | int) -> list[str]:
    """School years with approved projects or committee achievements, oldest first (two queries)."""
    years = set(
        MicroProject.objects.filter(committee=committee, status__in=PUBLIC_STATUSES)
        .values_list("school_year", flat=True)
        .distinct()
    )
    # Achievements without a project belong to the school year of their date.
    dates = (
        Achievement.objects.filter(committee=committee, status=AchievementStatus.VERIFIED, project__isnull=True)
        .annotate(month=TruncMonth("awarded_on"))
        .values_list("month", flat=True)
        .distinct()
    )
    years.update(school_year_of(month) for month in dates)
    return sorted(years)


# --- computing ---------------------------------------------------------------------------


def _level_alias(level: str) -> str:
    return f"level_{level}"


def _rank_alias(rank: str) -> str:
    return f"rank_{rank}"


@dataclass
class _Raw:
    """Grouped values of one snapshot key before they become figures."""

    activities: int = 0
    activities_with_photos: int = 0
    hours: Decimal = Decimal(0)
    beneficiaries: int = 0
    person_times: int = 0
    participants: int = 0
    members: int = 0
    members_participating: int = 0
    photos: int = 0
    achievements: int = 0
    levels: dict[str, int] = field(default_factory=dict)
    ranks: dict[str, int] = field(default_factory=dict)
    targets: dict[int, Decimal] = field(default_factory=dict)
    actuals: dict[int, Decimal] = field(default_factory=dict)


def _number(value: Decimal | int | None) -> int | float:
    """A sum as JSON: whole numbers as int, others rounded to two decimals."""
    value = Decimal(value or 0).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return int(value) if value == value.to_integral_value() else float(value)


def percent(part: Decimal | int | float | None, whole: Decimal | int | float | None) -> float | None:
    """``part / whole`` in percent with one decimal, None when there is no whole."""
    if not whole:
        return None
    ratio = Decimal(str(part or 0)) * 100 / Decimal(str(whole))
    return float(ratio.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


class _Computation:
    """One school year of one committee, for the scopes asked; a fixed number of grouped queries."""

    def __init__(self, committee_id: int, school_year: str, scope_ids: dict[str, set[int]]) -> None:
        self.committee_id = committee_id
        self.school_year = school_year
        self.scope_ids = scope_ids
        self.months = school_year_months(school_year)
        self.table: dict[SnapshotKey, _Raw] = {}
        for kind, ids in scope_ids.items():
            for scope_id in ids:
                for month in (None, *self.months):
                    self.table[(kind, scope_id, month)] = _Raw()

    def _raw(self, kind: str, scope_id: int | None, month: datetime.date | None) -> _Raw | None:
        if scope_id is None or scope_id not in self.scope_ids[kind]:
            return None  # e.g. projects without a type
        return self.table.setdefault((kind, scope_id, month), _Raw())

    def _projects_q(self, kind: str, prefix: str) -> Q:
        """The counted projects of the scope kind's asked ids, seen through ``prefix``."""
        return Q(
            **{
                f"{prefix}committee_id": self.committee_id,
                f"{prefix}school_year": self.school_year,
                f"{prefix}status__in": PUBLIC_STATUSES,
                f"{prefix}{SCOPE_PATHS[kind]}__in": self.scope_ids[kind],
            }
        )

    def _grouped(self, queryset: QuerySet, kind: str, prefix: str, month_of: str | None, *extra: str):
        """Rows of ``queryset`` grouped by scope (and month when ``month_of`` is a date field)."""
        group_by: dict[str, Any] = {"scope": F(f"{prefix}{SCOPE_PATHS[kind]}")}
        if month_of:
            group_by["month"] = TruncMonth(month_of)
        return queryset.values(*extra, **group_by).order_by()

    def run(self) -> dict[SnapshotKey, _Raw]:
        for kind, ids in self.scope_ids.items():
            if ids:
                self._activities(kind)
                self._participants(kind)
                self._indicators(kind)
                self._photos(kind)
                self._achievements(kind)
                self._members(kind)  # last: it fills every month row the others added
        return self.table

    def _activities(self, kind: str) -> None:
        has_photo = Exists(Photo.objects.filter(activity_id=OuterRef("pk"), is_archived=False))
        logs = ActivityLog.objects.filter(self._projects_q(kind, "project__"), is_archived=False)
        for month_of in (None, "date"):
            rows = self._grouped(logs, kind, "project__", month_of).annotate(
                n=Count("pk"),
                with_photos=Count("pk", filter=Q(has_photo)),
                hours_sum=Sum("duration_hours"),
                beneficiaries_sum=Sum("beneficiaries_count"),
            )
            for row in rows:
                raw = self._raw(kind, row["scope"], row.get("month"))
                if raw is not None:
                    raw.activities = row["n"]
                    raw.activities_with_photos = row["with_photos"]
                    raw.hours = row["hours_sum"] or Decimal(0)
                    raw.beneficiaries = row["beneficiaries_sum"] or 0

    def _member_in_scope(self, kind: str) -> Q:
        """Whether a participant (a row of the activity–member table) is a member of the scope."""
        project = "activitylog__project__"
        active = Q(member__is_active=True)
        if kind == StatScope.GROUP:
            return active & Q(member__group_id=F(f"{project}group_id"))
        if kind == StatScope.BRANCH:
            return active & Q(member__group__branch_id=F(f"{project}group__branch_id"))
        if kind == StatScope.PROJECT:
            enrolled = MicroProject.participants.through.objects.filter(
                microproject_id=OuterRef(f"{project}id"), member_id=OuterRef("member_id")
            )
            return active & Q(Exists(enrolled))
        if kind == StatScope.TYPE:
            runs_type = MicroProject.objects.filter(
                committee_id=self.committee_id,
                school_year=self.school_year,
                status__in=PUBLIC_STATUSES,
                project_type_id=OuterRef(f"{project}project_type_id"),
                group_id=OuterRef("member__group_id"),
            )
            return active & Q(Exists(runs_type))
        return active

    def _participants(self, kind: str) -> None:
        taking_part = ActivityLog.participants.through.objects.filter(
            self._projects_q(kind, "activitylog__project__"), activitylog__is_archived=False
        )
        for month_of in (None, "activitylog__date"):
            rows = self._grouped(taking_part, kind, "activitylog__project__", month_of).annotate(
                person_times=Count("pk"),
                distinct_members=Count("member_id", distinct=True),
                in_scope=Count("member_id", distinct=True, filter=self._member_in_scope(kind)),
            )
            for row in rows:
                raw = self._raw(kind, row["scope"], row.get("month"))
                if raw is not None:
                    raw.person_times = row["person_times"]
                    raw.participants = row["distinct_members"]
                    raw.members_participating = row["in_scope"]

    def _members(self, kind: str) -> None:
        """Active members of each scope: the denominator of the participation rate.

        A project's members are its enrolled participants; a type's are the members of the
        groups running a project of that type this year.
        """
        ids = self.scope_ids[kind]
        active = Member.objects.filter(committee_id=self.committee_id, is_active=True)
        if kind == StatScope.PROJECT:
            rows = (
                MicroProject.participants.through.objects.filter(microproject_id__in=ids, member__is_active=True)
                .values(scope=F("microproject_id"))
                .annotate(n=Count("member_id", distinct=True))
            )
        elif kind == StatScope.TYPE:
            rows = (
                active.filter(
                    group__projects__committee_id=self.committee_id,
                    group__projects__school_year=self.school_year,
                    group__projects__status__in=PUBLIC_STATUSES,
                    group__projects__project_type_id__in=ids,
                )
                .values(scope=F("group__projects__project_type_id"))
                .annotate(n=Count("pk", distinct=True))
            )
        else:
            path = {StatScope.GROUP: "group_id", StatScope.BRANCH: "group__branch_id"}.get(kind, "committee_id")
            rows = active.filter(**{f"{path}__in": ids}).values(scope=F(path)).annotate(n=Count("pk"))
        counts = {row["scope"]: row["n"] for row in rows.order_by()}
        for (row_kind, scope_id, _month), raw in self.table.items():
            if row_kind == kind:
                raw.members = counts.get(scope_id, 0)

    def _indicators(self, kind: str) -> None:
        targets = self._grouped(
            ProjectTarget.objects.filter(self._projects_q(kind, "project__")), kind, "project__", None, "indicator_id"
        ).annotate(total=Sum("target_value"))
        for row in targets:
            raw = self._raw(kind, row["scope"], None)
            if raw is not None:
                raw.targets[row["indicator_id"]] = row["total"]
        values = IndicatorValue.objects.filter(
            self._projects_q(kind, "activity__project__"), activity__is_archived=False
        )
        for month_of in (None, "activity__date"):
            rows = self._grouped(values, kind, "activity__project__", month_of, "indicator_id").annotate(
                total=Sum("value")
            )
            for row in rows:
                raw = self._raw(kind, row["scope"], row.get("month"))
                if raw is not None:
                    raw.actuals[row["indicator_id"]] = row["total"]

    def _photos(self, kind: str) -> None:
        photos = Photo.objects.filter(
            self._projects_q(kind, "activity__project__"), is_archived=False, activity__is_archived=False
        )
        for month_of in (None, "activity__date"):
            for row in self._grouped(photos, kind, "activity__project__", month_of).annotate(n=Count("pk")):
                raw = self._raw(kind, row["scope"], row.get("month"))
                if raw is not None:
                    raw.photos = row["n"]

    def _achievements(self, kind: str) -> None:
        verified = Achievement.objects.filter(status=AchievementStatus.VERIFIED)
        if kind == StatScope.COMMITTEE:
            first, last = school_year_bounds(self.school_year)
            achievements = verified.filter(committee_id=self.committee_id).filter(
                Q(project__school_year=self.school_year) | Q(project__isnull=True, awarded_on__range=(first, last))
            )
            prefix = ""
        else:
            achievements = verified.filter(self._projects_q(kind, "project__"))
            prefix = "project__"
        counts = {_level_alias(level): Count("pk", filter=Q(level=level)) for level in AchievementLevel.values}
        counts |= {_rank_alias(rank): Count("pk", filter=Q(rank=rank)) for rank in AchievementRank.values}
        for month_of in (None, "awarded_on"):
            rows = self._grouped(achievements, kind, prefix, month_of).annotate(n=Count("pk"), **counts)
            for row in rows:
                raw = self._raw(kind, row["scope"], row.get("month"))
                if raw is not None:
                    raw.achievements = row["n"]
                    raw.levels = {level: row[_level_alias(level)] for level in AchievementLevel.values}
                    raw.ranks = {rank: row[_rank_alias(rank)] for rank in AchievementRank.values}


def _figures(raw: _Raw, indicators: dict[int, Indicator], *, with_targets: bool) -> dict[str, Any]:
    order = {pk: position for position, pk in enumerate(indicators)}
    indicator_ids = sorted(raw.targets.keys() | raw.actuals.keys(), key=lambda pk: (order.get(pk, len(order)), pk))
    rows = []
    for pk in indicator_ids:
        indicator = indicators.get(pk)
        target = raw.targets.get(pk) if with_targets else None
        actual = raw.actuals.get(pk, Decimal(0))
        rows.append(
            {
                "id": pk,
                "name": indicator.name if indicator else "",
                "unit": indicator.unit if indicator else "",
                "target": _number(target) if target is not None else None,
                "actual": _number(actual),
                "completion": percent(actual, target),
            }
        )
    return {
        "activities": raw.activities,
        "person_times": raw.person_times,
        "participants": raw.participants,
        "members": raw.members,
        "members_participating": raw.members_participating,
        "participation_rate": percent(raw.members_participating, raw.members),
        "beneficiaries": raw.beneficiaries,
        "hours": _number(raw.hours),
        "photos": raw.photos,
        "activities_with_photos": raw.activities_with_photos,
        "evidence_coverage": percent(raw.activities_with_photos, raw.activities),
        "indicators": rows,
        "achievements_verified": raw.achievements,
        "achievements_by_level": {level: raw.levels.get(level, 0) for level in AchievementLevel.values},
        "achievements_by_rank": {rank: raw.ranks.get(rank, 0) for rank in AchievementRank.values},
    }


def empty_figures() -> dict[str, Any]:
    """The figures of a scope with nothing in it (every key present)."""
    return _figures(_Raw(), {}, with_targets=True)


def _scope_ids(committee_id: int, school_year: str, scopes: Iterable[str] | None) -> dict[str, set[int]]:
    """Ids of each kind to compute: every scope of the committee, or those asked that exist."""
    asked: dict[str, set[int]] | None = None
    if scopes is not None:
        asked = {kind: set() for kind in SCOPE_PATHS}
        for key in scopes:
            kind, scope_id = parse_scope_key(key)
            asked[kind].add(scope_id)

    def existing(kind: str, queryset: QuerySet) -> set[int]:
        if asked is not None:
            if not asked[kind]:
                return set()
            queryset = queryset.filter(pk__in=asked[kind])
        return set(queryset.values_list("pk", flat=True))

    return {
        StatScope.PROJECT: existing(
            StatScope.PROJECT,
            MicroProject.objects.filter(committee_id=committee_id, school_year=school_year, status__in=PUBLIC_STATUSES),
        ),
        StatScope.GROUP: existing(StatScope.GROUP, Group.objects.filter(branch__committee_id=committee_id)),
        StatScope.BRANCH: existing(StatScope.BRANCH, Branch.objects.filter(committee_id=committee_id)),
        StatScope.TYPE: existing(StatScope.TYPE, ProjectType.objects.filter(committee_id=committee_id)),
        StatScope.COMMITTEE: existing(StatScope.COMMITTEE, Committee.objects.filter(pk=committee_id)),
    }


def compute_figures(
    committee_id: int, school_year: str, scopes: Iterable[str] | None = None
) -> dict[SnapshotKey, dict[str, Any]]:
    """Figures of every scope of the committee (or of the scope keys given) for a school year.

    Keys are (kind, scope id, month); month None is the whole year, else the first day of a
    month (all twelve months of the year, plus any month outside it that has data). Scope keys
    of other committees or of projects not approved that year are ignored. Month figures carry
    indicator actuals without targets. A fixed number of grouped queries per scope kind.
    """
    scope_ids = _scope_ids(committee_id, school_year, scopes)
    table = _Computation(committee_id, school_year, scope_ids).run()
    indicators = {indicator.pk: indicator for indicator in Indicator.objects.filter(committee_id=committee_id)}
    return {key: _figures(raw, indicators, with_targets=key[2] is None) for key, raw in table.items()}


# --- reading ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeStats:
    """One group, branch or project type with its figures for the year."""

    id: int
    name: str
    figures: dict[str, Any]


@dataclass(frozen=True)
class ProjectStats:
    """One approved project with what a report names it by, and its figures for the year."""

    id: int
    title: str
    type_name: str
    group_name: str
    branch_name: str
    status: str
    status_label: str
    figures: dict[str, Any]


@dataclass(frozen=True)
class MonthStats:
    month: datetime.date
    figures: dict[str, Any]


@dataclass(frozen=True)
class CommitteeStats:
    """A committee's figures for a school year, as the dashboards, reports and commands show them.

    ``computed_at`` is when the committee's snapshot was computed; ``stale`` says a write has
    touched the data since (the figures are then the last known ones, shown with their age).
    ``from_snapshot`` is False when no snapshot existed and the figures were computed just now.
    """

    committee: Committee
    school_year: str
    computed_at: datetime.datetime
    stale: bool
    from_snapshot: bool
    totals: dict[str, Any]
    projects: list[ProjectStats]
    groups: list[ScopeStats]
    branches: list[ScopeStats]
    types: list[ScopeStats]
    months: list[MonthStats]

    @property
    def age(self) -> datetime.timedelta:
        return timezone.now() - self.computed_at


def committee_stats(committee: Committee, school_year: str) -> CommitteeStats:
    """The committee's figures for the year from its snapshots (five queries).

    With no snapshot yet, the figures are computed in process (nothing is written). Callers
    scope by user themselves: this returns the whole committee's figures.
    """
    rows = list(
        StatSnapshot.objects.filter(committee=committee, school_year=school_year).filter(
            Q(month__isnull=True) | Q(scope_kind=StatScope.COMMITTEE)
        )
    )
    if rows:
        figures = {(row.scope_kind, row.scope_id, row.month): row.figures for row in rows}
        committee_row = next(
            (row for row in rows if row.scope_kind == StatScope.COMMITTEE and row.month is None), rows[0]
        )
        computed_at = committee_row.computed_at
        stale = any(row.edited_at is not None and row.edited_at > row.computed_at for row in rows)
    else:
        computed_at = timezone.now()
        figures = compute_figures(committee.pk, school_year)
        stale = False

    def of(kind: str, pk: int) -> dict[str, Any]:
        return figures.get((kind, pk, None)) or empty_figures()

    projects = (
        MicroProject.objects.filter(committee=committee, school_year=school_year, status__in=PUBLIC_STATUSES)
        .select_related("group__branch", "project_type")
        .order_by("group__branch__position", "group__position", "title", "pk")
    )
    groups = Group.objects.filter(branch__committee=committee).select_related("branch")
    branches = Branch.objects.filter(committee=committee)
    types = ProjectType.objects.filter(committee=committee)
    return CommitteeStats(
        committee=committee,
        school_year=school_year,
        computed_at=computed_at,
        stale=stale,
        from_snapshot=bool(rows),
        totals=of(StatScope.COMMITTEE, committee.pk),
        projects=[
            ProjectStats(
                id=project.pk,
                title=project.title,
                type_name=project.project_type.name if project.project_type else "",
                group_name=project.group.name,
                branch_name=project.group.branch.name,
                status=project.status,
                status_label=project.get_status_display(),
                figures=of(StatScope.PROJECT, project.pk),
            )
            for project in projects
        ],
        groups=[ScopeStats(group.pk, group.name, of(StatScope.GROUP, group.pk)) for group in groups],
        branches=[ScopeStats(branch.pk, branch.name, of(StatScope.BRANCH, branch.pk)) for branch in branches],
        types=[ScopeStats(kind.pk, kind.name, of(StatScope.TYPE, kind.pk)) for kind in types],
        months=[
            MonthStats(month, figures.get((StatScope.COMMITTEE, committee.pk, month)) or empty_figures())
            for month in school_year_months(school_year)
        ],
    )
