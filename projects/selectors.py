"""Reads of micro-projects, scoped to what the user may see in their committee."""

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from members.models import Member
from members.roles import roles_of

from .enums import PUBLIC_STATUSES, CatalogueKindName, EventAction, ProjectStatus
from .models import (
    CatalogueEvent,
    Indicator,
    MicroProject,
    ProjectEvent,
    ProjectTarget,
    ProjectType,
    RubricCriterion,
    ScoreSheet,
)


def projects_visible_to(user) -> QuerySet[MicroProject]:
    """Projects of the user's committee that the `projects.view_project` rule lets them read.

    Mirrors the rule in the database: drafts stay within the group (and its branch
    secretary); committee members see every submitted application; everyone sees approved ones.
    """
    roles = roles_of(user)
    if roles.committee_id is None:
        return MicroProject.objects.none()
    visible = Q(status__in=PUBLIC_STATUSES)
    if roles.group_id:
        visible |= Q(group_id=roles.group_id)
    if roles.led_group_ids:
        visible |= Q(group_id__in=roles.led_group_ids)
    if roles.led_branch_ids:
        visible |= Q(group__branch_id__in=roles.led_branch_ids)
    if roles.is_committee_member:
        visible |= ~Q(status=ProjectStatus.DRAFT)
    return MicroProject.objects.filter(committee_id=roles.committee_id).filter(visible)


@dataclass(frozen=True)
class ProjectFilter:
    query: str = ""
    status: str = ""
    project_type_id: int | None = None
    branch_id: int | None = None
    group_id: int | None = None
    school_year: str = ""
    include_withdrawn: bool = False


def project_list(user, project_filter: ProjectFilter) -> QuerySet[MicroProject]:
    """Rows of the project list, with group, branch and type joined in."""
    projects = projects_visible_to(user).select_related("group", "group__branch", "project_type")
    if project_filter.status:
        projects = projects.filter(status=project_filter.status)
    elif not project_filter.include_withdrawn:
        projects = projects.exclude(status=ProjectStatus.WITHDRAWN)
    if project_filter.query:
        projects = projects.filter(title__icontains=project_filter.query.strip())
    if project_filter.project_type_id:
        projects = projects.filter(project_type_id=project_filter.project_type_id)
    if project_filter.branch_id:
        projects = projects.filter(group__branch_id=project_filter.branch_id)
    if project_filter.group_id:
        projects = projects.filter(group_id=project_filter.group_id)
    if project_filter.school_year:
        projects = projects.filter(school_year=project_filter.school_year)
    return projects.order_by("-updated_at", "-pk")


_EVENT_FIELDS = (
    "project_id",
    "actor_id",
    "action",
    "from_status",
    "to_status",
    "review_round",
    "comment",
    "created_at",
)


def project_detail(user, project_id: int) -> MicroProject | None:
    """One project the user may see, with its plan, targets, participants and timeline loaded.

    Who reviewed, and when, stays within the committee: reviewers are anonymous to the group
    (the first score sheet also opens the review, so that event names a reviewer too).
    """
    # The page shows names only: the events' and participants' rows carry no more than it writes
    # (and the details the decision's record reads, `review_selectors.decision_in`).
    events = (
        ProjectEvent.objects.select_related("actor__member")
        .only(*_EVENT_FIELDS, "details", "actor__username", "actor__member__name")
        .order_by("created_at", "pk")
    )
    if not roles_of(user).is_committee_member:
        events = events.exclude(action__in=[EventAction.REVIEW_STARTED, EventAction.SCORED, EventAction.SCORE_CHANGED])
    return (
        projects_visible_to(user)
        .select_related("group__branch", "project_type")
        .prefetch_related(
            "phases",
            Prefetch("targets", queryset=targets_in_order()),
            Prefetch("participants", queryset=Member.objects.only("id", "name").order_by("name")),
            Prefetch("events", queryset=events),
        )
        .filter(pk=project_id)
        .first()
    )


def targets_in_order():
    """A project's targets with their indicators, in the catalogue's order (for a Prefetch)."""
    return ProjectTarget.objects.select_related("indicator").order_by("indicator__position", "pk")


def project_types_of(user, *, active_only: bool = True) -> QuerySet[ProjectType]:
    committee_id = roles_of(user).committee_id
    types = ProjectType.objects.filter(committee_id=committee_id)
    return types.filter(is_active=True) if active_only else types


