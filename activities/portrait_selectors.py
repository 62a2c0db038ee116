"""党员画像: what a member or a group has done, in a fixed number of queries.

Totals are aggregated in the database; only a few recent rows are loaded for display. Archived
activities and photos never count; of achievements only verified ones count, pending ones are
listed (marked) and rejected ones left out.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum, Window

from branches.models import Group
from members.models import Member

from .enums import AchievementStatus
from .models import Achievement, ActivityLog, Photo

RECENT_ACTIVITIES = 5
RECENT_PHOTOS = 6
LISTED_ACHIEVEMENTS = 10
# What a recent activity's line shows (activities/_member_portrait.html): not its narrative, nor
# its project's application text.
RECENT_ACTIVITY_FIELDS = (
    "pk",
    "title",
    "date",
    "activity_type",
    "duration_hours",
    "project__title",
    "project__group__name",
)


@dataclass(frozen=True)
class Portrait:
    activity_count: int = 0
    hours: Decimal = Decimal("0")
    recent_activities: list[ActivityLog] = field(default_factory=list)
    photo_count: int = 0
    recent_photos: list[Photo] = field(default_factory=list)
    verified_count: int = 0
    pending_count: int = 0
    achievements: list[Achievement] = field(default_factory=list)


# Each part reads its few rows and its totals in one query: the totals ride along on every row
# as window aggregates over all the matching rows (computed before the LIMIT). No row means
# nothing matched, so every total is 0.


def _activity_part(activities: QuerySet[ActivityLog]) -> dict:
    # Callers filter by one participant or one group: each activity appears once, so the sum is exact.
    recent = list(
        activities.select_related("project", "project__group")
        .only(*RECENT_ACTIVITY_FIELDS)
        .annotate(total_count=Window(Count("pk")), total_hours=Window(Sum("duration_hours")))
        .order_by("-date", "-pk")[:RECENT_ACTIVITIES]
    )
    return {
        "activity_count": recent[0].total_count if recent else 0,
        "hours": (recent[0].total_hours if recent else None) or Decimal("0"),
        "recent_activities": recent,
    }


def _photo_part(photos: QuerySet[Photo]) -> dict:
    recent = list(photos.annotate(total_count=Window(Count("pk"))).order_by("-created_at", "-pk")[:RECENT_PHOTOS])
    return {"photo_count": recent[0].total_count if recent else 0, "recent_photos": recent}


def _achievement_part(achievements: QuerySet[Achievement]) -> dict:
    listed = list(
        achievements.exclude(status=AchievementStatus.REJECTED)
        .annotate(
            verified_count=Window(Count("pk", filter=Q(status=AchievementStatus.VERIFIED))),
            pending_count=Window(Count("pk", filter=Q(status=AchievementStatus.PENDING))),
        )
        .order_by("-awarded_on", "-pk")[:LISTED_ACHIEVEMENTS]
    )
    first = listed[0] if listed else None
    return {
        "verified_count": first.verified_count if first else 0,
        "pending_count": first.pending_count if first else 0,
        "achievements": listed,
    }


def member_portrait(member: Member) -> Portrait:
    """The member's activities (as a participant), photos they uploaded and achievements credited to them."""
    activities = ActivityLog.objects.filter(participants=member, is_archived=False)
    photos = (
        Photo.objects.filter(uploaded_by_id=member.user_id, activity__is_archived=False, is_archived=False)
        if member.user_id
        else Photo.objects.none()
    )
    achievements = Achievement.objects.filter(members=member)
    return Portrait(**_activity_part(activities), **_photo_part(photos), **_achievement_part(achievements))


def group_portrait(group: Group) -> Portrait:
    """The group's activities and photos (of its projects) and achievements of its members or projects."""
    activities = ActivityLog.objects.filter(project__group=group, is_archived=False)
    photos = Photo.objects.filter(activity__project__group=group, activity__is_archived=False, is_archived=False)
    credited = Achievement.objects.filter(Q(members__group=group) | Q(project__group=group)).values("pk")
    achievements = Achievement.objects.filter(pk__in=credited)
    return Portrait(**_activity_part(activities), **_photo_part(photos), **_achievement_part(achievements))
