"""The assessment's template hooks: rating badges and the published result on the project page."""

from django import template

from yearend.enums import AssessmentRating
from yearend.selectors import published_result_of

register = template.Library()

_BADGES = {
    AssessmentRating.EXCELLENT: "text-bg-danger",
    AssessmentRating.GOOD: "text-bg-primary",
    AssessmentRating.PASS: "text-bg-secondary",
    AssessmentRating.FAIL: "text-bg-dark",
}


@register.filter
def rating_badge(rating: str | None) -> str:
    """Bootstrap badge classes for an assessment rating."""
    return _BADGES.get(rating, "text-bg-light")


@register.filter
def rating_label(rating: str | None) -> str:
    """优秀 / 良好 / 合格 / 不合格, or a dash when there is no rating yet."""
    return AssessmentRating(rating).label if rating in AssessmentRating.values else "—"


@register.inclusion_tag("yearend/_assessment_result.html", takes_context=True)
def assessment_result_card(context, project) -> dict:
    """The project's published assessment result, for its group and the committee (one query)."""
    user = context.get("user")
    return {"result": published_result_of(user, project) if user is not None else None}
