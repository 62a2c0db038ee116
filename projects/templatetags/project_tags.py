from django import template

from projects.enums import ProjectStatus

register = template.Library()

_BADGES = {
    ProjectStatus.DRAFT: "text-bg-secondary",
    ProjectStatus.SUBMITTED: "text-bg-info",
    ProjectStatus.IN_REVIEW: "text-bg-primary",
    ProjectStatus.RETURNED: "text-bg-warning",
    ProjectStatus.APPROVED: "text-bg-success",
    ProjectStatus.REJECTED: "text-bg-dark",
    ProjectStatus.IN_PROGRESS: "text-bg-success",
    ProjectStatus.CONCLUDED: "text-bg-secondary",
    ProjectStatus.WITHDRAWN: "text-bg-light",
}


@register.filter
def status_badge(status: str) -> str:
    """Bootstrap badge classes for a project status."""
    return _BADGES.get(status, "text-bg-secondary")
