"""Run every benchmark in one process and compare each with its floor.

    python bench/run.py [--size small|district] [--json] [--repeats N] [--reuse] [--only stats ...]

Builds a fresh database of its own (``dangjian_bench_<size>`` on the PostgreSQL server of
DATABASE_URL when that is set, else a SQLite file under bench/.data/), fills it with
bench/generate.py, and measures pages, statistics, photos and reports. At ``district`` size
the page queries are first counted on a fresh ``small`` database too: they must be equal.
Celery tasks run in process here, as the worker would run them. Results: docs/benchmarks.md.

``--reuse`` measures the databases an earlier run generated (the district takes a quarter of an
hour to generate) instead of building new ones; each run leaves them as it found them, but for
the snapshots it recomputes. ``--only`` measures some of the benchmarks (pages, stats, reports,
photos); without ``pages`` no ``small`` database is needed.
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATA = ROOT / "bench" / ".data"
# The last complete school year: the one whose workbook a secretary exports at year end.
REPORT_YEAR = "2025-2026"
BENCHMARKS = ("stats", "pages", "reports", "photos")


def database_url(size: str) -> str:
    """The benchmark's own database: never the one DATABASE_URL names.

    BENCH_DATABASE_PREFIX (default dangjian_bench) keeps two runs on one server apart.
    """
    base = os.environ.get("DATABASE_URL", "")
    prefix = os.environ.get("BENCH_DATABASE_PREFIX", "dangjian_bench")
    if base.startswith(("postgres://", "postgresql://")):
        return urlunsplit(urlsplit(base)._replace(path=f"/{prefix}_{size}"))
    return f"sqlite:///{BENCH_DATA / f'bench-{size}.sqlite3'}"


def fresh_database(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.startswith("postgres"):
        import psycopg2

        name = parts.path.lstrip("/")
        admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        admin.close()
    else:
        path = Path(parts.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def use_database(url: str) -> None:
    """Point the default connection at ``url`` (after django.setup(), between sizes)."""
    import dj_database_url
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    settings.DATABASES["default"].update(dj_database_url.parse(url))


def _summary_path(url: str) -> Path:
    """Where a generated database's summary is kept for ``--reuse``: beside the SQLite files."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/") if parts.scheme.startswith("postgres") else Path(parts.path).stem
    return BENCH_DATA / f"{name}.summary.json"


def prepare(size: str, log, *, reuse: bool = False) -> dict[str, Any]:
    """A fresh, migrated database filled with the ``size`` district; the generator's summary.

    With ``reuse``, the database an earlier run generated, as its summary says (no new data).
    """
    from django.core.management import call_command

    from bench.generate import generate

    url = database_url(size)
    summary_path = _summary_path(url)
    if reuse:
        if not summary_path.exists():
            raise SystemExit(f"--reuse: no generated {size} database ({summary_path} is missing); run without it once")
        use_database(url)
        call_command("migrate", verbosity=0)  # the code may have gained a migration (an index) since
        generated = datetime.datetime.fromtimestamp(summary_path.stat().st_mtime, datetime.UTC)
        log(f"[{size}] reusing the database generated at {generated:%Y-%m-%d %H:%M} UTC")
        return json.loads(summary_path.read_text())
    summary_path.unlink(missing_ok=True)
    fresh_database(url)
    use_database(url)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    log(f"[{size}] migrated in {time.perf_counter() - started:.0f} s")
    summary = generate(size, log=lambda line: log(f"[{size}] {line}"))
    analyse()
    summary["database"] = urlsplit(url)._replace(netloc=urlsplit(url).hostname or "").geturl()
    summary_path.parent.mkdir(parents=True, exist_ok=True)
    summary_path.write_text(json.dumps(summary, ensure_ascii=False, indent=2))
    return summary


