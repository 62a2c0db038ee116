"""The floor of the full statistics recompute: the same figures as hand-written PostgreSQL.

Every figure family of `stats.aggregation` (activities, participants and
participation, indicator targets and actuals, photos, verified achievements by level and rank,
members) for every scope kind, committee, school year and month of the database at once, by
GROUP BY with GROUPING SETS (the year and its months in one pass). Nothing is written and no
Python touches the rows beyond fetching them: nothing the portal does can be cheaper.
"""

from django.db import connection

PUBLIC = "('approved', 'in_progress', 'concluded')"
LEVELS = ["school", "district", "city", "provincial", "national"]
RANKS = ["special", "first", "second", "third", "merit", "none"]

# scope kind -> the SQL naming the scope id of a project row ``p`` (with its group ``g``)
SCOPES = {
    "project": "p.id",
    "group": "p.group_id",
    "branch": "g.branch_id",
    "type": "p.project_type_id",
    "committee": "p.committee_id",
}

# Whether participant ``m`` (of activity ``a``'s project ``p``) belongs to the scope.
IN_SCOPE = {
    "project": "EXISTS (SELECT 1 FROM projects_microproject_participants e"
    " WHERE e.microproject_id = p.id AND e.member_id = m.id)",
    "group": "m.group_id = p.group_id",
    "branch": "mg.branch_id = g.branch_id",
    "type": "EXISTS (SELECT 1 FROM projects_microproject q WHERE q.committee_id = p.committee_id"
    f" AND q.school_year = p.school_year AND q.status IN {PUBLIC}"
    " AND q.project_type_id = p.project_type_id AND q.group_id = m.group_id)",
    "committee": "TRUE",
}

PROJECTS = f"""
    JOIN projects_microproject p ON p.id = a.project_id
    JOIN branches_group g ON g.id = p.group_id
    WHERE p.status IN {PUBLIC}"""

MONTHS = "GROUPING SETS ((p.committee_id, p.school_year, scope), (p.committee_id, p.school_year, scope, month))"


FAMILIES = ("activities", "participants", "indicator_values", "targets", "photos", "achievements")


def kind_queries(kind: str) -> dict[str, str]:
    """The floor's query of each figure family for one scope kind, by family name."""
    scope = SCOPES[kind]
    levels = ", ".join(f"count(*) FILTER (WHERE x.level = '{level}')" for level in LEVELS)
    ranks = ", ".join(f"count(*) FILTER (WHERE x.rank = '{rank}')" for rank in RANKS)
    sql = [
        f"""SELECT p.committee_id, p.school_year, {scope} AS scope, date_trunc('month', a.date) AS month,
            count(*), count(*) FILTER (WHERE EXISTS (
                SELECT 1 FROM activities_photo f WHERE f.activity_id = a.id AND NOT f.is_archived)),
            sum(a.duration_hours), sum(a.beneficiaries_count)
        FROM activities_activitylog a {PROJECTS} AND NOT a.is_archived
        GROUP BY {MONTHS}""",
        f"""SELECT p.committee_id, p.school_year, {scope} AS scope, date_trunc('month', a.date) AS month,
            count(*), count(DISTINCT t.member_id),
            count(DISTINCT t.member_id) FILTER (WHERE m.is_active AND {IN_SCOPE[kind]})
        FROM activities_activitylog_participants t
        JOIN activities_activitylog a ON a.id = t.activitylog_id
        JOIN members_member m ON m.id = t.member_id
        LEFT JOIN branches_group mg ON mg.id = m.group_id
        {PROJECTS} AND NOT a.is_archived
        GROUP BY {MONTHS}""",
        f"""SELECT p.committee_id, p.school_year, {scope} AS scope, date_trunc('month', a.date) AS month,
            v.indicator_id, sum(v.value)
        FROM activities_indicatorvalue v JOIN activities_activitylog a ON a.id = v.activity_id {PROJECTS}
            AND NOT a.is_archived
        GROUP BY GROUPING SETS ((p.committee_id, p.school_year, scope, v.indicator_id),
                                (p.committee_id, p.school_year, scope, month, v.indicator_id))""",
        f"""SELECT p.committee_id, p.school_year, {scope} AS scope, t.indicator_id, sum(t.target_value)
        FROM projects_projecttarget t JOIN projects_microproject p ON p.id = t.project_id
        JOIN branches_group g ON g.id = p.group_id
        WHERE p.status IN {PUBLIC}
        GROUP BY p.committee_id, p.school_year, scope, t.indicator_id""",
        f"""SELECT p.committee_id, p.school_year, {scope} AS scope, date_trunc('month', a.date) AS month, count(*)
        FROM activities_photo f JOIN activities_activitylog a ON a.id = f.activity_id {PROJECTS}
            AND NOT a.is_archived AND NOT f.is_archived
        GROUP BY {MONTHS}""",
        f"""SELECT p.committee_id, p.school_year, {scope} AS scope, date_trunc('month', x.awarded_on) AS month,
            count(*), {levels}, {ranks}
        FROM activities_achievement x JOIN projects_microproject p ON p.id = x.project_id
        JOIN branches_group g ON g.id = p.group_id
        WHERE p.status IN {PUBLIC} AND x.status = 'verified'
        GROUP BY {MONTHS}""",
    ]
    return dict(zip(FAMILIES, sql, strict=True))


