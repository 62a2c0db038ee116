from django.utils.functional import SimpleLazyObject

from .roles import roles_of


def current_member(request) -> dict:
    """The user's roles and member profile, for navigation and the page shell.

    Permission checks go through `{% has_perm %}`; these only label things.
    """
    user = getattr(request, "user", None)
    roles = roles_of(user)

    def load_member():
        from .models import Member

        if roles.member_id is None:
            return None
        return Member.objects.select_related("committee").filter(pk=roles.member_id).first()

    return {"roles": roles, "current_member": SimpleLazyObject(load_member)}
