"""`manage.py check_data`: rows the statistics would misplace, with a link to each, so a school can fix old data.

An activity counts in its project's school year, so one dated outside that year (or in the
future) adds to the year's total but to none of its months; the same for an achievement of a
project. The services refuse such dates now; this finds what was saved before. It exits with
status 1 when it finds a row, so CI and a cron job notice.
"""

from django.core.management.base import BaseCommand
from django.urls import reverse
from django.utils import timezone

from activities.models import Achievement, ActivityLog
from branches.models import Committee
from projects.models import MicroProject
from projects.school_years import school_year_bounds

# Rows counted in their project's school year: (model, its date, what the list calls it, its page).
DATED_ROWS = (
    (ActivityLog, "date", "活动记录", "activities:activity_detail"),
    (Achievement, "awarded_on", "成果", "activities:achievement_detail"),
)


class Command(BaseCommand):
    help = "List activity logs and achievements dated outside their project's school year or in the future."

    def add_arguments(self, parser):
        parser.add_argument("--committee", metavar="SLUG", help="Only this committee (default: every committee).")

    def handle(self, *args, committee: str | None = None, **options):
        committees = Committee.objects.order_by("slug")
        if committee:
            committees = committees.filter(slug=committee)
        today = timezone.localdate()
        found = 0
        for school in committees:
            years = (
                MicroProject.objects.filter(committee=school)
                .order_by()
                .values_list("school_year", flat=True)
                .distinct()
            )
            for year in sorted(years):
                start, end = school_year_bounds(year)
                for model, date_field, kind, url_name in DATED_ROWS:
                    for pk, title, day in (
                        model.objects.filter(project__committee=school, project__school_year=year)
                        .exclude(**{f"{date_field}__range": (start, min(end, today))})
                        .order_by(date_field, "pk")
                        .values_list("pk", "title", date_field)
                    ):
                        found += 1
                        link = reverse(url_name, args=[pk])
                        self.stdout.write(
                            f"{school.slug}\t{kind} {pk}\t{day}\t不在 {year} 学年内或晚于今天\t《{title}》\t{link}"
                        )
        if found:
            self.stderr.write(f"{found} row(s) dated outside their school year: fix them on the linked pages.")
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS("check_data: every activity and achievement lies inside its school year."))
