"""A database of the portal from before the stats/ and yearend/ apps migrates to them without losing a row.

The old code (the commit before the move, taken from git) migrates a fresh database, seeds the
demo, recomputes the statistics, opens an assessment round and builds a report; then today's
code migrates the same database. Every table keeps its row count, every figure of
`project_stats` is the same, and the moved models' content types (and so their permissions)
carry the new app labels. On SQLite in the embedded run, on PostgreSQL when DATABASE_URL is set.
"""

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
# The last commit with statistics, assessment and reports inside projects/.
PRE_LAYOUT_COMMIT = "0bd65b112fe5cc8dfe2d154b85d646845c5d751c"
MOVED = {
    "stats": ["statsnapshot"],
    "yearend": [
        "assessmentround",
        "assessmentcriterion",
        "assessmentsheet",
        "assessmentscore",
        "assessmentresult",
        "assessmentevent",
        "reportjob",
    ],
}

pytestmark = pytest.mark.slow

# Runs in either code base: row counts read from the tables, content types as stored.
SNAPSHOT = """
import json, django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    tables = sorted(name for name in connection.introspection.table_names() if name != "django_migrations")
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    cursor.execute("SELECT app_label, model FROM django_content_type ORDER BY app_label, model")
    content_types = [list(row) for row in cursor.fetchall()]
    cursor.execute(
        "SELECT committee_id, scope_kind, scope_id, school_year, month, figures FROM projects_statsnapshot"
        " ORDER BY committee_id, scope_kind, scope_id, school_year, month"
    )
    snapshots = [[str(value) for value in row[:5]] + [json.loads(row[5]) if isinstance(row[5], str) else row[5]]
                 for row in cursor.fetchall()]
print(json.dumps({"counts": counts, "content_types": content_types, "snapshots": snapshots}))
"""

# The old code's writes into every moved table: snapshots, an assessment round, a report file.
OLD_WRITES = """
import django
django.setup()
from branches.models import Committee
from members.models import User
from projects import assessment_services, report_services, stats_services
from projects.models import ReportKind
daping = Committee.objects.get(slug="daping")
for committee in Committee.objects.all():
    stats_services.stats_recompute(committee_id=committee.pk)
secretary = User.objects.get(username="secretary")
assessment_services.assessment_round_open(actor=secretary, school_year="2024-2025")
report_services.report_request(actor=secretary, committee=daping, kind=ReportKind.WORKBOOK, school_year="2024-2025")
"""


def old_code(tmp_path: Path) -> Path:
    """The tree of the commit before the move, or a skip/fail when git cannot give it."""
    found = subprocess.run(["git", "cat-file", "-e", f"{PRE_LAYOUT_COMMIT}^{{commit}}"], cwd=BASE_DIR)
    if found.returncode != 0:
        message = f"the commit {PRE_LAYOUT_COMMIT[:7]} is not in this checkout (a shallow clone?)"
        if os.environ.get("LAYOUT_MIGRATION_REQUIRED"):
            pytest.fail(message)
        pytest.skip(message)
    archive = tmp_path / "old.tar"
    subprocess.run(["git", "archive", "-o", str(archive), PRE_LAYOUT_COMMIT], cwd=BASE_DIR, check=True)
    tree = tmp_path / "old"
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    return tree


@pytest.fixture
def database_env(tmp_path):
    """An empty database of its own, on the server the suite runs on."""
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "SQLITE_PATH", "MEDIA_ROOT")}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "1", "MEDIA_ROOT": str(tmp_path / "media")}
    url = os.environ.get("DATABASE_URL")
    if not url:
        env["SQLITE_PATH"] = str(tmp_path / "layout.sqlite3")
        yield env
        return
    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_layout_migration"
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    try:
        yield env
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def run(tree: Path, env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, *args],
        cwd=tree,
        env=env | {"PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"{args}: {result.stderr[-3000:]}"
    return result.stdout


def figures(tree: Path, env: dict) -> dict:
    years = {}
    for year in ("2024-2025", "2025-2026"):
        out = run(tree, env, "manage.py", "project_stats", "--committee", "daping", "--year", year, "--format", "json")
        data = json.loads(out)
        data.pop("computed_at", None)
        years[year] = data
    return years


def test_the_old_layouts_database_migrates_keeping_every_row_and_figure(tmp_path, database_env):
    old = old_code(tmp_path)
    run(old, database_env, "manage.py", "migrate", "--noinput", "-v", "0")
    run(old, database_env, "manage.py", "seed_demo")
    run(old, database_env, "-c", OLD_WRITES)
    before = json.loads(run(old, database_env, "-c", SNAPSHOT).splitlines()[-1])
    figures_before = figures(old, database_env)
    for table in ("projects_statsnapshot", "projects_assessmentround", "projects_reportjob", "projects_microproject"):
        assert before["counts"][table] > 0, table

    run(BASE_DIR, database_env, "manage.py", "migrate", "--noinput", "-v", "0")
    after = json.loads(run(BASE_DIR, database_env, "-c", SNAPSHOT).splitlines()[-1])

    # Every table of the old layout keeps its rows; of the tables added since, the statistics'
    # per-year stamps hold a stamp per committee and school year computed before, and the others
    # start empty; only content types and permissions are new rows in old tables.
    grown = {"django_content_type", "auth_permission"}
    kept = {table: count for table, count in after["counts"].items() if table in before["counts"]}
    assert {t: c for t, c in kept.items() if t not in grown} == {
        t: c for t, c in before["counts"].items() if t not in grown
    }
    assert all(after["counts"][table] >= before["counts"][table] for table in grown)
    added = set(after["counts"]) - set(before["counts"])
    assert "stats_statfreshness" in added
    assert after["counts"]["stats_statfreshness"] == len(
        {(row[0], row[3]) for row in before["snapshots"] if row[1] == "committee" and row[4] == "None"}
    )
    assert all(after["counts"][table] == 0 for table in added - {"stats_statfreshness"})
    # Every stored figure as it was (the statistics' definitions have moved on since; the next
    # recompute applies them), and project_stats reads the moved snapshots as before.
    assert after["snapshots"] == before["snapshots"]
    figures_after = figures(BASE_DIR, database_env)
    for year, data in figures_before.items():
        assert [project["activities"] for project in figures_after[year]["projects"]] == [
            project["activities"] for project in data["projects"]
        ]
        assert figures_after[year]["totals"]["activities"] == data["totals"]["activities"]
    content_types = {tuple(row) for row in after["content_types"]}
    for app, models in MOVED.items():
        for model in models:
            assert (app, model) in content_types
            assert ("projects", model) not in content_types
    # Nothing left to migrate, and the moved models answer through their new apps.
    plan = run(BASE_DIR, database_env, "manage.py", "migrate", "--plan")
    assert "No planned migration operations" in plan
