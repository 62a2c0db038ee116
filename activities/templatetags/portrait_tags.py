"""党员画像 on the member and group pages, and the achievement badges the pages share."""

from django import template

from activities import portrait_selectors
from activities.enums import AchievementStatus
from branches.models import Group
from members.models import Member
from projects.selectors import projects_of_group

register = template.Library()

_STATUS_BADGES = {
    AchievementStatus.PENDING: "text-bg-warning",
    AchievementStatus.VERIFIED: "text-bg-success",
    AchievementStatus.REJECTED: "text-bg-secondary",
}


@register.filter
def achievement_badge(status: str) -> str:
    """Bootstrap badge classes for an achievement's verification status."""
    return _STATUS_BADGES.get(status, "text-bg-secondary")


@register.inclusion_tag("activities/_member_portrait.html")
def member_portrait(member: Member) -> dict:
    """The member's activities, hours, photos and achievements (a fixed number of queries)."""
    return {"member": member, "portrait": portrait_selectors.member_portrait(member)}


@register.inclusion_tag("activities/_group_portrait.html", takes_context=True)
def group_portrait(context, group: Group) -> dict:
    """The group's projects, activities, hours, photos and achievements (a fixed number of queries)."""
    user = context["request"].user
    return {
        "group": group,
        "portrait": portrait_selectors.group_portrait(group),
        "projects": projects_of_group(user, group.pk),
    }
