from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.functional import SimpleLazyObject

from .models import Member, Notification
from .roles import roles_of


def current_member(request) -> dict:
    """The user's roles and member profile, for navigation and the page shell.

    Permission checks go through `{% has_perm %}`; these only label things.
    `unread_notifications` is the navbar's badge: a COUNT carried by the same query that
    loads the member, so the shell costs no extra query; only a login without a member
    profile pays one COUNT of its own. Both are evaluated only when a template shows them.
    """
    user = getattr(request, "user", None)
    roles = roles_of(user)

    def load_member():
        if roles.member_id is None:
            return None
        unread = (
            Notification.objects.filter(recipient_id=OuterRef("user_id"), read_at__isnull=True)
            .order_by()
            .values("recipient_id")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return (
            Member.objects.select_related("committee")
            .annotate(unread_notifications=Coalesce(Subquery(unread), Value(0), output_field=IntegerField()))
            .filter(pk=roles.member_id)
            .first()
        )

    member = SimpleLazyObject(load_member)

    def count_unread() -> int:
        if user is None or not user.is_authenticated:
            return 0
        if roles.member_id is not None and member:
            return member.unread_notifications
        return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()

    return {"roles": roles, "current_member": member, "unread_notifications": SimpleLazyObject(count_unread)}
