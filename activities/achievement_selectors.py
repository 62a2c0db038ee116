"""Reads of achievements: the tabs of the list, one achievement, what waits for verification, the form's choices.

Everything is scoped to the user's committee; a tab the user has no right to is empty.
"""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from branches.models import Committee
from members.models import Member
from members.roles import roles_of
from projects.enums import PUBLIC_STATUSES
from projects.models import MicroProject
from projects.selectors import projects_visible_to

from .enums import AchievementLevel, AchievementStatus
from .models import Achievement, AchievementRevision

# The fields a row of the achievement list shows (and its status badge and link).
LIST_ROW_FIELDS = (
    "pk",
    "title",
    "kind",
    "level",
    "rank",
    "awarded_on",
    "is_committee_honour",
    "pupils",
    "project",
    "status",
    "rejection_reason",
)


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


class Tab:
    PENDING = "pending"
    MINE = "mine"
    GROUP = "group"
    ALL = "all"


def tabs_of(user) -> list[str]:
    """The list's tabs the user may open: 待认定 for the committee, 我的成果 always, 本组成果 for leaders,
    全校成果 for the committee."""
    roles = roles_of(user)
    tabs = [Tab.PENDING] if roles.is_committee_member else []
    tabs.append(Tab.MINE)
    if roles.led_group_ids:
        tabs.append(Tab.GROUP)
    if roles.is_committee_member:
        tabs.append(Tab.ALL)
    return tabs


@dataclass(frozen=True)
class AchievementFilter:
    tab: str = Tab.MINE
    kind: str = ""
    level: str = ""
    status: str = ""


def _tab_condition(user, tab: str) -> Q | None:
    roles = roles_of(user)
    if tab == Tab.MINE:
        mine = Q(recorded_by_id=user.pk)
        if roles.member_id:
            mine |= Q(members__id=roles.member_id)
        return mine
    if tab == Tab.GROUP and roles.led_group_ids:
        return Q(members__group_id__in=roles.led_group_ids) | Q(project__group_id__in=roles.led_group_ids)
    if tab == Tab.ALL and roles.is_committee_member:
        return Q()
    if tab == Tab.PENDING and roles.is_committee_member:
        return Q(status=AchievementStatus.PENDING)
    return None


def achievement_list(user, achievement_filter: AchievementFilter) -> QuerySet[Achievement]:
    """Rows of one tab of the achievement list, newest first, with recorder, project and members loaded."""
    committee_id = roles_of(user).committee_id
    condition = _tab_condition(user, achievement_filter.tab)
    if committee_id is None or condition is None:
        return Achievement.objects.none()
    achievements = Achievement.objects.filter(condition, committee_id=committee_id)
    if achievement_filter.tab in (Tab.MINE, Tab.GROUP):
        # These tabs look through the credited members, which may repeat a row (one per
        # member): select ids, then the rows. The others filter the achievements themselves.
        achievements = Achievement.objects.filter(pk__in=achievements.values("pk"))
    if achievement_filter.kind:
        achievements = achievements.filter(kind=achievement_filter.kind)
    if achievement_filter.level:
        achievements = achievements.filter(level=achievement_filter.level)
    if achievement_filter.status:
        achievements = achievements.filter(status=achievement_filter.status)
    # Only what a row shows (activities/achievement_list.html): the members' and the project's
    # whole rows were most of the page's database time.
    return (
        achievements.select_related("project")
        .only(*LIST_ROW_FIELDS, "project__title")
        .prefetch_related(Prefetch("members", queryset=Member.objects.only("pk", "name")))
        .order_by("-awarded_on", "-pk")
    )


def achievement_detail(user, achievement_id: int) -> Achievement | None:
    """One achievement of the user's committee with everything its page shows, else None (404)."""
    committee_id = roles_of(user).committee_id
    if committee_id is None:
        return None
    return (
        Achievement.objects.filter(pk=achievement_id, committee_id=committee_id)
        .select_related("recorded_by__member", "verified_by__member", "project", "project__group")
        .prefetch_related(
            "members__group",
            Prefetch("revisions", queryset=AchievementRevision.objects.select_related("edited_by__member")),
        )
        .first()
    )


def pending_achievement_count(user) -> int:
    """How many achievements of the committee wait for verification (0 outside the committee)."""
    roles = roles_of(user)
    if not roles.is_committee_member:
        return 0
    return Achievement.objects.filter(committee_id=roles.committee_id, status=AchievementStatus.PENDING).count()


def creditable_members(user) -> QuerySet[Member]:
    """Whom the user may credit: themself; a leader also their groups; the committee anyone of the school."""
    roles = roles_of(user)
    if roles.committee_id is None:
        return Member.objects.none()
    members = Member.objects.filter(committee_id=roles.committee_id, is_active=True)
    if not roles.is_committee_member:
        members = members.filter(Q(pk=roles.member_id) | Q(group_id__in=roles.led_group_ids))
    return members.select_related("group").order_by("group__branch__position", "group__position", "name")


def linkable_projects(user) -> QuerySet[MicroProject]:
    """Approved projects the user can see, which an achievement may name as its source."""
    return (
        projects_visible_to(user)
        .filter(status__in=PUBLIC_STATUSES)
        .select_related("group")
        .order_by("-school_year", "group__branch__position", "group__position", "title")
    )