def queries() -> list[str]:
    """Every query of the floor, one list for the whole database."""
    levels = ", ".join(f"count(*) FILTER (WHERE x.level = '{level}')" for level in LEVELS)
    ranks = ", ".join(f"count(*) FILTER (WHERE x.rank = '{rank}')" for rank in RANKS)
    found = [sql for kind in SCOPES for sql in kind_queries(kind).values()]
    # The committee also counts its own honours and achievements without a project.
    found.append(
        f"""SELECT x.committee_id,
            CASE WHEN extract(month FROM x.awarded_on) >= 9 THEN extract(year FROM x.awarded_on)
                 ELSE extract(year FROM x.awarded_on) - 1 END AS start_year,
            date_trunc('month', x.awarded_on) AS month, count(*), {levels}, {ranks}
        FROM activities_achievement x
        WHERE x.project_id IS NULL AND x.status = 'verified'
        GROUP BY GROUPING SETS ((x.committee_id, start_year), (x.committee_id, start_year, month))"""
    )
    # Members: the denominators of the participation rate.
    found += [
        """SELECT m.committee_id, count(*) FROM members_member m WHERE m.is_active GROUP BY m.committee_id""",
        """SELECT m.group_id, count(*) FROM members_member m WHERE m.is_active GROUP BY m.group_id""",
        """SELECT g.branch_id, count(*) FROM members_member m JOIN branches_group g ON g.id = m.group_id
           WHERE m.is_active GROUP BY g.branch_id""",
        f"""SELECT e.microproject_id, count(DISTINCT e.member_id) FROM projects_microproject_participants e
           JOIN members_member m ON m.id = e.member_id JOIN projects_microproject p ON p.id = e.microproject_id
           WHERE m.is_active AND p.status IN {PUBLIC} GROUP BY e.microproject_id""",
        f"""SELECT p.committee_id, p.school_year, p.project_type_id, count(DISTINCT m.id)
           FROM members_member m JOIN projects_microproject p ON p.group_id = m.group_id
           WHERE m.is_active AND p.status IN {PUBLIC} GROUP BY p.committee_id, p.school_year, p.project_type_id""",
    ]
    return found


def run_all() -> int:
    """Run every floor query and fetch its rows; returns the number of rows fetched."""
    fetched = 0
    with connection.cursor() as cursor:
        for sql in queries():
            cursor.execute(sql)
            fetched += len(cursor.fetchall())
    return fetched
