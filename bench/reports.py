"""Reports benchmark: the year's workbooks of the whole district, rows per second and peak memory.

A workbook is per committee (school): district officers see figures, never records, so "the
district's year" is every school's year workbook. Each measure runs `bench/report_worker.py`
in its own process, so its peak RSS (``VmHWM``) is that build's peak and nothing else's:

1. one process builds every committee's workbook in turn: district rows/s and peak RSS;
2. one process builds the smallest committee's alone and 3. one the largest's alone: the two
   peaks side by side show whether memory grows with rows (the goal: it does not, streaming).

    python bench/reports.py --school-year 2025-2026     # every committee of the database, JSON out

The database is the one DATABASE_URL names (inherited by the workers).
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

WORKER = Path(__file__).resolve().parent / "report_worker.py"
GOAL_PEAK_RSS_MB = 200
# Peak RSS of the largest committee's build may exceed the smallest's by this much and still
# count as flat (allocator and interpreter noise); more means memory follows the row count.
GOAL_GROWTH_MB = 10


def build(*, school_year: str, committee_ids: list[int]) -> dict[str, Any]:
    """Run one worker process over the committees; its JSON line as a dict."""
    command = [sys.executable, str(WORKER), "--school-year", school_year]
    for committee_id in committee_ids:
        command += ["--committee", str(committee_id)]
    finished = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy(), check=False)
    if finished.returncode != 0:
        raise RuntimeError(f"report worker failed ({finished.returncode}): {finished.stderr[-2000:]}")
    return json.loads(finished.stdout.strip().splitlines()[-1])


def run(*, school_year: str, committee_ids: list[int], largest: int, smallest: int) -> list[dict[str, Any]]:
    """The district's workbooks in one process, then the smallest and the largest alone."""
    district = build(school_year=school_year, committee_ids=committee_ids)
    small = build(school_year=school_year, committee_ids=[smallest])
    large = build(school_year=school_year, committee_ids=[largest])
    growth = round(large["peak_rss_mb"] - small["peak_rss_mb"], 1)
    return [
        {
            "name": "reports: year workbooks of the district",
            "school_year": school_year,
            "committees": len(committee_ids),
            "rows": district["rows"],
            "seconds": district["seconds"],
            "context_seconds": district["context_seconds"],
            "workbook_seconds": district["workbook_seconds"],
            "rows_per_s": district["rows_per_s"],
            "bytes": district["bytes"],
            "baseline_rss_mb": district["baseline_rss_mb"],
            "peak_rss_mb": district["peak_rss_mb"],
            "goal_peak_rss_mb": GOAL_PEAK_RSS_MB,
            "met": district["peak_rss_mb"] < GOAL_PEAK_RSS_MB,
        },
        {
            "name": "reports: peak memory, smallest vs largest school's workbook",
            "school_year": school_year,
            "smallest": {key: small[key] for key in ("rows", "seconds", "baseline_rss_mb", "peak_rss_mb")}
            | {"committee": smallest},
            "largest": {key: large[key] for key in ("rows", "seconds", "baseline_rss_mb", "peak_rss_mb")}
            | {"committee": largest},
            "growth_mb": growth,
            "goal_growth_mb": GOAL_GROWTH_MB,
            "goal_peak_rss_mb": GOAL_PEAK_RSS_MB,
            "met": growth <= GOAL_GROWTH_MB and large["peak_rss_mb"] < GOAL_PEAK_RSS_MB,
        },
    ]


def district_committees(school_year: str) -> tuple[list[int], int, int]:
    """Every committee's id, and the largest's and smallest's by the year's activity logs (Django set up)."""
    from django.db.models import Count

    from activities.models import ActivityLog
    from branches.models import Committee

    ids = list(Committee.objects.order_by("pk").values_list("pk", flat=True))
    counts = dict(
        ActivityLog.objects.filter(project__school_year=school_year, is_archived=False)
        .values_list("project__committee")
        .annotate(logs=Count("pk"))
        .values_list("project__committee", "logs")
    )
    by_size = sorted(ids, key=lambda pk: (counts.get(pk, 0), pk))
    return ids, by_size[-1], by_size[0]


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--school-year", required=True, help="e.g. 2025-2026")
    options = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    ids, largest, smallest = district_committees(options.school_year)
    if not ids:
        raise SystemExit("no committee in the database")
    results = run(school_year=options.school_year, committee_ids=ids, largest=largest, smallest=smallest)
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
