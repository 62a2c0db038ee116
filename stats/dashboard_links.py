"""Where a dashboard's figures lead: the records behind each figure, and the dashboards themselves."""

from typing import Any

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import urlencode

from activities.enums import AchievementStatus

# A stand-in id no row has, for reversing a URL pattern once and filling in the ids after.
_ID_MARK = "2147483519"
_patterns: dict[tuple, list[str] | None] = {}


def _reverse_ids(name: str, *ids: int) -> str:
    """``reverse(name, args=ids)``, the pattern reversed once per URLconf and script prefix.

    A committee dashboard links every project, branch and group of its tables (about a hundred
    links): Django's reverse() for each took a tenth of the page's time.
    """
    key = (name, len(ids), get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    if key not in _patterns:
        parts = reverse(name, args=[_ID_MARK] * len(ids)).split(_ID_MARK)
        _patterns[key] = parts if len(parts) == len(ids) + 1 else None
    parts = _patterns[key]
    if parts is None:  # the mark was not found where the ids go: reverse as Django does
        return reverse(name, args=list(ids))
    written = [parts[0]]
    for pk, rest in zip(ids, parts[1:], strict=True):
        written += [str(int(pk)), rest]
    return "".join(written)


def project_link(project_id: int) -> str:
    return _reverse_ids("projects:detail", project_id)


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
    url = _reverse_ids(f"stats:dashboard_{level}{suffix}", *([pk] if pk is not None else []))
    return f"{url}?{urlencode({'year': school_year})}" if school_year else url
