"""Reads of activity logs, photos and achievements, scoped by committee, with their joins decided here."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from branches.models import Committee
from members.roles import roles_of
from projects.models import MicroProject, ProjectTarget

from .enums import AchievementLevel, AchievementStatus
from .models import Achievement, ActivityLog, IndicatorValue, Photo


def verified_achievement_counts(committee: Committee | int) -> dict[str, int]:
    """Verified achievements of the committee per level (every level present, zero when none).

    Pending and rejected ones never count. One grouped query.
    """
    rows = (
        Achievement.objects.filter(committee=committee, status=AchievementStatus.VERIFIED)
        .values("level")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts = dict.fromkeys(AchievementLevel.values, 0)
    counts.update({row["level"]: row["count"] for row in rows})
    return counts


@dataclass(frozen=True)
class TargetProgress:
    target: ProjectTarget
    actual: Decimal

    @property
    def percent(self) -> int:
        """Share of the target reached, in whole percent (can pass 100)."""
        return int(self.actual * 100 / self.target.target_value) if self.target.target_value else 0


def project_progress(project: MicroProject) -> list[TargetProgress]:
    """Each target of the project with the sum of its current (not archived) activities' values."""
    actual = (
        IndicatorValue.objects.filter(
            activity__project_id=OuterRef("project_id"),
            activity__is_archived=False,
            indicator_id=OuterRef("indicator_id"),
        )
        .order_by()
        .values("indicator_id")
        .annotate(total=Sum("value"))
        .values("total")
    )
    targets = (
        ProjectTarget.objects.filter(project=project)
        .select_related("indicator")
        .annotate(
            actual=Coalesce(
                Subquery(actual, output_field=DecimalField(max_digits=14, decimal_places=2)),
                Value(Decimal("0")),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )
        )
    )
    return [TargetProgress(target=target, actual=target.actual) for target in targets]


def activity_logs_of(project: MicroProject, *, include_archived: bool = False) -> QuerySet[ActivityLog]:
    """The project's activity timeline, newest first, with values, participants and photo counts."""
    logs = ActivityLog.objects.filter(project=project)
    if not include_archived:
        logs = logs.filter(is_archived=False)
    return (
        logs.select_related("created_by")
        .prefetch_related(
            Prefetch("indicator_values", queryset=IndicatorValue.objects.select_related("indicator")),
            "participants",
        )
        .annotate(photo_count=Count("photos", filter=Q(photos__is_archived=False)))
    )


def photos_of(activity: ActivityLog) -> QuerySet[Photo]:
    """An activity's gallery in upload order, archived photos left out."""
    return Photo.objects.filter(activity=activity, is_archived=False).order_by("created_at", "pk")


def photo_for(user, photo_id: int) -> Photo | None:
    """The photo if it belongs to the user's committee, else None (a view answers 404)."""
    committee_id = roles_of(user).committee_id
    if committee_id is None:
        return None
    return (
        Photo.objects.select_related("activity__project")
        .filter(pk=photo_id, activity__project__committee_id=committee_id)
        .first()
    )


def achievements_to_verify(user) -> QuerySet[Achievement]:
    """Pending achievements of the user's committee, for the secretary and committee members."""
    roles = roles_of(user)
    if not roles.is_committee_member:
        return Achievement.objects.none()
    return (
        Achievement.objects.filter(committee_id=roles.committee_id, status=AchievementStatus.PENDING)
        .select_related("recorded_by", "project")
        .prefetch_related("members")
        .order_by("created_at", "pk")
    )


def achievement_for(user, achievement_id: int) -> Achievement | None:
    """The achievement if it belongs to the user's committee, else None (a view answers 404)."""
    committee_id = roles_of(user).committee_id
    if committee_id is None:
        return None
    return Achievement.objects.filter(pk=achievement_id, committee_id=committee_id).first()
