"""Django's model permissions, asked for staff only: the portal's own permissions are the rules."""

from django.contrib.auth.backends import ModelBackend


class StaffModelBackend(ModelBackend):
    """Logins as ModelBackend; model permissions only for staff, the only users of the admin site.

    The portal asks `rules` (members/rules.py and each app's rules.py) for every permission;
    Django's model permissions only open admin pages. Asked for a user who is not staff, they
    answered nothing but cost two queries (the user's and their groups' permissions) on every
    page where a rule said no, e.g. a menu item a teacher does not get.
    """

    def get_user_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_staff:
            return set()
        return super().get_user_permissions(user_obj, obj)

    def get_group_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_staff:
            return set()
        return super().get_group_permissions(user_obj, obj)
