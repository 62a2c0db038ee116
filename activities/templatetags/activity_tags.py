"""The activity sections of the project page: progress against targets, timeline, gallery."""

from django import template

from activities import selectors
from projects.enums import PUBLIC_STATUSES
from projects.models import MicroProject

register = template.Library()

PROJECT_GALLERY_SIZE = 12


@register.filter
def bar_width(percent: int) -> int:
    """A progress bar's width in percent: past 100 % the bar is simply full."""
    return max(0, min(int(percent), 100))


@register.inclusion_tag("activities/_project_sections.html", takes_context=True)
def project_activity_sections(context, project: MicroProject) -> dict:
    """Progress, the activity timeline (newest first) and the latest photos, in a fixed number of queries.

    Nothing before approval: a project logs activities only once approved.
    """
    if project.status not in PUBLIC_STATUSES:
        return {"shown": False}
    timeline = list(selectors.activity_logs_of(project))
    return {
        "shown": True,
        "request": context["request"],
        "user": context["request"].user,
        "project": project,
        "progress": selectors.project_progress(project),
        "timeline": timeline,
        "photos": selectors.project_gallery(project, limit=PROJECT_GALLERY_SIZE),
        "photo_total": sum(log.photo_count for log in timeline),
    }
