"""The dashboards' reads: a committee's, a branch's or a group's figures shaped into charts and tables.

Every figure comes from `stats.selectors.committee_stats` (the snapshots) or, for a branch's or
group's months and for earlier school years, from the snapshots of that scope; nothing is
counted here. This module only picks the scope's rows and sums a handful of project rows per
project type for a branch or group; `view_models` holds the shapes, `dashboard_links` the links.
"""

import datetime
from dataclasses import replace
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from activities.enums import AchievementLevel
from branches.models import Branch, Committee, Group
from members.roles import roles_of
from projects.school_years import school_year_months

from .aggregation import compute_figures, empty_figures
from .dashboard_links import achievement_list_link, dashboard_link, project_link, project_list_link
from .enums import StatScope
from .models import StatSnapshot
from .on_time import OnTimeRates, Rate, on_time_rates
from .scopes import scope_key
from .selectors import CommitteeStats, ProjectStats, ScopeStats, committee_stats
from .view_models import Cell, Chart, Dashboard, Figure, Level, Row, Series, Table, short_label, short_school_year

TREND_YEARS = 5


def _from_rows(key: str, title: str, kind: str, rows: list[Row], series_columns: list[str], **chart: Any) -> Chart:
    """A chart whose series are the table's columns (same numbers, same order)."""
    return Chart(
        key=key,
        title=title,
        kind=kind,
        categories=[row.label for row in rows],
        links=[row.link for row in rows],
        series=[Series(name, [row.cells[index].value for row in rows]) for index, name in enumerate(series_columns)],
        table=Table([_("名称"), *series_columns], rows),
        **chart,
    )


def _headline(
    figures: dict[str, Any], project_count: int, projects_link: str, achievements_link: str, participation_link: str
) -> list[Figure]:
    return [
        Figure("projects", _("微项目"), project_count, _("个"), projects_link),
        Figure("activities", _("活动"), figures["activities"], _("次"), "#projects-table"),
        Figure("person_times", _("参与人次"), figures["person_times"], _("人次"), "#projects-table"),
        Figure("participation_rate", _("党员参与率"), figures["participation_rate"], "%", participation_link),
        Figure("beneficiaries", _("受益人数"), figures["beneficiaries"], _("人"), "#projects-table"),
        Figure("hours", _("活动时长"), figures["hours"], _("小时"), "#projects-table"),
        Figure("photos", _("照片"), figures["photos"], _("张"), "#projects-table"),
        Figure("evidence_coverage", _("佐证覆盖率"), figures["evidence_coverage"], "%", "#projects-table"),
        Figure("achievements_verified", _("已认定成果"), figures["achievements_verified"], _("项"), achievements_link),
    ]


def _projects_table(projects: list[ProjectStats]) -> Table:
    rows = []
    for project in projects:
        f, link = project.figures, project_link(project.id)
        rows.append(
            Row(
                project.title,
                link,
                [
                    Cell(project.group_name),
                    Cell(project.type_name),
                    Cell(project.status_label),
                    Cell(f["activities"], link=f"{link}#activity-timeline"),
                    Cell(f["person_times"]),
                    Cell(f["beneficiaries"]),
                    Cell(f["hours"]),
                    Cell(f["photos"], link=f"{link}#project-gallery"),
                    Cell(f["evidence_coverage"], "%"),
                    Cell(f["achievements_verified"]),
                ],
            )
        )
    columns = [_("项目"), _("党小组"), _("类型"), _("状态"), _("活动"), _("参与人次"), _("受益人数")]
    return Table([*columns, _("时长（小时）"), _("照片"), _("佐证覆盖率"), _("已认定成果")], rows)


def _completion_chart(projects: list[ProjectStats]) -> Chart:
    rows = []
    for project in projects:
        link = project_link(project.id)
        for indicator in project.figures["indicators"]:
            if indicator["target"] is None:
                continue
            rows.append(
                Row(
                    f"{indicator['name']}（{project.title}）",
                    link,
                    [
                        Cell(indicator["completion"], "%"),
                        Cell(indicator["target"], indicator["unit"]),
                        Cell(indicator["actual"], indicator["unit"], link),
                    ],
                )
            )
    return Chart(
        key="completion",
        title=_("各项目目标完成率"),
        kind="hbar",
        categories=[row.label for row in rows],
        links=[row.link for row in rows],
        series=[Series(_("完成率"), [row.cells[0].value for row in rows])],
        table=Table([_("指标（项目）"), _("完成率"), _("目标值"), _("完成值")], rows),
        unit="%",
        reference=100,
    )