def analyse() -> None:
    """Planner statistics for the freshly loaded tables, as autovacuum would gather them.

    Without them PostgreSQL plans the first minutes after a bulk load blind (the incremental
    recompute measured 324 ms instead of 42 ms); a live database has them.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def machine() -> dict[str, Any]:
    from django import get_version
    from django.db import connection

    cpu = ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        database = cursor.fetchone()[0]
    return {
        "cpu": cpu or platform.processor(),
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "django": get_version(),
        "database": database.split(" on ")[0],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmarks of the portal against their floors.")
    parser.add_argument("--size", choices=["small", "district"], default="small")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--repeats", type=int, default=None, help="timed runs per benchmark")
    parser.add_argument("--reuse", action="store_true", help="measure the databases an earlier run generated")
    parser.add_argument(
        "--only", nargs="+", choices=BENCHMARKS, default=list(BENCHMARKS), help="measure only these benchmarks"
    )
    args = parser.parse_args()
    started = time.perf_counter()

    def log(line: str) -> None:
        print(f"{time.perf_counter() - started:6.0f} s  {line}", file=sys.stderr, flush=True)

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.pop("REDIS_URL", None)  # Celery tasks run in process, as the worker runs them
    # Production settings, as a school's server runs them (no query log, no debug toolbar of errors);
    # TLS is the proxy's business, so the test client's plain requests are not redirected.
    os.environ.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SECURE_SSL_REDIRECT="0",
    )
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="dangjian-bench-media-")
    # Pages name the hashed static files of a collectstatic run, as in production.
    os.environ["STATIC_ROOT"] = tempfile.mkdtemp(prefix="dangjian-bench-static-")
    os.environ["DATABASE_URL"] = database_url(args.size)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    from bench import pages, photos, reports, stats

    page_repeats = args.repeats or 30
    heavy_repeats = max(3, (args.repeats or 3) // 5) if args.size == "district" else (args.repeats or 5)
    records: list[dict[str, Any]] = []
    small_counts = None
    if args.size == "district" and "pages" in args.only:
        small = prepare("small", log, reuse=args.reuse)
        stats.recompute_district(_committees())
        small_counts = pages.count_queries(small["page_school"], small["district_login"])
        log(f"[small] page queries counted: {small_counts}")
    summary = prepare(args.size, log, reuse=args.reuse)
    people, committees = summary["page_school"], _committees()
    log(f"[{args.size}] generated in {summary['seconds']} s: {summary['rows']}")

    if "stats" in args.only:
        records.append(stats.run_full(committees, repeats=heavy_repeats))
        log(f"full recompute: {records[-1]}")
        records.append(stats.run_incremental(people["committee_id"], repeats=max(15, page_repeats // 2)))
        log(f"incremental: {records[-1]}")
    if "pages" in args.only:
        for record in pages.run(people, summary["district_login"], repeats=page_repeats, small_counts=small_counts):
            records.append(record)
            log(f"{record['name']}: {record}")
    if "reports" in args.only:
        sizes = _committee_sizes(REPORT_YEAR)
        records.extend(
            reports.run(
                school_year=REPORT_YEAR,
                committee_ids=committees,
                largest=max(sizes, key=sizes.get),
                smallest=min(sizes, key=sizes.get),
            )
        )
        log(f"reports: {records[-2:]}")
    if "photos" in args.only:
        records.extend(photos.run(repeats=max(5, page_repeats // 3)))
        log(f"photos: {records[-1]}")

    result = {
        "size": args.size,
        "reused_database": args.reuse,
        "only": args.only,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "generation": summary,
        "benchmarks": records,
        "goals_met": all(record.get("met") is not False for record in records)
        and all(record.get("queries_equal") is not False for record in records),
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    else:
        print(table(result))
    return 0


def _committees() -> list[int]:
    from branches.models import Committee

    return list(Committee.objects.order_by("pk").values_list("pk", flat=True))


def _committee_sizes(school_year: str) -> dict[int, int]:
    from django.db.models import Count

    from activities.models import ActivityLog

    rows = (
        ActivityLog.objects.filter(project__school_year=school_year)
        .values("project__committee_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["project__committee_id"]: row["n"] for row in rows}


def table(result: dict[str, Any]) -> str:
    lines = [f"{result['size']} · {result['machine']} · {result['total_seconds']} s"]
    for record in result["benchmarks"]:
        figures = ", ".join(f"{k}={v}" for k, v in record.items() if k != "name" and not isinstance(v, list | dict))
        lines.append(f"- {record['name']}: {figures}")
    lines.append(f"goals met: {result['goals_met']}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
