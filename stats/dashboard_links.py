"""Where a dashboard's figures lead: the records behind each figure, and the dashboards themselves."""

from typing import Any

from django.urls import reverse
from django.utils.http import urlencode

from activities.enums import AchievementStatus


def project_link(project_id: int) -> str:
    return reverse("projects:detail", args=[project_id])


def project_list_link(school_year: str, **filters: Any) -> str:
    return f"{reverse('projects:list')}?{urlencode({'school_year': school_year, **filters})}"


def achievement_list_link(level: str | None, *, tab: str | None) -> str:
    query = {"status": AchievementStatus.VERIFIED}
    if level:
        query["level"] = level
    if tab:
        query["tab"] = tab
    return f"{reverse('activities:achievement_list')}?{urlencode(query)}"


def dashboard_link(
    level: str, pk: int | None = None, school_year: str | None = None, *, printable: bool = False
) -> str:
    """A dashboard of a level (committee, branch, group), for a school year, or its print page."""
    suffix = "_print" if printable else ""
    url = reverse(f"stats:dashboard_{level}{suffix}", args=[pk] if pk is not None else [])
    return f"{url}?{urlencode({'year': school_year})}" if school_year else url
