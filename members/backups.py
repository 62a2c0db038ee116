"""Backups of the whole portal: the database and MEDIA_ROOT in one .tar.gz, with a manifest.

The database is dumped first and the media second, so every file a dumped row names is in the
archive (a photo uploaded in between is at worst an unreferenced extra file).

- SQLite: sqlite3's online backup API copies the live database page by page into a file, a
  consistent copy even while the site runs, and restores by copying back into the open connection.
- PostgreSQL: `pg_dump --format=custom` inside a REPEATABLE READ snapshot that the row counts of
  the manifest share, restored with `pg_restore --clean --single-transaction`. Chosen over Django's
  dumpdata/loaddata because a dump is one consistent snapshot of every table (sequences,
  constraints and the tables of Celery, axes and sessions included), is independent of model code
  and signals, streams instead of holding every row in memory as JSON, and a restore either
  completes or changes nothing. It needs the PostgreSQL client tools of the server's major
  version (`postgresql-client`) on the machine that runs the command.

The manifest records the format, the database vendor, the SHA-256 of the dump, the applied
migrations, the row count of every table and the media file count and bytes; restore checks
them all before and after.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_DIR = "media"
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """The backup could not be made, or the archive cannot be restored here."""


def _tables() -> dict[str, str]:
    """Every table Django manages (many-to-many tables included), by model label."""
    return {
        model._meta.label: model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def _count_rows(fetch_count: Callable[[str], int], existing: set[str]) -> dict[str, int]:
    # Only tables that exist: a model whose migration is not applied yet has none.
    return {label: fetch_count(table) for label, table in sorted(_tables().items()) if table in existing}


def _django_count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        return cursor.fetchone()[0]


def row_counts() -> dict[str, int]:
    """Rows of every table in the current database, by model label."""
    return _count_rows(_django_count, set(connection.introspection.table_names()))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _vendor() -> str:
    if connection.vendor not in DUMP_NAMES:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {connection.vendor}")
    return connection.vendor


def _pg_environment() -> dict[str, str]:
    """libpq's variables for the Django connection, so no password appears on a command line."""
    params = connection.settings_dict
    env = dict(os.environ)
    for variable, value in [
        ("PGHOST", params.get("HOST")),
        ("PGPORT", params.get("PORT")),
        ("PGUSER", params.get("USER")),
        ("PGPASSWORD", params.get("PASSWORD")),
        ("PGDATABASE", params.get("NAME")),
        ("PGSSLMODE", (params.get("OPTIONS") or {}).get("sslmode")),
    ]:
        if value:
            env[variable] = str(value)
    return env


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed: install the PostgreSQL client tools (postgresql-client)")
    result = subprocess.run(command, env=_pg_environment(), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def _dump_sqlite(target: Path) -> dict[str, int]:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        # Count from the copy itself, so the manifest describes exactly what was dumped.
        existing = {name for (name,) in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return _count_rows(lambda table: copy.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0], existing)
    finally:
        copy.close()


def _dump_postgresql(target: Path) -> dict[str, int]:
    if connection.in_atomic_block:
        raise BackupError("a backup must not run inside a transaction")
    connection.ensure_connection()
    connection.set_autocommit(False)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        counts = row_counts()
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={target}",
            ]
        )
    finally:
        connection.rollback()
        connection.set_autocommit(True)
    return counts


def _applied_migrations() -> list[str]:
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


def _add_media(archive: tarfile.TarFile, media_root: Path) -> tuple[int, int]:
    directory = tarfile.TarInfo(MEDIA_DIR)
    directory.type = tarfile.DIRTYPE
    directory.mode = 0o750
    archive.addfile(directory)
    files = size = 0
    if not media_root.is_dir():
        return files, size
    for folder, dirnames, filenames in os.walk(media_root):
        dirnames.sort()
        for filename in sorted(filenames):
            path = Path(folder) / filename
            archive.add(path, arcname=f"{MEDIA_DIR}/{path.relative_to(media_root).as_posix()}", recursive=False)
            files += 1
            size += path.stat().st_size
    return files, size


