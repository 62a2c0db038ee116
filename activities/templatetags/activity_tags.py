"""The activity sections of the project page: progress against targets, timeline, gallery."""

from django import template

from activities import selectors
from activities.enums import ActivityType
from projects.enums import PUBLIC_STATUSES
from projects.models import MicroProject

register = template.Library()

PROJECT_GALLERY_SIZE = 12
# The project page shows the latest activities; ?timeline=all lists every one.
PROJECT_TIMELINE_SIZE = 10


@register.filter
def bar_width(percent: int) -> int:
    """A progress bar's width in percent: past 100 % the bar is simply full."""
    return max(0, min(int(percent), 100))


@register.filter
def activity_type_label(value: str) -> str:
    """``get_activity_type_display`` without rebuilding the choices' mapping on every call."""
    return ActivityType(value).label if value in ActivityType.values else value


@register.inclusion_tag("activities/_project_sections.html", takes_context=True)
def project_activity_sections(context, project: MicroProject) -> dict:
    """Progress, the activity timeline (newest first) and the latest photos, in a fixed number of queries.

    Nothing before approval: a project logs activities only once approved.
    """
    if project.status not in PUBLIC_STATUSES:
        return {"shown": False}
    request = context["request"]
    show_all = request.GET.get("timeline") == "all"
    timeline = selectors.project_timeline(project, limit=None if show_all else PROJECT_TIMELINE_SIZE)
    return {
        "shown": True,
        "request": request,
        "user": request.user,
        "project": project,
        "progress": selectors.project_progress(project),
        "timeline": timeline,
        "photos": selectors.project_gallery(project, limit=PROJECT_GALLERY_SIZE),
        "photo_total": timeline.photo_total,
    }
