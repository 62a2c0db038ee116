from django.utils.functional import SimpleLazyObject

from .models import Notification
from .roles import member_of, roles_of


def current_member(request) -> dict:
    """The user's roles and member profile, for navigation and the page shell.

    Permission checks go through `{% has_perm %}`; these only label things.
    The member, its committee and `unread_notifications` (the navbar's badge) come with the
    query that loads the user's roles, which every page asks anyway, so the shell costs no
    query of its own; only a login without a member profile pays one COUNT for its badge, and
    only when a template shows it.
    """
    user = getattr(request, "user", None)
    roles = roles_of(user)
    member = member_of(user)

    def count_unread() -> int:
        if user is None or not user.is_authenticated:
            return 0
        if member is not None:
            return member.unread_notifications
        return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()

    return {"roles": roles, "current_member": member, "unread_notifications": SimpleLazyObject(count_unread)}