def _by_type_chart(result: CommitteeStats, projects: list[ProjectStats], whole: bool) -> Chart:
    """Projects and activities per project type: the type's snapshot for the committee, else the projects' sum."""
    rows = []
    for kind in result.types:
        of_type = [project for project in projects if project.type_id == kind.id]
        if not of_type and not (whole and kind.figures["activities"]):
            continue
        activities = kind.figures["activities"] if whole else sum(p.figures["activities"] for p in of_type)
        person_times = kind.figures["person_times"] if whole else sum(p.figures["person_times"] for p in of_type)
        link = project_list_link(result.school_year, project_type=kind.id)
        rows.append(Row(kind.name, link, [Cell(len(of_type), link=link), Cell(activities), Cell(person_times)]))
    chart = _from_rows("types", _("各类型项目"), "pie", rows, [_("项目数"), _("活动次数"), _("参与人次")])
    # The pie shows the number of projects; the table also gives activities and person-times.
    return replace(chart, series=chart.series[:1])


def _months_chart(school_year: str, months: list[tuple[datetime.date, dict[str, Any]]]) -> Chart:
    rows = [
        Row(f"{month:%Y-%m}", None, [Cell(f["activities"]), Cell(f["person_times"]), Cell(f["photos"])])
        for month, f in months
    ]
    return _from_rows(
        "months",
        _("%(year)s 学年各月活动") % {"year": school_year},
        "line",
        rows,
        [_("活动次数"), _("参与人次"), _("照片")],
        labels=[_("%(month)s月") % {"month": month.month} for month, _f in months],
        integer=True,
    )


def _levels_chart(figures: dict[str, Any], *, tab: str | None) -> Chart:
    rows = [
        Row(
            str(label),
            achievement_list_link(level, tab=tab),
            [Cell(figures["achievements_by_level"].get(level, 0), link=achievement_list_link(level, tab=tab))],
        )
        for level, label in AchievementLevel.choices
    ]
    return _from_rows("levels", _("已认定成果（按级别）"), "bar", rows, [_("成果数")], integer=True)


def _participation_chart(key: str, title: str, scopes: list[ScopeStats], level: str, school_year: str) -> Chart:
    rows = []
    for scope in scopes:
        f = scope.figures
        link = dashboard_link(level, scope.id, school_year)
        rows.append(
            Row(
                scope.name,
                link,
                [
                    # A group nobody took part in yet reads 0 %, in the chart and the table alike.
                    Cell(f["participation_rate"] or 0, "%"),
                    Cell(f["person_times"]),
                    Cell(f["activities"]),
                    Cell(f["members_participating"]),
                    Cell(f["members"]),
                ],
            )
        )
    chart = _from_rows(key, title, "bar", rows, [_("参与率"), _("参与人次"), _("活动次数"), _("参与党员"), _("党员数")])
    return replace(chart, series=chart.series[:1], unit="%", labels=[short_label(row.label) for row in rows])


def _trend_chart(level: str, scope_id: int | None, years: list[tuple[str, dict[str, Any]]]) -> Chart:
    rows = [
        Row(
            year,
            dashboard_link(level, scope_id, year),
            [Cell(f["activities"]), Cell(f["person_times"]), Cell(f["achievements_verified"])],
        )
        for year, f in years
    ]
    return _from_rows(
        "trend",
        _("近五年趋势"),
        "line",
        rows,
        [_("活动次数"), _("参与人次"), _("已认定成果")],
        labels=[short_school_year(row.label) for row in rows],
        integer=True,
    )


def _scope_months(
    committee: Committee, school_year: str, kind: str, scope_id: int
) -> list[tuple[datetime.date, dict[str, Any]]]:
    """A branch's or group's figures for each month of the year, from its snapshots (one query)."""
    found = {
        row.month: row.figures
        for row in StatSnapshot.objects.filter(
            committee=committee, school_year=school_year, scope_kind=kind, scope_id=scope_id, month__isnull=False
        ).only("month", "figures")
    }
    if not found:
        computed = compute_figures(committee.pk, school_year, [scope_key(kind, scope_id)])
        found = {month: figures for (_k, _id, month), figures in computed.items() if month is not None}
    return [(month, found.get(month) or empty_figures()) for month in school_year_months(school_year)]


def _trend(
    committee: Committee, kind: str, scope_id: int, years: list[str], current: tuple[str, dict[str, Any]]
) -> list[tuple[str, dict[str, Any]]]:
    """The scope's yearly figures over the five school years up to the latest with data, one after the
    other (a year without data reads 0, so the axis is real time), from their snapshots (one query)."""
    last = int(years[-1][:4])
    shown = [f"{start}-{start + 1}" for start in range(last - TREND_YEARS + 1, last + 1)]
    with_data = set(years)
    found = {
        row.school_year: row.figures
        for row in StatSnapshot.objects.filter(
            committee=committee, scope_kind=kind, scope_id=scope_id, school_year__in=shown, month__isnull=True
        ).only("school_year", "figures")
    }
    if current[0] in shown:
        found[current[0]] = current[1]
    for year in shown:
        if year not in with_data:
            found[year] = empty_figures()
        elif year not in found:  # no snapshot yet: computed for this scope alone
            key = (kind, scope_id, None)
            found[year] = compute_figures(committee.pk, year, [scope_key(kind, scope_id)]).get(key) or empty_figures()
    return [(year, found[year]) for year in shown]


