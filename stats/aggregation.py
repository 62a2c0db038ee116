"""The statistics aggregation: every figure of every scope from a fixed number of GROUP BY queries.

What counts:
- only projects that were approved (已立项 / 实施中 / 已结项) of that school year;
- activities, photos and indicator values of archived activities never count, nor archived photos;
- achievements count once verified; a scope counts the achievements linked to its projects, and
  the committee also counts its own honours and achievements without a project (by the school
  year of their date).

The database groups rows by project and month (one query per figure family, every school year
of a committee at once, except participations and indicator values: one query per school year,
see `_Computation._by_year`); Python rolls them up to groups, branches, types, the committee and the
whole year, and turns sums into ratios. Per-scope-kind GROUP BY queries cost 5x the queries and
5x the passes over the rows for the same sums (bench/run.py measured the difference).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import chain
from typing import Any

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.db.models.lookups import GreaterThan

from activities.enums import AchievementLevel, AchievementRank, AchievementStatus
from activities.models import Achievement, ActivityLog, IndicatorValue, Photo
from branches.models import Branch, Group
from config.percentages import percent
from members.enums import PartyStatus
from members.models import Member
from projects.enums import PUBLIC_STATUSES
from projects.models import Indicator, MicroProject, ProjectTarget, ProjectType
from projects.school_years import school_year_bounds, school_year_months, school_year_of

from .enums import StatScope
from .scopes import SCOPE_PATHS, SnapshotKey, parse_scope_key

# Who counts as a Party member (党员) in 党员数 and the participation rate.
PARTY_MEMBER_STATUSES = (PartyStatus.FULL, PartyStatus.PROBATIONARY)


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
    actuals: dict[int, Decimal] = field(default_factory=dict)  # of the projects with a target for it
    unplanned: dict[int, Decimal] = field(default_factory=dict)  # of the projects without one (计划外完成)


_CENT = Decimal("0.01")


def _number(value: Decimal | int | None) -> int | float:
    """A sum as JSON: whole numbers as int, others rounded to two decimals."""
    if type(value) is int or not value:  # counts, and nothing: no decimal arithmetic (per figure)
        return value or 0
    value = Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)
    return int(value) if value == value.to_integral_value() else float(value)


# A public project as the roll-up sees it: (id, group, branch, type or None, school year)
_ProjectRow = tuple[int, int, int, int | None, str]


class _Computation:
    """One committee, one or more school years, the scopes asked; a fixed number of queries per year.

    Every additive figure is read once per project and month (one grouped query per figure
    family) and rolled up in Python to the project's group, branch, type and committee and to
    the whole year; distinct counts (participants, participation) are rolled up from the
    (project, month, member) rows. So the query count does not depend on the number of scope
    kinds or scopes (12 for one year, two more for each further year), and a year is one pass
    over its rows.
    """

    def __init__(self, committee_id: int, school_years: list[str], asked: dict[str, set[int]] | None) -> None:
        self.committee_id = committee_id
        self.school_years = school_years
        self.asked = asked
        self.tables: dict[str, dict[SnapshotKey, _Raw]] = {year: {} for year in school_years}
        self._rows_cache: dict[tuple[int, datetime.date | None], list[tuple[str, SnapshotKey, _Raw]]] = {}

    # Scopes ---------------------------------------------------------------------------

    def _wanted(self, kind: str, ids) -> set[int]:
        ids = set(ids)
        if self.asked is not None:
            ids &= self.asked[kind]
        return ids

    def _load_scopes(self) -> None:
        projects = MicroProject.objects.filter(committee_id=self.committee_id, school_year__in=self.school_years)
        self.public: dict[int, _ProjectRow] = {}
        self.project_year: dict[int, str] = {}  # every status: achievements count for the committee
        for pk, group_id, branch_id, type_id, year, status in projects.values_list(
            "id", "group_id", "group__branch_id", "project_type_id", "school_year", "status"
        ).order_by():
            self.project_year[pk] = year
            if status in PUBLIC_STATUSES:
                self.public[pk] = (pk, group_id, branch_id, type_id, year)
        self.scope_ids = {
            StatScope.PROJECT: self._wanted(StatScope.PROJECT, self.public),
            StatScope.GROUP: self._wanted(
                StatScope.GROUP,
                Group.objects.filter(branch__committee_id=self.committee_id).values_list("pk", flat=True),
            ),
            StatScope.BRANCH: self._wanted(
                StatScope.BRANCH, Branch.objects.filter(committee_id=self.committee_id).values_list("pk", flat=True)
            ),
            StatScope.TYPE: self._wanted(
                StatScope.TYPE, ProjectType.objects.filter(committee_id=self.committee_id).values_list("pk", flat=True)
            ),
            StatScope.COMMITTEE: self._wanted(StatScope.COMMITTEE, [self.committee_id]),
        }
        # The scopes each public project's rows count in, and the projects that count at all.
        self.keys_of: dict[int, list[tuple[str, int]]] = {}
        for pk, group_id, branch_id, type_id, _year in self.public.values():
            keys = [
                (StatScope.PROJECT, pk),
                (StatScope.GROUP, group_id),
                (StatScope.BRANCH, branch_id),
                (StatScope.TYPE, type_id),
                (StatScope.COMMITTEE, self.committee_id),
            ]
            keys = [(kind, scope_id) for kind, scope_id in keys if scope_id in self.scope_ids[kind]]
            if keys:
                self.keys_of[pk] = keys
        for year, table in self.tables.items():
            months = (None, *school_year_months(year))
            for kind, ids in self.scope_ids.items():
                for scope_id in ids:
                    if kind == StatScope.PROJECT and self.public[scope_id][4] != year:
                        continue
                    for month in months:
                        table[(kind, scope_id, month)] = _Raw()

    def _rows_of(self, project_id: int, month: datetime.date | None) -> list[tuple[str, SnapshotKey, _Raw]]:
        """The (year, key, raw) rows a value of the project in that month adds to: month and year.

        Cached per project and month: the grouped rows of a committee repeat them thousands of times.
        """
        cached = self._rows_cache.get((project_id, month))
        if cached is not None:
            return cached
        found: list[tuple[str, SnapshotKey, _Raw]] = []
        keys = self.keys_of.get(project_id, ())
        if keys:
            year = self.public[project_id][4]
            table = self.tables[year]
            for kind, scope_id in keys:
                found.append((year, (kind, scope_id, None), table[(kind, scope_id, None)]))
                if month is not None:
                    key = (kind, scope_id, month)
                    raw = table.get(key)
                    if raw is None:  # data dated outside the school year gets a month of its own
                        raw = table[key] = _Raw()
                    found.append((year, key, raw))
        self._rows_cache[(project_id, month)] = found
        return found

    # Figures ----------------------------------------------------------------------------

    def run(self) -> dict[str, dict[SnapshotKey, _Raw]]:
        self._load_scopes()
        counted = list(self.keys_of)
        self._load_people(counted)
        if counted:
            self._activities(counted)
            self._participants(counted)
            self._indicators(counted)
        self._achievements()
        self._members()
        return self.tables

    def _activities(self, counted: list[int]) -> None:
        live_photos = Photo.objects.filter(activity_id=OuterRef("pk"), is_archived=False).order_by()
        # Photos are counted per activity through its index: joining the photo table to a
        # committee's activities made PostgreSQL scan every photo of the district. The count
        # also says whether the activity has a photo: an EXISTS there was planned as a hashed
        # subquery over every live photo of the district (20 ms per recompute at district size).
        photo_count = Coalesce(Subquery(live_photos.values("activity_id").annotate(n=Count("pk")).values("n")), 0)
        rows = (
            ActivityLog.objects.filter(project_id__in=counted, is_archived=False)
            .values("project_id", month=TruncMonth("date"))
            .annotate(
                n=Count("pk"),
                with_photos=Count("pk", filter=Q(GreaterThan(photo_count, 0))),
                photo_sum=Sum(photo_count),
                hours_sum=Sum("duration_hours"),
                beneficiaries_sum=Sum("beneficiaries_count"),
            )
            .order_by()
        )
        for row in rows:
            for _year, _key, raw in self._rows_of(row["project_id"], row["month"]):
                raw.activities += row["n"]
                raw.activities_with_photos += row["with_photos"]
                raw.photos += row["photo_sum"] or 0
                raw.hours += row["hours_sum"] or Decimal(0)
                raw.beneficiaries += row["beneficiaries_sum"] or 0

    def _load_people(self, counted: list[int]) -> None:
        """Members of the committee, enrolments of the counted projects, and each type's groups."""
        # 党员: active full and probationary members; activists (入党积极分子) take part, but are no
        # Party members yet, so they count in person-times and participants, not in 党员数.
        self.member_rows = {
            pk: (group_id, branch_id, active and status in PARTY_MEMBER_STATUSES)
            for pk, group_id, branch_id, active, status in Member.objects.filter(committee_id=self.committee_id)
            .values_list("id", "group_id", "group__branch_id", "is_active", "party_status")
            .order_by()
        }
        self.enrolled: dict[int, set[int]] = {}
        for project_id, member_id in (
            MicroProject.participants.through.objects.filter(microproject_id__in=counted)
            .values_list("microproject_id", "member_id")
            .order_by()
        ):
            self.enrolled.setdefault(project_id, set()).add(member_id)
        # Groups running a project of each type in each year: a type's members.
        self.type_groups: dict[tuple[str, int], set[int]] = {}
        for _pk, group_id, _branch_id, type_id, year in self.public.values():
            if type_id is not None:
                self.type_groups.setdefault((year, type_id), set()).add(group_id)

    def _by_year(self, counted: list[int]) -> list[list[int]]:
        """The counted projects in one list per school year, for the queries that join a table
        of several rows per activity to the activities.

        A school's year of activities is read through the indexes (a nested loop); all its
        years at once crossed PostgreSQL's estimate for a hash join over every participation
        and indicator value of the district instead (100 ms each for the largest school, 4x
        the nested loop), which the nightly run did again for every committee.
        """
        found: dict[str, list[int]] = {}
        for pk in counted:
            found.setdefault(self.project_year[pk], []).append(pk)
        return list(found.values())

    def _participants(self, counted: list[int]) -> None:
        rows = chain.from_iterable(
            ActivityLog.participants.through.objects.filter(
                activitylog__project_id__in=projects, activitylog__is_archived=False
            )
            .values_list("activitylog__project_id", TruncMonth("activitylog__date"), "member_id")
            .annotate(n=Count("pk"))
            .order_by()
            for projects in self._by_year(counted)
        )
        # Members of each project and month first, then one set union per scope row: distinct
        # counts cannot be summed, and a union per scope is far cheaper than a test per row.
        members_of: dict[tuple[int, datetime.date], set[int]] = {}
        for project_id, month, member_id, n in rows:
            members_of.setdefault((project_id, month), set()).add(member_id)
            for _year, _key, raw in self._rows_of(project_id, month):
                raw.person_times += n
        seen: dict[tuple[str, SnapshotKey], set[int]] = {}
        for (project_id, month), members in members_of.items():
            for year, key, _raw in self._rows_of(project_id, month):
                seen.setdefault((year, key), set()).update(members)
        for (year, key), members in seen.items():
            raw = self.tables[year][key]
            raw.participants = len(members)
            raw.members_participating = sum(
                1 for member_id in members if self._belongs(year, key[0], key[1], member_id)
            )

    def _belongs(self, year: str, kind: str, scope_id: int, member_id: int) -> bool:
        """Whether an active member belongs to the scope (the numerator of participation)."""
        group_id, branch_id, active = self.member_rows.get(member_id, (None, None, False))
        if not active:
            return False
        if kind == StatScope.PROJECT:
            return member_id in self.enrolled.get(scope_id, ())
        if kind == StatScope.GROUP:
            return group_id == scope_id
        if kind == StatScope.BRANCH:
            return branch_id == scope_id
        if kind == StatScope.TYPE:
            return group_id in self.type_groups.get((year, scope_id), ())
        return True

    def _members(self) -> None:
        """Active members of each scope: the denominator of the participation rate.

        A project's members are its enrolled participants; a type's are the members of the
        groups running a project of that type this year.
        """
        active = [(group_id, branch_id) for group_id, branch_id, is_active in self.member_rows.values() if is_active]
        by_group: dict[int, int] = {}
        by_branch: dict[int, int] = {}
        for group_id, branch_id in active:
            by_group[group_id] = by_group.get(group_id, 0) + 1
            by_branch[branch_id] = by_branch.get(branch_id, 0) + 1
        for year, table in self.tables.items():
            for (kind, scope_id, _month), raw in table.items():
                if kind == StatScope.PROJECT:
                    raw.members = sum(
                        1
                        for member_id in self.enrolled.get(scope_id, ())
                        if self._belongs(year, kind, scope_id, member_id)
                    )
                elif kind == StatScope.GROUP:
                    raw.members = by_group.get(scope_id, 0)
                elif kind == StatScope.BRANCH:
                    raw.members = by_branch.get(scope_id, 0)
                elif kind == StatScope.TYPE:
                    groups = self.type_groups.get((year, scope_id), set())
                    raw.members = sum(by_group.get(group_id, 0) for group_id in groups)
                else:
                    raw.members = len(active)

    def _indicators(self, counted: list[int]) -> None:
        """Targets, and what was done: against a target when the project has one for the indicator,
        else apart as 计划外完成, so a scope's completion never mixes in untargeted projects."""
        targeted: dict[int, set[int]] = {}
        for project_id, indicator_id, total in (
            ProjectTarget.objects.filter(project_id__in=counted)
            .values("project_id", "indicator_id")
            .annotate(total=Sum("target_value"))
            .values_list("project_id", "indicator_id", "total")
            .order_by()
        ):
            targeted.setdefault(project_id, set()).add(indicator_id)
            for _year, _key, raw in self._rows_of(project_id, None):
                raw.targets[indicator_id] = raw.targets.get(indicator_id, Decimal(0)) + total
        rows = chain.from_iterable(
            IndicatorValue.objects.filter(activity__project_id__in=projects, activity__is_archived=False)
            .values("activity__project_id", "indicator_id", month=TruncMonth("activity__date"))
            .annotate(total=Sum("value"))
            .order_by()
            for projects in self._by_year(counted)
        )
        for row in rows:
            indicator_id, project_id = row["indicator_id"], row["activity__project_id"]
            planned = indicator_id in targeted.get(project_id, ())
            for _year, _key, raw in self._rows_of(project_id, row["month"]):
                done = raw.actuals if planned else raw.unplanned
                done[indicator_id] = done.get(indicator_id, Decimal(0)) + row["total"]

    @staticmethod
    def _add_achievements(raw: _Raw, level: str, rank: str, n: int) -> None:
        raw.achievements += n
        raw.levels[level] = raw.levels.get(level, 0) + n
        raw.ranks[rank] = raw.ranks.get(rank, 0) + n

    def _achievements(self) -> None:
        """Verified achievements of the scopes' projects; the committee also counts those of
        projects in any status that year, its own honours and achievements without a project."""
        committee_counted = self.committee_id in self.scope_ids[StatScope.COMMITTEE]
        first, _ = school_year_bounds(min(self.school_years))
        _, last = school_year_bounds(max(self.school_years))
        verified = Achievement.objects.filter(status=AchievementStatus.VERIFIED)
        # The committee's projects of these years by id (read already): joining the projects
        # under an OR made PostgreSQL scan every achievement and project of the district.
        rows = (
            verified.filter(
                Q(project_id__in=list(self.project_year))
                | Q(committee_id=self.committee_id, project__isnull=True, awarded_on__range=(first, last))
            )
            .values("project_id", "committee_id", "level", "rank", month=TruncMonth("awarded_on"))
            .annotate(n=Count("pk"))
            .order_by()
        )
        committee_key = (StatScope.COMMITTEE, self.committee_id)
        for row in rows:
            project_id, month, n = row["project_id"], row["month"], row["n"]
            level, rank = row["level"], row["rank"]
            if project_id is None:
                year = school_year_of(month)
            else:
                year = self.project_year[project_id]
                for _year, key, raw in self._rows_of(project_id, month):
                    if key[:2] != committee_key:
                        self._add_achievements(raw, level, rank, n)
            if not committee_counted or year not in self.tables or row["committee_id"] != self.committee_id:
                continue
            table = self.tables[year]
            self._add_achievements(table[(*committee_key, None)], level, rank, n)
            self._add_achievements(table.setdefault((*committee_key, month), _Raw()), level, rank, n)


