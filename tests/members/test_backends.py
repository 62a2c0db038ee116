"""Django's model permissions are asked for staff only (members.backends.StaffModelBackend)."""

from django.contrib.auth.models import Permission

from members.models import User


def _with_model_permission(username: str, *, is_staff: bool) -> User:
    user = User.objects.create_user(username=username, password="x-long-enough-1", is_staff=is_staff)
    user.user_permissions.add(Permission.objects.get(codename="view_microproject"))
    return User.objects.get(pk=user.pk)  # a fresh object: no permission cache


def test_staff_keep_their_model_permissions_for_the_admin_site(db, client):
    staff = _with_model_permission("admin-helper", is_staff=True)
    assert staff.has_perm("projects.view_microproject")
    client.force_login(staff)
    assert client.get("/admin/projects/microproject/").status_code == 200


def test_a_user_who_is_not_staff_is_not_asked_about_model_permissions(db, django_assert_num_queries):
    teacher = _with_model_permission("plain-teacher", is_staff=False)
    with django_assert_num_queries(0):  # no look-up of the user's or their groups' permissions
        assert not teacher.has_perm("projects.view_microproject")
    # Logging in is unchanged.
    assert User.objects.get(username="plain-teacher").check_password("x-long-enough-1")