def indicators_of(user, *, active_only: bool = True) -> QuerySet[Indicator]:
    committee_id = roles_of(user).committee_id
    indicators = Indicator.objects.filter(committee_id=committee_id).select_related("project_type")
    return indicators.filter(is_active=True) if active_only else indicators


def rubric_of(user, *, active_only: bool = True) -> QuerySet[RubricCriterion]:
    committee_id = roles_of(user).committee_id
    criteria = RubricCriterion.objects.filter(committee_id=committee_id)
    return criteria.filter(is_active=True) if active_only else criteria


def participant_choices(group) -> QuerySet[Member]:
    """Members a group may name as participants: the active members of its branch."""
    return (
        Member.objects.filter(group__branch_id=group.branch_id, is_active=True)
        .select_related("group")
        .order_by("group__position", "name")
    )


def school_years_of(user) -> list[str]:
    return list(projects_visible_to(user).order_by("-school_year").values_list("school_year", flat=True).distinct())


@dataclass(frozen=True)
class SharedReview:
    review_round: int
    reviewer_label: str
    recommendation: str
    comment: str


def shared_review_comments(project: MicroProject) -> list[SharedReview]:
    """Reviewers' comments of decided rounds, without names (评审人 A, B, …), newest round first."""
    decided_statuses = {ProjectStatus.APPROVED, ProjectStatus.RETURNED, ProjectStatus.REJECTED}
    decided_statuses |= set(PUBLIC_STATUSES)
    last_round = project.review_round if project.status in decided_statuses else project.review_round - 1
    sheets = ScoreSheet.objects.filter(project=project, review_round__lte=last_round).order_by(
        "-review_round", "created_at", "pk"
    )
    shared, letters, current_round, index = [], "ABCDEFGHIJKLMNOPQRSTUVWXYZ", None, 0
    for sheet in sheets:
        if sheet.review_round != current_round:
            current_round, index = sheet.review_round, 0
        shared.append(
            SharedReview(
                review_round=sheet.review_round,
                reviewer_label=f"评审人 {letters[index % 26]}",
                recommendation=sheet.get_recommendation_display(),
                comment=sheet.comment,
            )
        )
        index += 1
    return shared


def projects_needing_group_action(user) -> list[MicroProject]:
    """Applications of the groups the user leads that wait on the group: drafts and returned ones."""
    led_group_ids = roles_of(user).led_group_ids
    if not led_group_ids:
        return []
    return list(
        projects_visible_to(user)
        .filter(group_id__in=led_group_ids, status__in=(ProjectStatus.DRAFT, ProjectStatus.RETURNED))
        .select_related("group")
        .order_by("-updated_at")
    )


def projects_awaiting_decision(user) -> list[MicroProject]:
    """For the secretary: applications in review, waiting on her decision."""
    if not roles_of(user).is_secretary:
        return []
    return list(projects_visible_to(user).filter(status=ProjectStatus.IN_REVIEW).select_related("group"))


def projects_of_group(user, group_id: int) -> list[MicroProject]:
    """A group's projects the user may see, newest first (one query)."""
    return list(
        projects_visible_to(user)
        .filter(group_id=group_id)
        .exclude(status=ProjectStatus.WITHDRAWN)
        .select_related("project_type")
        .order_by("-school_year", "-updated_at")
    )


@dataclass(frozen=True)
class CatalogueChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class CatalogueRecord:
    event: CatalogueEvent
    actor_name: str
    changes: list[CatalogueChange]


CATALOGUE_MODELS = {
    CatalogueKindName.PROJECT_TYPE: ProjectType,
    CatalogueKindName.INDICATOR: Indicator,
    CatalogueKindName.CRITERION: RubricCriterion,
}


def catalogue_records_of(user, *, limit: int) -> list[CatalogueRecord]:
    """The latest changes to the user's committee's catalogue, newest first (one query)."""
    events = (
        CatalogueEvent.objects.filter(committee_id=roles_of(user).committee_id)
        .select_related("actor", "actor__member")
        .order_by("-created_at", "-pk")[:limit]
    )
    records = []
    for event in events:
        model = CATALOGUE_MODELS[event.item_kind]
        member = getattr(event.actor, "member", None)
        records.append(
            CatalogueRecord(
                event=event,
                actor_name=member.name if member is not None else event.actor.get_username(),
                changes=[
                    CatalogueChange(str(model._meta.get_field(name).verbose_name), before, after)
                    for name, (before, after) in event.changes.items()
                ],
            )
        )
    return records