def create_backup(output_dir: Path) -> tuple[Path, dict]:
    """Write `dangjian-backup-<time>.tar.gz` (mode 0600) into output_dir; return its path and manifest."""
    vendor = _vendor()
    output_dir.mkdir(parents=True, exist_ok=True)
    created = timezone.localtime()
    final = output_dir / f"dangjian-backup-{created:%Y%m%d-%H%M%S}.tar.gz"
    partial = output_dir / f".{final.name}.partial"
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(dir=output_dir) as work:
        dump = Path(work) / DUMP_NAMES[vendor]
        counts = _dump_sqlite(dump) if vendor == "sqlite" else _dump_postgresql(dump)
        try:
            with tarfile.open(partial, "w:gz") as archive:
                archive.add(dump, arcname=dump.name)
                media_files, media_bytes = _add_media(archive, media_root)
                manifest = {
                    "format": FORMAT,
                    "created_at": created.isoformat(),
                    "django": django.get_version(),
                    "database": {"vendor": vendor, "file": dump.name, "sha256": _sha256(dump)},
                    "migrations": _applied_migrations(),
                    "rows": counts,
                    "media": {"files": media_files, "bytes": media_bytes},
                }
                manifest_file = Path(work) / MANIFEST
                manifest_file.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
                archive.add(manifest_file, arcname=MANIFEST)
            partial.chmod(0o600)
            partial.rename(final)
        finally:
            partial.unlink(missing_ok=True)
    return final, manifest


def read_manifest(archive_path: Path) -> dict:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            stream = archive.extractfile(MANIFEST)
            if stream is None:
                raise KeyError(MANIFEST)
            manifest = json.load(stream)
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupError(f"{archive_path} is not a portal backup: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}; this version reads format {FORMAT}")
    return manifest


def _check_restorable(manifest: dict) -> None:
    vendor = _vendor()
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(f"the archive holds a {manifest['database']['vendor']} database; this site runs on {vendor}")
    known = {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}
    unknown = sorted(set(manifest["migrations"]) - known)
    if unknown:
        raise BackupError(
            "the archive comes from a newer version of the portal (unknown migrations: "
            + ", ".join(unknown[:5])
            + "); deploy that version first"
        )


def _restore_sqlite(dump: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _restore_postgresql(dump: Path) -> None:
    connection.close()
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ]
    )


def _replace_media(source: Path, media_root: Path) -> None:
    media_root.mkdir(parents=True, exist_ok=True)
    # Empty MEDIA_ROOT in place rather than replace it: it is often a mount point or a volume.
    for entry in media_root.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    shutil.copytree(source, media_root, dirs_exist_ok=True)


def restore_backup(archive_path: Path) -> dict:
    """Replace the database and MEDIA_ROOT with the archive's; checked against its manifest."""
    manifest = read_manifest(archive_path)
    _check_restorable(manifest)
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        with tarfile.open(archive_path, "r:gz") as archive:
            # The "data" filter refuses absolute paths, links out of the folder and devices.
            archive.extractall(root, filter="data")
        dump = root / manifest["database"]["file"]
        if not dump.is_file() or _sha256(dump) != manifest["database"]["sha256"]:
            raise BackupError("the database dump in the archive is missing or damaged (SHA-256 differs)")
        media = root / MEDIA_DIR
        files = [path for path in media.rglob("*") if path.is_file()]
        if (
            len(files) != manifest["media"]["files"]
            or sum(p.stat().st_size for p in files) != manifest["media"]["bytes"]
        ):
            raise BackupError("the media files in the archive do not match its manifest")
        if manifest["database"]["vendor"] == "sqlite":
            _restore_sqlite(dump)
        else:
            _restore_postgresql(dump)
        _replace_media(media, Path(settings.MEDIA_ROOT))
    # Only the archive's tables: a newer version of the code may know tables `migrate` adds later.
    tables = _tables()
    existing = set(connection.introspection.table_names())
    restored = {
        label: _django_count(tables[label]) if tables[label] in existing else None
        for label in manifest["rows"]
        if label in tables
    }
    differing = sorted(label for label, rows in restored.items() if manifest["rows"][label] != rows)
    if differing:
        raise BackupError("restored row counts differ from the manifest for: " + ", ".join(differing))
    return manifest


def describe(manifest: dict) -> str:
    created = datetime.fromisoformat(manifest["created_at"])
    rows = sum(manifest["rows"].values())
    return (
        f"{manifest['database']['vendor']} database of {created:%Y-%m-%d %H:%M} ({rows} rows in "
        f"{len(manifest['rows'])} tables), {manifest['media']['files']} media files "
        f"({manifest['media']['bytes']} bytes)"
    )
