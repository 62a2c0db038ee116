"""`manage.py annual_report`: a school year's report file, written straight to disk.

The same workbook or annual summary the 年度报告 page builds in a Celery job, for a school's
administrator who wants the file from the server (a cron job, an archive) without a browser.
It reads as the committee's secretary would (score sheets follow her permissions).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from branches.models import Committee
from members.enums import CommitteeRole
from members.models import Member
from projects.school_years import normalise_school_year, school_year_of
from stats.scopes import school_years_of
from yearend.enums import ReportKind
from yearend.report_services import report_write


class Command(BaseCommand):
    help = "Write a committee's annual report file (Excel workbook or Word summary) for a school year."

    def add_arguments(self, parser):
        parser.add_argument("--committee", metavar="SLUG", help="Committee slug; optional when there is only one.")
        parser.add_argument(
            "--year", metavar="YEAR", help="School year, 2024-2025 or 2024; default: the latest with data."
        )
        parser.add_argument("--kind", choices=ReportKind.values, default=ReportKind.WORKBOOK, help="xlsx or docx.")
        parser.add_argument("--output", metavar="FILE", help="Where to write; default: <slug>-<year>.<kind> here.")

    def handle(self, *args, committee=None, year=None, kind=ReportKind.WORKBOOK, output=None, **options):
        found = self._committee(committee)
        if year:
            try:
                school_year = normalise_school_year(year)
            except ValueError as exc:
                raise CommandError(f"--year: {exc}") from exc
        else:
            years = school_years_of(found)
            school_year = years[-1] if years else school_year_of(timezone.localdate())
        secretary = (
            Member.objects.filter(committee=found, committee_role=CommitteeRole.SECRETARY, is_active=True)
            .exclude(user=None)
            .select_related("user")
            .first()
        )
        if secretary is None:
            raise CommandError(f"{found.school_name} has no secretary with a login: the report reads as the secretary")
        path = Path(output or f"{found.slug}-{school_year}.{kind}")
        with path.open("wb") as stream:
            report_write(committee=found, school_year=school_year, kind=kind, viewer=secretary.user, output=stream)
        self.stdout.write(self.style.SUCCESS(f"{ReportKind(kind).label}: {path} ({path.stat().st_size} bytes)"))

    def _committee(self, slug: str | None) -> Committee:
        if slug:
            found = Committee.objects.filter(slug=slug).first()
            if found is None:
                raise CommandError(f"no committee with the slug {slug!r}")
            return found
        committees = list(Committee.objects.order_by("slug")[:2])
        if len(committees) != 1:
            slugs = ", ".join(Committee.objects.order_by("slug").values_list("slug", flat=True)) or "none"
            raise CommandError(f"--committee is needed: one of {slugs}")
        return committees[0]
