"""Reads of activity logs: progress against targets, the timeline, one activity, the form's choices.

Scoped by committee, with their joins decided here.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value, Window
from django.db.models.functions import Coalesce

from config.percentages import percent
from members.models import Member
from members.roles import roles_of
from projects.models import Indicator, MicroProject, ProjectTarget

from .models import ActivityDelegation, ActivityLog, ActivityRevision, IndicatorValue, Photo
from .rules import OPEN_PROJECT_STATUSES


@dataclass(frozen=True)
class TargetProgress:
    target: ProjectTarget
    actual: Decimal

    @property
    def percent(self) -> float:
        """Share of the target reached, in percent with one decimal (can pass 100)."""
        return percent(self.actual, self.target.target_value) or 0.0


def project_progress(project: MicroProject) -> list[TargetProgress]:
    """Each target of the project with the sum of its current (not archived) activities' values.

    One query. With the project's targets prefetched (the project page), it only sums the values
    per indicator, a grouped scan of the project's activities (the targets' correlated sums read
    every value of each indicator).
    """
    prefetched = getattr(project, "_prefetched_objects_cache", {}).get("targets")
    if prefetched is not None:
        totals = dict(
            IndicatorValue.objects.filter(activity__project_id=project.pk, activity__is_archived=False)
            .order_by()
            .values_list("indicator_id")
            .annotate(total=Sum("value"))
        )
        return [
            TargetProgress(target=target, actual=totals.get(target.indicator_id, Decimal("0"))) for target in prefetched
        ]
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
        .order_by("-date", "-pk")  # a grouped query leaves Meta.ordering out
    )


@dataclass(frozen=True)
class TimelineValue:
    indicator_name: str
    value: Decimal
    unit: str


@dataclass(frozen=True)
class TimelineActivity:
    """What a timeline row shows of an activity (rows, not models: the page writes a few fields)."""

    pk: int
    title: str
    date: date
    activity_type: str
    place: str
    beneficiaries_count: int
    photo_count: int
    indicator_values: list[TimelineValue]


@dataclass(frozen=True)
class Timeline:
    activities: list[TimelineActivity]  # the latest ones when the timeline is cut short
    total: int  # every current activity of the project
    photo_total: int  # their current photos

    @property
    def is_cut(self) -> bool:
        return len(self.activities) < self.total


_TIMELINE_FIELDS = ("pk", "title", "date", "activity_type", "place", "beneficiaries_count", "photo_count")


def project_timeline(project: MicroProject, *, limit: int | None) -> Timeline:
    """The project page's timeline: the latest ``limit`` current activities (all with None), newest first,
    with their indicator values and photo counts, and the counts of all of them. Two queries.
    """
    photos = (
        Photo.objects.filter(activity=OuterRef("pk"), is_archived=False)
        .order_by()
        .values("activity")
        .annotate(count=Count("pk"))
        .values("count")
    )
    logs = (
        ActivityLog.objects.filter(project=project, is_archived=False)
        .annotate(photo_count=Coalesce(Subquery(photos), 0))
        # Window totals are taken over every current activity, before the LIMIT.
        .annotate(total=Window(Count("pk")), photo_total=Window(Sum("photo_count")))
        .order_by("-date", "-pk")
        .values_list(*_TIMELINE_FIELDS, "total", "photo_total")
    )
    rows = list(logs if limit is None else logs[:limit])
    values: dict[int, list[TimelineValue]] = {row[0]: [] for row in rows}
    if rows:
        for activity_id, name, value, unit in (
            IndicatorValue.objects.filter(activity_id__in=values)
            .order_by("indicator__position", "pk")
            .values_list("activity_id", "indicator__name", "value", "indicator__unit")
        ):
            values[activity_id].append(TimelineValue(name, value, unit))
    return Timeline(
        activities=[TimelineActivity(*row[: len(_TIMELINE_FIELDS)], indicator_values=values[row[0]]) for row in rows],
        total=rows[0][-2] if rows else 0,
        photo_total=int(rows[0][-1]) if rows else 0,  # PostgreSQL sums bigints as numeric
    )


def activity_for(user, activity_id: int) -> ActivityLog | None:
    """One activity of the user's committee (archived ones too), with everything its page shows.

    None outside the committee, so the view answers 404.
    """
    committee_id = roles_of(user).committee_id
    if committee_id is None:
        return None
    return (
        ActivityLog.objects.filter(pk=activity_id, project__committee_id=committee_id)
        .select_related("project", "project__group", "project__group__branch", "created_by", "created_by__member")
        .prefetch_related(
            Prefetch("indicator_values", queryset=IndicatorValue.objects.select_related("indicator")),
            Prefetch("participants", queryset=Member.objects.order_by("name")),
            Prefetch(
                "revisions",
                queryset=ActivityRevision.objects.select_related("edited_by", "edited_by__member").order_by(
                    "-edited_at", "-pk"
                ),
            ),
        )
        .first()
    )


def activity_indicator_choices(project: MicroProject) -> list[Indicator]:
    """Indicators an activity may report: the project's targets first, then the rest of the catalogue
    (one query). Each carries ``is_target``: the form gives every target a row of its own.

    Inactive catalogue entries stay out unless the project targets them.
    """
    targeted = ProjectTarget.objects.filter(project=project, indicator_id=OuterRef("pk"))
    indicators = (
        Indicator.objects.filter(committee_id=project.committee_id)
        .annotate(is_target=Exists(targeted))
        .filter(Q(is_active=True) | Q(is_target=True))
    )
    return sorted(indicators, key=lambda indicator: (not indicator.is_target, indicator.position, indicator.name))


def activity_participant_choices(project: MicroProject) -> QuerySet[Member]:
    """Members who may be named on an activity: the project's participants and its branch's active members."""
    return (
        Member.objects.filter(
            Q(group__branch_id=project.group.branch_id, is_active=True) | Q(pk__in=project.participants.values("pk"))
        )
        .select_related("group")
        .distinct()
        .order_by("group__position", "name")
    )


@dataclass(frozen=True)
class ProjectAtWork:
    """An open project the user works on, for the home page's buttons."""

    id: int
    title: str
    can_log: bool  # the group's leader, or a member the leader delegated logging to
    latest_activity_id: int | None  # where a photo goes; None before the first activity


def projects_at_work(user) -> list[ProjectAtWork]:
    """Approved or in-progress projects of the user's own and led groups and of their delegations,
    newest first, each with its latest current activity (one query)."""
    roles = roles_of(user)
    if roles.committee_id is None or roles.member_id is None:
        return []
    groups = set(roles.led_group_ids) | ({roles.group_id} if roles.group_id else set())
    delegate = ActivityDelegation.objects.filter(
        project_id=OuterRef("pk"), member_id=roles.member_id, revoked_at__isnull=True
    )
    latest = (
        ActivityLog.objects.filter(project_id=OuterRef("pk"), is_archived=False)
        .order_by("-date", "-pk")
        .values("pk")[:1]
    )
    rows = (
        MicroProject.objects.annotate(is_delegate=Exists(delegate), latest_activity=Subquery(latest))
        .filter(Q(group_id__in=groups) | Q(is_delegate=True), committee_id=roles.committee_id)
        .filter(status__in=OPEN_PROJECT_STATUSES)
        .order_by("-school_year", "-pk")
        .values_list("pk", "title", "group_id", "is_delegate", "latest_activity")
    )
    return [
        ProjectAtWork(pk, title, group_id in roles.led_group_ids or is_delegate, activity_id)
        for pk, title, group_id, is_delegate, activity_id in rows
    ]