def _rate_row(label: str, rate: Rate) -> Row:
    return Row(
        label=label,
        link=None,
        cells=[Cell(rate.due), Cell(rate.on_time), Cell(rate.percent, "%")],
    )


def _on_time_table(
    rates: OnTimeRates, result: CommitteeStats, level: str, branch: Branch | None, group: Group | None
) -> Table | None:
    """Per group (and, for the committee, per branch and the first-round reviews): due, on time, rate."""
    if rates.logging_day is None and rates.reviews is None:
        return None
    rows = []
    if level == Level.COMMITTEE:
        rows += [
            _rate_row(scope.name, rates.branches[scope.id]) for scope in result.branches if scope.id in rates.branches
        ]
    branch_id = branch.pk if branch is not None else None
    for scope in result.groups:
        if scope.id not in rates.groups or (group is not None and scope.id != group.pk):
            continue
        if branch_id is not None and group is None and scope.id not in _group_ids_of(result, branch_id):
            continue
        rows.append(_rate_row(scope.name, rates.groups[scope.id]))
    if level == Level.COMMITTEE and rates.reviews is not None:
        rows.append(_rate_row(_("首轮评审（全校）"), rates.reviews))
    columns = [_("党支部 / 党小组"), _("应完成"), _("按时完成"), _("按时率")]
    return Table(columns=columns, rows=rows) if rows else None


def _group_ids_of(result: CommitteeStats, branch_id: int) -> set[int]:
    return {project.group_id for project in result.projects if project.branch_id == branch_id}


def dashboard(
    user,
    committee: Committee,
    school_year: str,
    school_years: list[str],
    *,
    branch: Branch | None = None,
    group: Group | None = None,
) -> Dashboard:
    """The figures of the committee, or of one of its branches or groups, for a school year.

    The caller has checked the user may see that scope; ``user`` only picks which achievement
    list the links open. A fixed number of queries whatever the amount of data.
    """
    result = committee_stats(committee, school_year)
    # The achievement list's widest tab the user has: 全校成果 for the committee, 本组成果 for leaders.
    roles = roles_of(user)
    tab = "all" if roles.is_committee_member else "group" if roles.led_group_ids else None
    charts: list[Chart] = []
    if group is not None:
        level, kind, scope_id = Level.GROUP, StatScope.GROUP, group.pk
        figures = next((scope.figures for scope in result.groups if scope.id == group.pk), empty_figures())
        projects = [project for project in result.projects if project.group_id == group.pk]
        projects_link = reverse("branches:group", args=[group.pk])
    elif branch is not None:
        level, kind, scope_id = Level.BRANCH, StatScope.BRANCH, branch.pk
        figures = next((scope.figures for scope in result.branches if scope.id == branch.pk), empty_figures())
        projects = [project for project in result.projects if project.branch_id == branch.pk]
        projects_link = project_list_link(school_year, branch=branch.pk)
    else:
        level, kind, scope_id = Level.COMMITTEE, StatScope.COMMITTEE, committee.pk
        figures, projects = result.totals, result.projects
        projects_link = project_list_link(school_year)

    charts.append(_by_type_chart(result, projects, level == Level.COMMITTEE))
    charts.append(_levels_chart(figures, tab=tab))
    charts.append(_completion_chart(projects))
    months = (
        [(month.month, month.figures) for month in result.months]
        if level == Level.COMMITTEE
        else _scope_months(committee, school_year, kind, scope_id)
    )
    charts.append(_months_chart(school_year, months))
    if level in (Level.COMMITTEE, Level.BRANCH):
        group_ids = (
            set(Group.objects.filter(branch=branch).values_list("pk", flat=True)) if branch is not None else None
        )
        groups = [scope for scope in result.groups if group_ids is None or scope.id in group_ids]
        charts.append(_participation_chart("groups", _("各党小组参与情况"), groups, Level.GROUP, school_year))
    if level == Level.COMMITTEE:
        charts.append(
            _participation_chart("branches", _("各党支部参与情况"), result.branches, Level.BRANCH, school_year)
        )
    if len(school_years) > 1:
        trend = _trend(committee, kind, scope_id, school_years, (school_year, figures))
        charts.append(_trend_chart(level, None if level == Level.COMMITTEE else scope_id, trend))
    return Dashboard(
        level=level,
        committee=committee,
        branch=branch if group is None else group.branch,
        group=group,
        school_year=school_year,
        school_years=school_years,
        computed_at=result.computed_at,
        stale=result.stale,
        missing=result.missing,
        from_snapshot=result.from_snapshot,
        figures=figures,
        headline=_headline(
            figures,
            len(projects),
            projects_link,
            achievement_list_link(None, tab=tab),
            "#section-groups" if level != Level.GROUP else "#projects-table",
        ),
        charts=charts,
        projects=_projects_table(projects),
        sections={chart.key: chart for chart in charts},
        on_time=_on_time_table(on_time_rates(committee, school_year), result, level, branch, group),
    )
