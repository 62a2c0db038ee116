from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from members import backups


class Command(BaseCommand):
    help = (
        "Back up the database and MEDIA_ROOT into one .tar.gz with a manifest "
        "(SQLite: the sqlite3 backup API; PostgreSQL: pg_dump). The archive holds personal data: mode 0600."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", default=".", help="Folder to write dangjian-backup-<time>.tar.gz into (default: here)."
        )

    def handle(self, *args, output: str, **options):
        try:
            archive, manifest = backups.create_backup(Path(output))
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backed up {backups.describe(manifest)}.")
        self.stdout.write(self.style.SUCCESS(str(archive.resolve())))
