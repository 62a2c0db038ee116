"""Every figure of every scope, recomputed with plain SQL written apart from the statistics engine.

This module shares nothing with `stats.aggregation` (nor with bench/stats_floor.py): it reads
the tables with its own SQL, one statement per figure family and scope kind, and follows the
definitions of docs/figures.md. `tests/stats/test_independent_figures.py` holds the stored
snapshots against it.
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection

PUBLIC = ("approved", "in_progress", "concluded")
PARTY = ("full", "probationary")
# The scope a project's rows count in, by kind: a column of the project p joined with its group g.
SCOPE_COLUMN = {
    "project": "p.id",
    "group": "p.group_id",
    "branch": "g.branch_id",
    "type": "p.project_type_id",
    "committee": "p.committee_id",
}


def _month(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"to_char({column}, 'YYYY-MM-01')"
    return f"strftime('%Y-%m-01', {column})"


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _pct(part, whole) -> float | None:
    if not whole:
        return None
    return float((Decimal(str(part)) * 100 / Decimal(str(whole))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _num(value) -> int | float:
    value = Decimal(str(value or 0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return int(value) if value == value.to_integral_value() else float(value)


def _both(rows, build):
    """Each (scope, month) row once for its month and once added into the whole year (month None)."""
    out = {}
    for scope_id, month, *values in rows:
        for key in ((scope_id, month), (scope_id, None)):
            out[key] = build(out.get(key), values)
    return out


def independent_figures(committee_id: int, school_year: str) -> dict[tuple, dict]:
    """{(kind, scope id, 'YYYY-MM-01' or None): figures} for every scope with data or members."""
    project_filter = (
        "p.committee_id = %s AND p.school_year = %s AND p.status IN ('approved', 'in_progress', 'concluded')"
    )
    base = [committee_id, school_year]
    result: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))
    for kind, column in SCOPE_COLUMN.items():
        joins = "FROM projects_microproject p JOIN branches_group g ON g.id = p.group_id"
        activity_rows = _rows(
            f"""SELECT {column}, {_month("a.date")}, COUNT(*), COALESCE(SUM(a.beneficiaries_count), 0),
                       COALESCE(SUM(a.duration_hours), 0),
                       SUM(CASE WHEN EXISTS (SELECT 1 FROM activities_photo ph
                                             WHERE ph.activity_id = a.id AND NOT ph.is_archived) THEN 1 ELSE 0 END),
                       COALESCE(SUM((SELECT COUNT(*) FROM activities_photo ph
                                      WHERE ph.activity_id = a.id AND NOT ph.is_archived)), 0)
                {joins} JOIN activities_activitylog a ON a.project_id = p.id AND NOT a.is_archived
                WHERE {project_filter} GROUP BY 1, 2""",
            base,
        )
        for (scope_id, month), values in _both(
            activity_rows, lambda old, new: [x + Decimal(str(y)) for x, y in zip(old or [0] * 5, new, strict=True)]
        ).items():
            figures = result[(kind, scope_id, month)]
            figures["activities"], figures["beneficiaries"], hours, with_photos, photos = values
            figures["activities"], figures["beneficiaries"] = int(figures["activities"]), int(figures["beneficiaries"])
            figures["hours"], figures["activities_with_photos"], figures["photos"] = (
                _num(hours),
                int(with_photos),
                int(photos),
            )
        # Person-times, and the distinct people behind them.
        participation = _rows(
            f"""SELECT {column}, {_month("a.date")}, ap.member_id
                {joins} JOIN activities_activitylog a ON a.project_id = p.id AND NOT a.is_archived
                JOIN activities_activitylog_participants ap ON ap.activitylog_id = a.id
                WHERE {project_filter}""",
            base,
        )
        people: dict[tuple, list[int]] = defaultdict(list)
        for scope_id, month, member_id in participation:
            people[(scope_id, month)].append(member_id)
            people[(scope_id, None)].append(member_id)
        for (scope_id, month), members in people.items():
            result[(kind, scope_id, month)]["person_times"] = len(members)
            result[(kind, scope_id, month)]["_people"] = set(members)
    scope_members = _members_of_scopes(committee_id, school_year)
    _achievements(committee_id, school_year, result)
    _indicators(committee_id, school_year, result)
    # Every scope of the committee has a row for the year and each of its twelve months.
    start = int(school_year[:4])
    months = [None] + [f"{start + (month < 9)}-{month:02d}-01" for month in (*range(9, 13), *range(1, 9))]
    scopes = [("committee", committee_id)]
    scopes += [
        ("group", pk)
        for (pk,) in _rows(
            "SELECT g.id FROM branches_group g JOIN branches_branch b ON b.id = g.branch_id WHERE b.committee_id = %s",
            [committee_id],
        )
    ]
    scopes += [
        ("branch", pk) for (pk,) in _rows("SELECT id FROM branches_branch WHERE committee_id = %s", [committee_id])
    ]
    scopes += [
        ("type", pk) for (pk,) in _rows("SELECT id FROM projects_projecttype WHERE committee_id = %s", [committee_id])
    ]
    scopes += [
        ("project", pk)
        for (pk,) in _rows(
            "SELECT id FROM projects_microproject WHERE committee_id = %s AND school_year = %s"
            " AND status IN ('approved', 'in_progress', 'concluded')",
            [committee_id, school_year],
        )
    ]
    for kind, scope_id in scopes:
        for month in months:
            result[(kind, scope_id, month)]["_members"] = scope_members.get((kind, scope_id), set())
    for figures in result.values():
        people = figures.pop("_people", set())
        scope_members = figures.pop("_members", set())
        figures["participants"] = len(people)
        figures["members"] = len(scope_members)
        figures["members_participating"] = len(people & scope_members)
        figures["participation_rate"] = _pct(figures["members_participating"], figures["members"])
        figures["evidence_coverage"] = _pct(figures.get("activities_with_photos", 0), figures.get("activities", 0))
    return {key: dict(figures) for key, figures in result.items()}


def _members_of_scopes(committee_id: int, school_year: str) -> dict[tuple[str, int], set[int]]:
    """The Party members of each scope (the participation rate's denominator), for the year and each month."""
    members = _rows(
        "SELECT m.id, m.group_id, g.branch_id FROM members_member m LEFT JOIN branches_group g ON g.id = m.group_id"
        " WHERE m.committee_id = %s AND m.is_active AND m.party_status IN ('full', 'probationary')",
        [committee_id],
    )
    projects = _rows(
        "SELECT p.id, p.group_id, p.project_type_id FROM projects_microproject p"
        " WHERE p.committee_id = %s AND p.school_year = %s AND p.status IN ('approved', 'in_progress', 'concluded')",
        [committee_id, school_year],
    )
    enrolled = defaultdict(set)
    for project_id, member_id in _rows(
        "SELECT pp.microproject_id, pp.member_id FROM projects_microproject_participants pp"
        " JOIN projects_microproject p ON p.id = pp.microproject_id WHERE p.committee_id = %s AND p.school_year = %s",
        [committee_id, school_year],
    ):
        enrolled[project_id].add(member_id)
    party = {member_id for member_id, _group, _branch in members}
    scope_members = {("committee", committee_id): party}
    for member_id, group_id, branch_id in members:
        scope_members.setdefault(("group", group_id), set()).add(member_id)
        scope_members.setdefault(("branch", branch_id), set()).add(member_id)
    type_groups = defaultdict(set)
    for project_id, group_id, type_id in projects:
        scope_members[("project", project_id)] = enrolled[project_id] & party
        if type_id is not None:
            type_groups[type_id].add(group_id)
    for type_id, groups in type_groups.items():
        scope_members[("type", type_id)] = {m for m, group_id, _b in members if group_id in groups}
    return scope_members


def _achievements(committee_id: int, school_year: str, result) -> None:
    start, end = f"{school_year[:4]}-09-01", f"{int(school_year[:4]) + 1}-08-31"
    rows = _rows(
        f"""SELECT p.id, p.group_id, g.branch_id, p.project_type_id, p.status, {_month("x.awarded_on")}, x.level, x.rank
            FROM activities_achievement x
            JOIN projects_microproject p ON p.id = x.project_id JOIN branches_group g ON g.id = p.group_id
            WHERE x.status = 'verified' AND p.committee_id = %s AND p.school_year = %s""",
        [committee_id, school_year],
    )
    own = _rows(
        f"""SELECT {_month("x.awarded_on")}, x.level, x.rank FROM activities_achievement x
            WHERE x.status = 'verified' AND x.committee_id = %s AND x.project_id IS NULL
              AND x.awarded_on BETWEEN %s AND %s""",
        [committee_id, start, end],
    )

    def add(key, level, rank):
        figures = result[key]
        figures["achievements_verified"] += 1
        figures.setdefault("by_level", defaultdict(int))[level] += 1
        figures.setdefault("by_rank", defaultdict(int))[rank] += 1

    for project_id, group_id, branch_id, type_id, status, month, level, rank in rows:
        for month_key in (month, None):
            add(("committee", committee_id, month_key), level, rank)  # any status, that year
            if status in PUBLIC:
                for kind, scope_id in (
                    ("project", project_id),
                    ("group", group_id),
                    ("branch", branch_id),
                    ("type", type_id),
                ):
                    if scope_id is not None:
                        add((kind, scope_id, month_key), level, rank)
    for month, level, rank in own:
        for month_key in (month, None):
            add(("committee", committee_id, month_key), level, rank)


def _indicators(committee_id: int, school_year: str, result) -> None:
    project_filter = (
        "p.committee_id = %s AND p.school_year = %s AND p.status IN ('approved', 'in_progress', 'concluded')"
    )
    for kind, column in SCOPE_COLUMN.items():
        joins = "FROM projects_microproject p JOIN branches_group g ON g.id = p.group_id"
        for scope_id, indicator_id, total in _rows(
            f"SELECT {column}, t.indicator_id, SUM(t.target_value) {joins}"
            f" JOIN projects_projecttarget t ON t.project_id = p.id WHERE {project_filter} GROUP BY 1, 2",
            [committee_id, school_year],
        ):
            result[(kind, scope_id, None)].setdefault("targets", {})[indicator_id] = total
        for scope_id, month, indicator_id, planned, total in _rows(
            f"""SELECT {column}, {_month("a.date")}, v.indicator_id,
                       CASE WHEN EXISTS (
                           SELECT 1 FROM projects_projecttarget t
                           WHERE t.project_id = p.id AND t.indicator_id = v.indicator_id
                       ) THEN 1 ELSE 0 END,
                       SUM(v.value)
                {joins} JOIN activities_activitylog a ON a.project_id = p.id AND NOT a.is_archived
                JOIN activities_indicatorvalue v ON v.activity_id = a.id
                WHERE {project_filter} GROUP BY 1, 2, 3, 4""",
            [committee_id, school_year],
        ):
            for key in ((kind, scope_id, month), (kind, scope_id, None)):
                done = result[key].setdefault("planned" if planned else "unplanned", defaultdict(Decimal))
                done[indicator_id] += Decimal(str(total))


# The figures compared one to one; the two ratios are None where their whole is 0.
FIGURES = (
    "activities",
    "person_times",
    "participants",
    "members",
    "members_participating",
    "participation_rate",
    "beneficiaries",
    "hours",
    "photos",
    "activities_with_photos",
    "evidence_coverage",
    "achievements_verified",
)
RATIOS = ("participation_rate", "evidence_coverage")


def comparable(figures: dict) -> dict:
    """The engine's figures in the shape this module computes (levels and ranks without zeros)."""
    indicators = {
        row["id"]: (row["target"], row["actual"], row.get("unplanned", 0), row["completion"])
        for row in figures["indicators"]
        if row["target"] is not None or row["actual"] or row.get("unplanned")
    }
    return {
        **{key: figures[key] for key in FIGURES},
        "by_level": {level: n for level, n in figures["achievements_by_level"].items() if n},
        "by_rank": {rank: n for rank, n in figures["achievements_by_rank"].items() if n},
        "indicators": indicators,
    }


def independent_comparable(figures: dict, *, whole_year: bool) -> dict:
    targets = figures.get("targets", {}) if whole_year else {}
    planned, unplanned = figures.get("planned", {}), figures.get("unplanned", {})
    indicators = {}
    for indicator_id in set(targets) | set(planned) | set(unplanned):
        target = targets.get(indicator_id)
        actual = planned.get(indicator_id, Decimal(0))
        indicators[indicator_id] = (
            _num(target) if target is not None else None,
            _num(actual),
            _num(unplanned.get(indicator_id, 0)),
            _pct(actual, target) if target is not None else None,
        )
    return {
        **{key: figures.get(key) if key in RATIOS else figures.get(key, 0) for key in FIGURES},
        "by_level": dict(figures.get("by_level", {})),
        "by_rank": dict(figures.get("by_rank", {})),
        "indicators": {key: value for key, value in indicators.items() if value[0] is not None or value[1] or value[2]},
    }
