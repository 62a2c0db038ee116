"""Render locust's CSV statistics as the Markdown table of docs/load-test.md.

python bench/load/summarise.py /tmp/dangjian-load/results
"""

import csv
import sys
from pathlib import Path


def main(out: Path) -> None:
    with (out / "load_stats.csv").open(newline="") as stats_file:
        rows = list(csv.DictReader(stats_file))
    print("| Request | Requests | Failures | Req/s | p50 ms | p95 ms | p99 ms | Max ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        name = "**All**" if row["Name"] == "Aggregated" else f"{row['Type']} `{row['Name']}`"
        print(
            f"| {name} | {row['Request Count']} | {row['Failure Count']} | {float(row['Requests/s']):.1f} "
            f"| {row['50%']} | {row['95%']} | {row['99%']} | {float(row['Max Response Time']):.0f} |"
        )
    failures = out / "load_failures.csv"
    if failures.exists():
        with failures.open(newline="") as failures_file:
            failed = list(csv.DictReader(failures_file))
        print()
        print("Failures:" if failed else "Failures: none.")
        for row in failed:
            print(f"- {row['Occurrences']} × {row['Method']} `{row['Name']}`: {row['Error']}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
