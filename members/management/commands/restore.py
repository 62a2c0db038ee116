from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from members import backups


class Command(BaseCommand):
    help = (
        "Replace the database and MEDIA_ROOT with a backup made by `manage.py backup`. "
        "Stop the web, worker and beat processes first; run `migrate` afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="A dangjian-backup-<time>.tar.gz file.")
        parser.add_argument(
            "--yes", action="store_true", help="Really replace every row and every uploaded file of this site."
        )

    def handle(self, *args, archive: str, yes: bool, **options):
        path = Path(archive)
        try:
            manifest = backups.read_manifest(path)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        if not yes:
            raise CommandError(
                f"{path} holds a {backups.describe(manifest)}. Restoring it replaces ALL data and uploaded "
                "files of this site, and what is there now is lost. Run again with --yes to do it."
            )
        try:
            backups.restore_backup(path)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {backups.describe(manifest)}.")
        self.stdout.write(self.style.SUCCESS("Done. Run `manage.py migrate` if this version has newer migrations."))
