"""What every page pays: the user's roles and the page shell's member, read in a fixed few queries.

The floor view (bench/urls.py: base.html for a logged-in user, no data) runs the session, the
user, the member row (roles, committee and unread count in one) and the posts the member leads
(branches and groups in one UNION ALL), whatever the user's posts and notifications.
"""

import pytest
from django.urls import reverse

from branches.models import Branch, Group
from members.enums import Position
from members.models import Notification, User
from members.roles import member_of, roles_of
from members.services import notification_send

pytestmark = pytest.mark.urls("bench.urls")

FLOOR_QUERIES = 4


def _floor(client) -> str:
    response = client.get(reverse("bench_floor"))
    assert response.status_code == 200
    return response.content.decode()


def _lead_more_groups(user: User, count: int) -> None:
    """Make the user's member lead `count` new groups of their own branch (a larger school)."""
    member = user.member
    branch = Branch.objects.filter(committee_id=member.committee_id).first()
    Group.objects.bulk_create(
        [Group(branch=branch, name=f"新党小组{index}", position=50 + index, leader=member) for index in range(count)]
    )


@pytest.mark.parametrize("username", ["leader1", "secretary", "teacher1"])
def test_the_floor_runs_the_same_queries_whatever_the_posts_and_notices(
    demo_schools, login, username, django_assert_num_queries
):
    user = User.objects.get(username=username)
    client = login(user)
    _floor(client)  # the first page after login also stores the session
    with django_assert_num_queries(FLOOR_QUERIES):
        page = _floor(client)
    member = user.member
    assert member.name in page and f"{member.committee.school_name} ·" in page  # the navbar's name, the footer's school

    _lead_more_groups(user, 5)
    for index in range(13):
        notification_send(recipients=[user], message=f"第 {index} 条通知")
    with django_assert_num_queries(FLOOR_QUERIES):
        page = _floor(client)
    assert 'data-testid="unread-count">13<' in page


def test_the_unread_badge_follows_notices_read_and_new(demo_schools, login, leader_a):
    client = login(leader_a)
    assert 'data-testid="unread-count"' not in _floor(client)

    for message in ("第一条", "第二条", "第三条"):
        notification_send(recipients=[leader_a], message=message)
    assert 'data-testid="unread-count">3<' in _floor(client)

    first = Notification.objects.filter(recipient=leader_a).order_by("pk").first()
    client.post(reverse("members:notifications_read"), {"notification": first.pk})
    assert 'data-testid="unread-count">2<' in _floor(client)

    notification_send(recipients=[leader_a], message="第四条")
    assert 'data-testid="unread-count">3<' in _floor(client)

    client.post(reverse("members:notifications_read"))
    assert not Notification.objects.filter(recipient=leader_a, read_at__isnull=True).exists()
    assert 'data-testid="unread-count"' not in _floor(client)


def test_a_badge_counts_only_the_users_own_unread_notices(demo_schools, login, leader_a, leader_b):
    notification_send(recipients=[leader_b, leader_b], message="给第二党小组长")
    notification_send(recipients=[leader_b], message="又一条")
    notification_send(recipients=[leader_a], message="给第一党小组长")
    assert 'data-testid="unread-count">1<' in _floor(login(leader_a))
    assert 'data-testid="unread-count">2<' in _floor(login(leader_b))


def test_a_member_leading_a_branch_and_a_group_has_both_posts(daping, branch_secretary, django_assert_num_queries):
    member = branch_secretary.member
    led_branch = Branch.objects.get(secretary=member)
    other_groups = Group.objects.exclude(branch=led_branch).filter(branch__committee_id=member.committee_id)
    led_group = other_groups.first()
    led_group.leader = member
    led_group.save(update_fields=["leader"])

    user = User.objects.get(pk=branch_secretary.pk)  # a fresh object: nothing cached on it yet
    with django_assert_num_queries(2):  # the member row, then the branches and groups it leads
        roles = roles_of(user)
    assert roles.led_branch_ids == {led_branch.pk}
    assert roles.led_group_ids == {led_group.pk}
    assert roles.is_branch_secretary and roles.is_group_leader
    assert roles.positions == [Position.BRANCH_SECRETARY, Position.GROUP_LEADER]

    with django_assert_num_queries(0):  # cached on the user, the shell's member with them
        assert roles_of(user) is roles
        shell_member = member_of(user)
        assert (shell_member.name, shell_member.committee.school_name) == (member.name, daping.school_name)
        assert shell_member.unread_notifications == 0


def test_a_teacher_leads_nothing(demo_schools, teacher):
    user = User.objects.get(pk=teacher.pk)
    roles = roles_of(user)
    assert roles.led_branch_ids == frozenset() and roles.led_group_ids == frozenset()
    assert roles.positions == [Position.TEACHER]


def test_a_login_without_a_member_profile_has_no_roles_and_no_shell_member(db, django_assert_num_queries):
    user = User.objects.create_user(username="unlinked", password="x")
    with django_assert_num_queries(1):  # the member row it does not have; no posts asked
        assert roles_of(user).member_id is None
    assert member_of(user) is None
