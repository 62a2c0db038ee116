"""What a dashboard page shows: figures, tables and the charts drawn from them (no reads here).

Each chart carries the table of the same numbers, so a chart never shows a figure the table
does not.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from branches.models import Branch, Committee, Group

from .dashboard_links import dashboard_link


class Level:
    """What a dashboard covers."""

    COMMITTEE = "committee"
    BRANCH = "branch"
    GROUP = "group"


@dataclass(frozen=True)
class Cell:
    value: Any
    unit: str = ""
    link: str | None = None

    @property
    def numeric(self) -> bool:
        """Numbers (and missing numbers) align right; names do not."""
        return self.value is None or isinstance(self.value, int | float)


@dataclass(frozen=True)
class Row:
    label: str
    link: str | None
    cells: list[Cell]


@dataclass(frozen=True)
class Table:
    columns: list[str]  # the first column is the row label
    rows: list[Row]

    @property
    def header(self) -> list[tuple[str, bool]]:
        """Each column's label and whether it holds numbers (those align right)."""
        numeric = [all(row.cells[index].numeric for row in self.rows) for index in range(len(self.columns) - 1)]
        return [(self.columns[0], False), *zip(self.columns[1:], numeric, strict=True)]


@dataclass(frozen=True)
class Series:
    name: str
    values: list[Any]


@dataclass(frozen=True)
class Chart:
    """One chart and the table of its numbers; ``key`` names its DOM ids."""

    key: str
    title: str
    kind: str  # bar, hbar, line or pie
    categories: list[str]
    links: list[str | None]
    series: list[Series]
    table: Table
    unit: str = ""
    reference: float | None = None  # a line drawn across, e.g. 100 % of a target
    labels: list[str] | None = None  # short axis labels (第一小组, 大坪小学); the tooltip and table keep the names
    integer: bool = False  # counts: the value axis has whole-number steps only

    @property
    def dom_id(self) -> str:
        return f"chart-{self.key}"

    @property
    def data_id(self) -> str:
        return f"chart-data-{self.key}"

    def spec(self) -> dict[str, Any]:
        """What dashboard.js draws (rendered with ``json_script``)."""
        return {
            "kind": self.kind,
            "categories": self.categories,
            "links": self.links,
            "series": [{"name": series.name, "values": series.values} for series in self.series],
            "unit": self.unit,
            "reference": self.reference,
            "labels": self.labels or self.categories,
            "integer": self.integer,
        }


def short_label(name: str) -> str:
    """A branch's or group's name as an axis label on a phone: 第一党小组 -> 第一小组, 第二党支部 -> 第二支部."""
    return name.replace("党小组", "小组").replace("党支部", "支部")


def short_school_year(school_year: str) -> str:
    """2024-2025 -> 2024-25, for a five-year axis."""
    start, _dash, end = school_year.partition("-")
    return f"{start}-{end[-2:]}" if end else school_year


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: Any
    unit: str
    link: str | None


@dataclass(frozen=True)
class Dashboard:
    level: str
    committee: Committee
    branch: Branch | None
    group: Group | None
    school_year: str
    school_years: list[str]
    computed_at: datetime.datetime
    stale: bool
    from_snapshot: bool
    missing: tuple[str, ...]  # scopes shown with live figures, their snapshots not written yet
    figures: dict[str, Any]  # the scope's figures, as the stats selector gives them
    headline: list[Figure]
    charts: list[Chart]
    projects: Table
    sections: dict[str, Chart] = field(default_factory=dict)
    on_time: Table | None = None  # logging (and, for the committee, review) on-time rates; None without a calendar
    computing: bool = False  # the missing scopes' snapshots are being computed by a worker

    @property
    def title(self) -> str:
        if self.group is not None:
            return f"{self.group.branch.name} · {self.group.name}"
        if self.branch is not None:
            return self.branch.name
        return self.committee.school_name

    @property
    def age_minutes(self) -> int:
        return max(0, int((timezone.now() - self.computed_at).total_seconds() // 60))

    @property
    def age_hours(self) -> int:
        return self.age_minutes // 60

    @property
    def age_days(self) -> int:
        return self.age_minutes // (60 * 24)

    @property
    def _scope_id(self) -> int | None:
        scope = (self.group or self.branch) if self.level != Level.COMMITTEE else None
        return scope.pk if scope is not None else None

    @property
    def page_url(self) -> str:
        return dashboard_link(self.level, self._scope_id, self.school_year)

    @property
    def print_url(self) -> str:
        return dashboard_link(self.level, self._scope_id, self.school_year, printable=True)