# Plain tuples: the enums' ``values`` build a new list on every access, and this runs per row.
_LEVELS = tuple(AchievementLevel.values)
_RANKS = tuple(AchievementRank.values)


def _is_empty(raw: _Raw) -> bool:
    return not (
        raw.activities
        or raw.person_times
        or raw.achievements
        or raw.photos
        or raw.targets
        or raw.actuals
        or raw.unplanned
    )


def _figures(
    raw: _Raw, indicators: dict[int, Indicator], *, with_targets: bool, order: dict[int, int] | None = None
) -> dict[str, Any]:
    if order is None:
        order = {pk: position for position, pk in enumerate(indicators)}
    indicator_ids = sorted(
        raw.targets.keys() | raw.actuals.keys() | raw.unplanned.keys(), key=lambda pk: (order.get(pk, len(order)), pk)
    )
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
                "unplanned": _number(raw.unplanned.get(pk, Decimal(0))),
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
        "achievements_by_level": {level: raw.levels.get(level, 0) for level in _LEVELS},
        "achievements_by_rank": {rank: raw.ranks.get(rank, 0) for rank in _RANKS},
    }


def empty_figures() -> dict[str, Any]:
    """The figures of a scope with nothing in it (every key present)."""
    return _figures(_Raw(), {}, with_targets=True)


