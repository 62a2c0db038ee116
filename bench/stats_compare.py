"""The statistics engine of two commits side by side, on a district database generated once.

    python bench/stats_compare.py --baseline <commit> [--rounds N] [--size district]

Measures, in turns (round after round, the order flipped each round, so that a machine that
gets busier slows both alike): the SQL floor (`bench/stats_floor.py`), the full recompute of
every committee in one process and the incremental recompute after one new activity, each
with the engine of ``--baseline`` (checked out once under bench/.data/) and of this tree.
Every measurement is a fresh process of its tree; the load average is printed beside each.
The database is the one `bench/run.py` generated (``--reuse`` reads the same one), and is
left as it was found: the incremental measurement deletes the activities it adds.
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEW_ACTIVITY_TITLE = "基准测试新增活动"
SCRIPT = str(Path(__file__).resolve())


def _child(tree: str, what: str, repeats: int, summary_path: str) -> None:
    """One measurement with the engine of ``tree``; prints one JSON object."""
    sys.path.insert(0, tree)
    os.environ.pop("REDIS_URL", None)
    os.environ.update(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="testserver")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    load_before = [round(x, 2) for x in os.getloadavg()]
    timings = []
    if what == "floor":
        from bench import stats_floor

        stats_floor.run_all()  # warm the caches, as the others are
        for _ in range(repeats):
            started = time.perf_counter()
            stats_floor.run_all()
            timings.append(time.perf_counter() - started)
    elif what == "full":
        from branches.models import Committee
        from stats import services

        committee_ids = list(Committee.objects.order_by("pk").values_list("pk", flat=True))
        for _ in range(repeats + 1):  # the first run finds the other tree's rows; the nightly one its own
            started = time.perf_counter()
            for committee_id in committee_ids:
                services.stats_recompute(committee_id=committee_id)
            timings.append(time.perf_counter() - started)
        timings = timings[1:]
    else:
        timings = _incremental(json.loads(Path(summary_path).read_text())["page_school"]["committee_id"], repeats)
    print(
        json.dumps(
            {
                "what": what,
                "median_s": statistics.median(timings),
                "max_s": max(timings),
                "load_before": load_before,
                "load_after": [round(x, 2) for x in os.getloadavg()],
            }
        )
    )


def _incremental(committee_id: int, repeats: int) -> list[float]:
    """What bench/stats.py run_incremental times, written here so both trees run the same loop."""
    from activities.models import ActivityLog, IndicatorValue
    from bench.district_shape import CURRENT_YEAR
    from projects.enums import ProjectStatus
    from projects.models import MicroProject, ProjectTarget
    from stats import tasks
    from stats.scopes import project_scope_keys

    project = MicroProject.objects.filter(
        committee_id=committee_id, school_year=CURRENT_YEAR, status=ProjectStatus.IN_PROGRESS
    ).first()
    scopes = project_scope_keys(project)
    target = ProjectTarget.objects.filter(project=project).first()
    member_ids = list(project.participants.values_list("pk", flat=True)[:3])
    timings = []
    try:
        for n in range(repeats + 1):
            activity = ActivityLog.objects.create(
                project=project,
                date=datetime.date(2026, 11, 1) + datetime.timedelta(days=n % 19),
                activity_type="volunteering",
                title=f"{NEW_ACTIVITY_TITLE}{n}",
                beneficiaries_count=10,
                duration_hours=Decimal(2),
                created_by_id=project.created_by_id,
            )
            activity.participants.set(member_ids)
            IndicatorValue.objects.create(activity=activity, indicator_id=target.indicator_id, value=Decimal(3))
            started = time.perf_counter()
            tasks.recompute_stats_for(committee_id, CURRENT_YEAR, scopes)
            if n:
                timings.append(time.perf_counter() - started)
    finally:
        for activity in ActivityLog.objects.filter(project=project, title__startswith=NEW_ACTIVITY_TITLE):
            activity.delete()
        tasks.recompute_stats_for(committee_id, CURRENT_YEAR, scopes)
    return timings


def _baseline_tree(commit: str) -> Path:
    tree = ROOT / "bench" / ".data" / f"baseline-{commit}"
    if not tree.exists():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), commit], check=True)
    return tree


def main() -> int:
    parser = argparse.ArgumentParser(description="The statistics engine of two commits side by side.")
    parser.add_argument("--baseline", help="the commit to compare this tree with")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--size", choices=["small", "district"], default="district")
    parser.add_argument("--child", nargs=4, metavar=("TREE", "WHAT", "REPEATS", "SUMMARY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        tree, what, repeats, summary = args.child
        _child(tree, what, int(repeats), summary)
        return 0
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bench.run import _summary_path, database_url

    url = database_url(args.size)
    summary = _summary_path(url)
    if not summary.exists():
        raise SystemExit(f"no generated {args.size} database ({summary} is missing): run bench/run.py once")
    trees = {"baseline": _baseline_tree(args.baseline), "this": ROOT}
    env = {**os.environ, "DATABASE_URL": url}
    results: dict[str, list[dict]] = {}
    work = [("floor", "this", 1)] + [(what, name, n) for what, n in (("full", 1), ("inc", 20)) for name in trees]
    for round_ in range(args.rounds):
        for what, name, repeats in work if round_ % 2 == 0 else reversed(work):
            line = (
                subprocess.run(
                    [sys.executable, SCRIPT, "--child", str(trees[name]), what, str(repeats), str(summary)],
                    env=env,
                    cwd=trees[name],  # Celery puts the working directory first on sys.path
                    capture_output=True,
                    text=True,
                    check=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            record = json.loads(line)
            results.setdefault(f"{what} {name}", []).append(record)
            print(f"round {round_ + 1}: {what} {name}: {record}", file=sys.stderr, flush=True)
    summary_rows = {
        key: {
            "median_s": round(statistics.median(r["median_s"] for r in records), 4),
            "load": [r["load_before"][0] for r in records],
        }
        for key, records in results.items()
    }
    floor = summary_rows["floor this"]["median_s"]
    for name in trees:
        summary_rows[f"full {name}"]["ratio_to_floor"] = round(summary_rows[f"full {name}"]["median_s"] / floor, 2)
    print(json.dumps({"baseline": args.baseline, "rounds": args.rounds, "results": summary_rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
