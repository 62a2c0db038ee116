"""The --committee and --year options the statistics' and the year's end commands share."""

from django.core.management.base import CommandError
from django.utils import timezone

from branches.models import Committee
from projects.school_years import normalise_school_year, school_year_of
from stats.scopes import school_years_of


def committee_option(slug: str | None) -> Committee:
    """The committee named by --committee; optional when the deployment has only one."""
    if slug:
        found = Committee.objects.filter(slug=slug).first()
        if found is None:
            raise CommandError(f"no committee with the slug {slug!r}")
        return found
    committees = list(Committee.objects.order_by("slug")[:2])
    if len(committees) != 1:
        slugs = ", ".join(Committee.objects.order_by("slug").values_list("slug", flat=True)) or "none"
        raise CommandError(f"--committee is required (committees: {slugs})")
    return committees[0]


def school_year_option(committee: Committee, year: str | None) -> str:
    """The school year of --year (2024-2025 or 2024); by default the latest with data, else the current one."""
    if year:
        try:
            return normalise_school_year(year)
        except ValueError as exc:
            raise CommandError(f"--year: {exc}") from exc
    years = school_years_of(committee)
    return years[-1] if years else school_year_of(timezone.localdate())
