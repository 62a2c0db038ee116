"""A repeated post of the delegation form (double tap, reload, retry) makes one delegation."""

import uuid

from django.urls import reverse

from activities.models import ActivityDelegation
from members.models import Member, Notification, User
from tests.activities.conftest import in_progress_of
from tests.form_fields import form_fields


def test_a_grant_posted_twice_is_one_delegation_and_one_notice(login, leader_a, teacher, open_project):
    client = login(leader_a)
    page = client.get(reverse("activities:delegation_list", args=[open_project.pk])).content.decode()
    assert "data-submit-once" in page
    url = reverse("activities:delegation_grant", args=[open_project.pk])
    data = {"member": Member.objects.get(user=teacher).pk, "client_id": form_fields(page, action=url)["client_id"]}

    first, second = client.post(url, data), client.post(url, data)

    delegation = ActivityDelegation.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("activities:delegation_list", args=[open_project.pk])
    assert (str(delegation.client_id), delegation.member.user, delegation.revoked_at) == (
        data["client_id"],
        teacher,
        None,
    )
    assert Notification.objects.filter(recipient=teacher).count() == 1
    assert "已授权" in client.get(second["Location"]).content.decode()


def test_a_second_grant_with_a_new_id_is_still_refused(login, leader_a, teacher, open_project):
    client = login(leader_a)
    url = reverse("activities:delegation_grant", args=[open_project.pk])
    member = Member.objects.get(user=teacher).pk
    client.post(url, {"member": member, "client_id": str(uuid.uuid4())})

    response = client.post(url, {"member": member, "client_id": str(uuid.uuid4())})

    assert response.status_code == 200 and "已获授权" in response.content.decode()
    assert ActivityDelegation.objects.count() == 1


def test_another_users_one_time_id_is_refused_for_a_grant(login, leader_a, leader_b, teacher, open_project):
    client_id = str(uuid.uuid4())
    login(leader_a).post(
        reverse("activities:delegation_grant", args=[open_project.pk]),
        {"member": Member.objects.get(user=teacher).pk, "client_id": client_id},
    )
    theirs = ActivityDelegation.objects.get()
    project_b = in_progress_of(leader_b)

    response = login(leader_b).post(
        reverse("activities:delegation_grant", args=[project_b.pk]),
        {"member": Member.objects.get(user=User.objects.get(username="teacher2")).pk, "client_id": client_id},
    )

    assert response.status_code == 200
    assert "这份表单的提交编号已被使用，请刷新页面后重新填写。" in response.content.decode()
    assert list(ActivityDelegation.objects.values_list("pk", "project_id", "member_id")) == [
        (theirs.pk, open_project.pk, theirs.member_id)
    ]