def _all_figures(table: dict[SnapshotKey, _Raw], indicators: dict[int, Indicator]) -> dict[SnapshotKey, dict[str, Any]]:
    """Every row's figures; rows with nothing but members share one computed shape (a fifth of them)."""
    order = {pk: position for position, pk in enumerate(indicators)}
    empty = empty_figures()
    found = {}
    for key, raw in table.items():
        if _is_empty(raw):
            found[key] = {**empty, "members": raw.members, "participation_rate": percent(0, raw.members)}
        else:
            found[key] = _figures(raw, indicators, with_targets=key[2] is None, order=order)
    return found


def _asked(scopes: Iterable[str] | None) -> dict[str, set[int]] | None:
    """Scope ids asked for by kind, or None for every scope of the committee."""
    if scopes is None:
        return None
    asked: dict[str, set[int]] = {kind: set() for kind in SCOPE_PATHS}
    for key in scopes:
        kind, scope_id = parse_scope_key(key)
        asked[kind].add(scope_id)
    return asked


def compute_figures_of_years(
    committee_id: int, school_years: list[str], scopes: Iterable[str] | None = None
) -> dict[str, dict[SnapshotKey, dict[str, Any]]]:
    """`compute_figures` for several school years at once: 12 queries, and two more per further year."""
    if not school_years:
        return {}
    tables = _Computation(committee_id, sorted(set(school_years)), _asked(scopes)).run()
    indicators = {indicator.pk: indicator for indicator in Indicator.objects.filter(committee_id=committee_id)}
    return {year: _all_figures(table, indicators) for year, table in tables.items()}


def compute_figures(
    committee_id: int, school_year: str, scopes: Iterable[str] | None = None
) -> dict[SnapshotKey, dict[str, Any]]:
    """Figures of every scope of the committee (or of the scope keys given) for a school year.

    Keys are (kind, scope id, month); month None is the whole year, else the first day of a
    month (all twelve months of the year, plus any month outside it that has data). Scope keys
    of other committees or of projects not approved that year are ignored. Month figures carry
    indicator actuals without targets. A fixed number of queries, whatever the scopes.
    """
    return compute_figures_of_years(committee_id, [school_year], scopes)[school_year]
