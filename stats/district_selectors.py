"""The district comparison: the headline figures of every school a district officer oversees.

Figures are the committee-scope snapshots of the school year (month empty), read for all the
district's committees in one query; a school with no snapshot yet shows "—". Overseers see
figures only, never records, so nothing here links to a school's pages. A fixed number of
queries whatever the number of schools.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Committee, short_school_name
from branches.selectors import oversight_of
from projects.enums import PUBLIC_STATUSES
from projects.models import MicroProject
from projects.school_years import school_year_of

from .dashboard_scopes import chosen_school_year
from .enums import StatScope
from .models import StatFreshness, StatSnapshot
from .view_models import Cell, Chart, Row, Series, Table


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    unit: str


def measures() -> list[Measure]:
    """The figures compared, in the order of the table's columns."""
    return [
        Measure("projects", _("微项目"), _("个")),
        Measure("activities", _("活动"), _("次")),
        Measure("person_times", _("参与人次"), _("人次")),
        Measure("participation_rate", _("党员参与率"), "%"),
        Measure("hours", _("活动时长"), _("小时")),
        Measure("photos", _("照片"), _("张")),
        Measure("evidence_coverage", _("佐证覆盖率"), "%"),
        Measure("achievements_verified", _("已认定成果"), _("项")),
    ]


SORT_BY_NAME = "name"
DEFAULT_FIGURE = "activities"


@dataclass(frozen=True)
class School:
    committee_id: int
    name: str
    computed_at: datetime.datetime | None  # None: no snapshot yet
    figures: dict[str, Any]  # every measure's key; None where there is no snapshot
    cells: list[Cell]  # the figures in the order of the measures, for the table

    def value(self, key: str) -> Any:
        return self.figures.get(key)


@dataclass(frozen=True)
class DistrictComparison:
    school_year: str
    school_years: list[str]
    sort: str
    figure: Measure
    measures: list[Measure]
    schools: list[School]
    chart: Chart


def _school_years(committee_ids: frozenset[int]) -> list[str]:
    years = set(
        StatSnapshot.objects.filter(committee_id__in=committee_ids, scope_kind=StatScope.COMMITTEE, month__isnull=True)
        .order_by()  # the model's ordering would join the committees to sort rows only a set keeps
        .values_list("school_year", flat=True)
        .distinct()
    )
    return sorted(years) or [school_year_of(timezone.localdate())]


def _sorted(schools: list[School], sort: str) -> list[School]:
    if sort == SORT_BY_NAME:
        return sorted(schools, key=lambda school: school.name)
    # Largest first; schools without the figure last, by name.
    return sorted(
        schools,
        key=lambda school: (school.value(sort) is None, -(school.value(sort) or 0), school.name),
    )


def district_comparison(
    user, school_year: str | None = None, *, sort: str | None = None, figure: str | None = None
) -> DistrictComparison | None:
    """Every committee of the districts the user oversees, with its headline figures for the year.

    None when the user oversees no district. ``school_year`` defaults to the latest with
    snapshots; ``sort`` is a measure's key or "name"; ``figure`` is the measure the chart shows.
    Five queries at most, whatever the number of schools.
    """
    district_ids, committee_ids = oversight_of(user)
    if not district_ids:
        return None
    all_measures = measures()
    by_key = {measure.key: measure for measure in all_measures}
    years = _school_years(committee_ids)
    year = chosen_school_year(years, school_year)
    sort = sort if sort in by_key or sort == SORT_BY_NAME else SORT_BY_NAME
    chosen = by_key.get(figure or "", by_key[DEFAULT_FIGURE])

    committees = list(Committee.objects.filter(pk__in=committee_ids).only("pk", "school_name"))
    # Only the compared figures are read out of each snapshot's JSON (a whole one is some 2 kB).
    read = [measure.key for measure in all_measures if measure.key != "projects"]
    snapshots = {
        committee_id: (computed_at, dict(zip(read, values, strict=True)))
        for committee_id, computed_at, *values in StatSnapshot.objects.filter(
            committee__in=committee_ids,
            scope_kind=StatScope.COMMITTEE,
            month__isnull=True,
            school_year=year,
        )
        .order_by()
        # The year's recompute stamp (rows are rewritten only when their figures change).
        .annotate(
            year_computed_at=Coalesce(
                Subquery(
                    StatFreshness.objects.filter(committee_id=OuterRef("committee_id"), school_year=year).values(
                        "computed_at"
                    )[:1]
                ),
                "computed_at",
            )
        )
        .values_list("committee_id", "year_computed_at", *(f"figures__{key}" for key in read))
    }
    project_counts = dict(
        MicroProject.objects.filter(committee__in=committee_ids, school_year=year, status__in=PUBLIC_STATUSES)
        .values("committee")
        .annotate(count=Count("pk"))
        .values_list("committee", "count")
    )
    schools = []
    for committee in committees:
        computed_at, figures = snapshots.get(committee.pk, (None, dict.fromkeys(read)))
        figures["projects"] = project_counts.get(committee.pk, 0) if computed_at is not None else None
        schools.append(
            School(
                committee_id=committee.pk,
                name=committee.school_name,
                computed_at=computed_at,
                figures=figures,
                cells=[Cell(figures[measure.key], measure.unit) for measure in all_measures],
            )
        )
    schools = _sorted(schools, sort)

    chart_rows = [
        Row(label=school.name, link=None, cells=[Cell(school.value(chosen.key), chosen.unit)]) for school in schools
    ]
    chart = Chart(
        key="district",
        title=_("各校比较：%(figure)s") % {"figure": chosen.label},
        kind="bar",
        categories=[row.label for row in chart_rows],
        links=[None for _row in chart_rows],
        series=[Series(chosen.label, [row.cells[0].value for row in chart_rows])],
        table=Table([_("学校"), chosen.label], chart_rows),
        unit=chosen.unit,
        labels=[short_school_name(row.label) for row in chart_rows],
        integer=chosen.unit != "%",
    )
    return DistrictComparison(
        school_year=year,
        school_years=years,
        sort=sort,
        figure=chosen,
        measures=all_measures,
        schools=schools,
        chart=chart,
    )
