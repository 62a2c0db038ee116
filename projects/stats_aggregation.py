"""The statistics aggregation: every figure of every scope from a fixed number of GROUP BY queries.

What counts:
- only projects that were approved (已立项 / 实施中 / 已结项) of that school year;
- activities, photos and indicator values of archived activities never count, nor archived photos;
- achievements count once verified; a scope counts the achievements linked to its projects, and
  the committee also counts its own honours and achievements without a project (by the school
  year of their date).

Conditional aggregates (``Count(filter=...)``, ``Exists``) keep the figures the same on SQLite
and PostgreSQL; Python only files the grouped rows under their scope and turns sums into ratios.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from activities.enums import AchievementLevel, AchievementRank, AchievementStatus
from activities.models import Achievement, ActivityLog, IndicatorValue, Photo
from branches.models import Branch, Committee, Group
from members.models import Member

from .enums import PUBLIC_STATUSES
from .models import Indicator, MicroProject, ProjectTarget, ProjectType, StatScope
from .stats_scopes import SCOPE_PATHS, SnapshotKey, parse_scope_key, school_year_bounds, school_year_months


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
