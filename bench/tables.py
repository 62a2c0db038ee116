"""Markdown tables of a bench/run.py --json result, for docs/benchmarks.md.

python bench/tables.py docs/benchmarks-district.json
"""

import json
import sys
from typing import Any


def _ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:.1f} ms"


def _s(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:.1f} s"


def _ratio(ratio: float | None) -> str:
    """A ratio to the floor; "—" where there is none (SQLite has no statistics floor)."""
    return "—" if ratio is None else f"{ratio}×"


def _met(record: dict[str, Any]) -> str:
    met = record.get("met")
    if record.get("queries_equal") is False:
        met = False
    return {True: "yes", False: "**no**", None: "—"}[met]


def tables(result: dict[str, Any]) -> str:
    machine = result["machine"]
    generation = result["generation"]
    rows = generation["rows"]
    lines = [
        f"Run of {result['date']} · size `{result['size']}` · {machine['cpu']}, {machine['cores']} cores, "
        f"{machine['memory_gb']} GB · load average before the run {machine['load_average']} · "
        f"Python {machine['python']}, Django {machine['django']}, {machine['database']} · "
        f"whole run {result['total_seconds'] / 60:.1f} min (generation {generation['seconds']:.0f} s)",
        "",
        f"Data: {generation['schools']} schools, {rows['branches_group']} groups, {rows['members_member']} members, "
        f"{rows['projects_microproject']} projects, {rows['activities_activitylog']:,} activity logs, "
        f"{rows['activities_indicatorvalue']:,} indicator values, "
        f"{rows['activities_activitylog_participants']:,} participations, {rows['activities_photo']:,} photo rows, "
        f"{rows['activities_achievement']:,} achievements, {rows['projects_scoresheet']:,} score sheets, "
        f"{rows['projects_assessmentsheet']:,} assessment sheets.",
    ]
    records = result["benchmarks"]
    if any(record["name"].startswith("page: ") for record in records):  # none in a run --only stats
        lines += [
            "",
            "| Page (user) | Median | Floor | Ratio (goal ≤ 2.5×) | Queries here | Queries at small | Met |",
            "|---|---|---|---|---|---|---|",
        ]
    for record in records:
        if record["name"].startswith("page: "):
            lines.append(
                f"| {record['name'][6:]} ({record['user']}) | {_ms(record['median_s'])} | {_ms(record['floor_s'])} "
                f"| {_ratio(record['ratio'])} | {record['queries']} | {record['queries_at_small'] or '—'} "
                f"| {_met(record)} |"
            )
    lines += ["", "| Benchmark | Figure | Floor / goal | Ratio | Met |", "|---|---|---|---|---|"]
    for record in records:
        name = record["name"]
        if name.startswith("statistics: full"):
            how = "in one process"
            if record.get("processes"):
                ratio = round(record["one_process_s"] / record["floor_s"], 2) if record["floor_s"] else None
                how = (
                    f"on {record['processes']} worker processes; in one process {_s(record['one_process_s'])}"
                    f" ({_ratio(ratio)})"
                )
            lines.append(
                f"| {name} ({record['committees']} committees, {record['snapshots']:,} snapshots) "
                f"| {_s(record['median_s'])} {how}; first run, all rows new: {_s(record['first_run_s'])}"
                + (
                    f"; the nightly run over unchanged data wrote {record['nightly_rows_written']:,} snapshots"
                    f" and {record['nightly_stamps']:,} freshness stamps "
                    if "nightly_rows_written" in record
                    else " "
                )
                + f"| {_s(record['floor_s'])} hand-written SQL "
                f"| {_ratio(record['ratio'])} (goal ≤ {record['goal_ratio']}×) "
                f"| {_met(record)} |"
            )
        elif name.startswith("statistics: incremental"):
            lines.append(
                f"| {name} | {record['median_ms']} ms median, {record['max_ms']} ms max "
                f"| goal ≤ {record['goal_ms']} ms | — | {_met(record)} |"
            )
        elif name.startswith("photos"):
            lines.append(
                f"| {name} | {_ms(record['median_s'])} | {_ms(record['floor_s'])} draft+resize; "
                f"naive thumbnail {_ms(record['naive_s'])} "
                f"| {_ratio(record['ratio'])} (goal ≤ {record['goal_ratio']}×); "
                f"{record['ratio_to_naive']}× the naive | {_met(record)} |"
            )
        elif name.startswith("reports: year"):
            lines.append(
                f"| {name} ({record['committees']} workbooks, {record['rows']:,} rows) "
                f"| {record['rows_per_s']:,.0f} rows/s, peak RSS {record['peak_rss_mb']} MB "
                f"(baseline {record['baseline_rss_mb']} MB) | goal < {record['goal_peak_rss_mb']} MB | — "
                f"| {_met(record)} |"
            )
        elif name.startswith("reports: peak"):
            small, large = record["smallest"], record["largest"]
            lines.append(
                f"| {name} | {small['rows']:,} rows: {small['peak_rss_mb']} MB; {large['rows']:,} rows: "
                f"{large['peak_rss_mb']} MB | growth ≤ {record['goal_growth_mb']} MB | +{record['growth_mb']} MB "
                f"| {_met(record)} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as source:
        print(tables(json.load(source)))
