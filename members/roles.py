"""Who a user is in their school: loaded once per request and cached on the user object.

Every permission predicate and selector reads this instead of querying posts itself, so a
page asks the same two queries however many permission checks it renders: the member row
(which also carries what the page shell shows, see `member_of`) and the posts it leads.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from branches.models import Branch, District, Group

from .enums import CommitteeRole, Position
from .models import Member, Notification


@dataclass(frozen=True)
class Roles:
    member_id: int | None = None
    committee_id: int | None = None
    group_id: int | None = None
    branch_id: int | None = None
    committee_role: str = CommitteeRole.NONE
    led_branch_ids: frozenset[int] = field(default_factory=frozenset)
    led_group_ids: frozenset[int] = field(default_factory=frozenset)
    oversees_district: bool = False  # a district officer (教育片区督导) who is also a member

    @property
    def is_secretary(self) -> bool:
        return self.committee_role == CommitteeRole.SECRETARY

    @property
    def is_committee_member(self) -> bool:
        """Secretary or committee member: sees and reviews everything in the committee."""
        return self.committee_role in (CommitteeRole.SECRETARY, CommitteeRole.MEMBER)

    @property
    def is_branch_secretary(self) -> bool:
        return bool(self.led_branch_ids)

    @property
    def is_group_leader(self) -> bool:
        return bool(self.led_group_ids)

    @property
    def positions(self) -> list[Position]:
        found = []
        if self.is_secretary:
            found.append(Position.SECRETARY)
        elif self.committee_role == CommitteeRole.MEMBER:
            found.append(Position.COMMITTEE_MEMBER)
        if self.is_branch_secretary:
            found.append(Position.BRANCH_SECRETARY)
        if self.is_group_leader:
            found.append(Position.GROUP_LEADER)
        if self.member_id and not found:
            found.append(Position.TEACHER)
        return found


NO_ROLES = Roles()
_CACHE_ATTRIBUTE = "_dangjian_roles"
_MEMBER_ATTRIBUTE = "_dangjian_member"
# The kind column of the led-posts query: which table a led id comes from.
_LED_BRANCH, _LED_GROUP = 1, 2


def roles_of(user) -> Roles:
    """The user's posts in their committee (empty for anonymous users and unlinked logins)."""
    if user is None or not user.is_authenticated:
        return NO_ROLES
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    member = _active_member(user)
    if member is None:
        roles = NO_ROLES
    else:
        led_branch_ids, led_group_ids = _led_ids(member.pk)
        roles = Roles(
            member_id=member.pk,
            committee_id=member.committee_id,
            group_id=member.group_id,
            branch_id=member.group.branch_id if member.group_id else None,
            committee_role=member.committee_role,
            led_branch_ids=led_branch_ids,
            led_group_ids=led_group_ids,
            oversees_district=member.oversees_district,
        )
    setattr(user, _MEMBER_ATTRIBUTE, member)
    setattr(user, _CACHE_ATTRIBUTE, roles)
    return roles


def member_of(user) -> Member | None:
    """The user's active member profile as the page shell shows it, read by `roles_of`'s query.

    Its committee is loaded with it and `unread_notifications` is the navbar's badge count, as
    it stood when the request first asked for the user's roles (writes answer with a redirect).
    """
    roles_of(user)
    return getattr(user, _MEMBER_ATTRIBUTE, None)


def _active_member(user) -> Member | None:
    # Whole rows, no .only(): the shell reads the member's and the committee's fields, and a
    # deferred one would cost a query of its own; one row each is no dearer to read whole.
    unread = (
        Notification.objects.filter(recipient_id=OuterRef("user_id"), read_at__isnull=True)
        .order_by()
        .values("recipient_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        Member.objects.filter(user_id=user.pk, is_active=True)
        .select_related("group", "committee")
        .annotate(
            oversees_district=Exists(District.objects.filter(overseers=user.pk)),
            unread_notifications=Coalesce(Subquery(unread), Value(0), output_field=IntegerField()),
        )
        .first()
    )


def _led_ids(member_id: int) -> tuple[frozenset[int], frozenset[int]]:
    """The ids of the branches and of the groups the member leads, in one query (UNION ALL)."""
    branches = (
        Branch.objects.filter(secretary_id=member_id)
        .order_by()
        .annotate(kind=Value(_LED_BRANCH, output_field=IntegerField()))
        .values_list("kind", "pk")
    )
    groups = (
        Group.objects.filter(leader_id=member_id)
        .order_by()
        .annotate(kind=Value(_LED_GROUP, output_field=IntegerField()))
        .values_list("kind", "pk")
    )
    led_branch_ids, led_group_ids = set(), set()
    for kind, pk in branches.union(groups, all=True):
        (led_branch_ids if kind == _LED_BRANCH else led_group_ids).add(pk)
    return frozenset(led_branch_ids), frozenset(led_group_ids)
