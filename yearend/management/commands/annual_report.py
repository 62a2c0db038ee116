"""`manage.py annual_report`: a school year's report file, written straight to disk.

The same workbook or annual summary the 年度报告 page builds in a Celery job, for a school's
administrator who wants the file from the server (a cron job, an archive) without a browser.
It reads as the committee's secretary would (score sheets follow her permissions).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from members.enums import CommitteeRole
from members.models import Member
from stats.management.command_options import committee_option, school_year_option
from yearend.enums import ReportKind
from yearend.errors import YearEndError
from yearend.report_services import report_write


class Command(BaseCommand):
    help = "Write a committee's annual report file (Excel workbook or Word summary) for a school year."

    def add_arguments(self, parser):
        parser.add_argument("--committee", metavar="SLUG", help="Committee slug; optional when there is only one.")
        parser.add_argument(
            "--year", metavar="YEAR", help="School year, 2024-2025 or 2024; default: the latest with data."
        )
        parser.add_argument(
            "--kind",
            choices=ReportKind.values,
            default=ReportKind.WORKBOOK,
            help="xlsx, docx (the summary) or notice (the results notice, once published).",
        )
        parser.add_argument("--output", metavar="FILE", help="Where to write; default: <slug>-<year>.<kind> here.")

    def handle(self, *args, committee=None, year=None, kind=ReportKind.WORKBOOK, output=None, **options):
        found = committee_option(committee)
        school_year = school_year_option(found, year)
        secretary = (
            Member.objects.filter(committee=found, committee_role=CommitteeRole.SECRETARY, is_active=True)
            .exclude(user=None)
            .select_related("user")
            .first()
        )
        if secretary is None:
            raise CommandError(f"{found.school_name} has no secretary with a login: the report reads as the secretary")
        path = Path(output or f"{found.slug}-{school_year}.{ReportKind(kind).suffix}")
        try:
            with path.open("wb") as stream:
                report_write(committee=found, school_year=school_year, kind=kind, viewer=secretary.user, output=stream)
        except YearEndError as error:
            path.unlink(missing_ok=True)
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"{ReportKind(kind).label}: {path} ({path.stat().st_size} bytes)"))
