"""Delegated activity logging: a leader lets members of the group file and edit a project's logs."""

import pytest
from django.urls import reverse

from activities import activity_services, delegation_services
from activities.errors import ActivityError
from activities.models import ActivityDelegation, ActivityLog
from members.models import Member, Notification, User
from projects import services as project_services
from tests.activities.conftest import tutoring_data
from tests.activities.test_activity_views import _post_data


def member_of(user: User) -> Member:
    return Member.objects.get(user=user)


def granted(leader: User, project, user: User) -> ActivityDelegation:
    return delegation_services.delegation_grant(actor=leader, project=project, member=member_of(user))


def _logs() -> list[tuple]:
    return list(ActivityLog.objects.order_by("pk").values_list("pk", "title", "created_by_id", "is_archived"))


def test_leader_grants_on_the_page_and_the_delegate_is_told(login, leader_a, teacher, open_project):
    client = login(leader_a)
    page = client.get(reverse("activities:delegation_list", args=[open_project.pk]))
    assert page.status_code == 200
    choices = [member.name for member in page.context["form"].fields["member"].queryset]
    assert "张玺" in choices and "袁懿" not in choices  # the leader needs no delegation
    response = client.post(
        reverse("activities:delegation_grant", args=[open_project.pk]), {"member": member_of(teacher).pk}
    )
    assert response.status_code == 302
    delegation = ActivityDelegation.objects.get()
    assert (delegation.project, delegation.member, delegation.granted_by, delegation.revoked_at) == (
        open_project,
        member_of(teacher),
        leader_a,
        None,
    )
    html = client.get(response["Location"]).content.decode()
    assert html.count('data-testid="active-delegation"') == 1 and "张玺" in html
    assert Notification.objects.filter(recipient=teacher, message__contains=open_project.title).exists()


def test_delegate_creates_and_edits_a_log_but_does_not_archive_it(login, leader_a, teacher, open_project):
    granted(leader_a, open_project, teacher)
    client = login(teacher)
    project_page = client.get(reverse("projects:detail", args=[open_project.pk])).content.decode()
    assert 'data-testid="add-activity"' in project_page
    response = client.post(
        reverse("activities:activity_create", args=[open_project.pk]), _post_data(open_project, title="代组长记录")
    )
    assert response.status_code == 302
    activity = ActivityLog.objects.get()
    assert (activity.title, activity.created_by, activity.project) == ("代组长记录", teacher, open_project)

    edited = client.post(
        reverse("activities:activity_edit", args=[activity.pk]), _post_data(open_project, title="代组长记录（修改）")
    )
    assert edited.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "代组长记录（修改）"
    assert activity.revisions.get().snapshot["title"] == "代组长记录"

    # Archiving stays with the leader: it takes the figures out of the project's progress.
    assert client.post(reverse("activities:activity_archive", args=[activity.pk])).status_code == 403
    activity.refresh_from_db()
    assert not activity.is_archived
    detail = client.get(reverse("activities:activity_detail", args=[activity.pk])).content.decode()
    assert reverse("activities:activity_edit", args=[activity.pk]) in detail and "archive-confirm" not in detail


def test_delegate_edits_a_log_the_leader_filed(leader_a, teacher, activity):
    granted(leader_a, activity.project, teacher)
    activity_services.activity_log_update(
        actor=teacher, activity=activity, data=tutoring_data(activity.project, title="组长的记录，受托修改")
    )
    activity.refresh_from_db()
    assert activity.title == "组长的记录，受托修改" and activity.revisions.get().edited_by == teacher


def test_a_teacher_without_delegation_is_refused(login, leader_a, teacher, branch_secretary, activity):
    granted(leader_a, activity.project, branch_secretary)  # a colleague is delegated, not this teacher
    before = _logs()
    client = login(teacher)
    assert client.get(reverse("activities:activity_create", args=[activity.project_id])).status_code == 403
    created = client.post(
        reverse("activities:activity_create", args=[activity.project_id]), _post_data(activity.project)
    )
    assert created.status_code == 403
    edited = client.post(
        reverse("activities:activity_edit", args=[activity.pk]), _post_data(activity.project, title="未授权修改")
    )
    assert edited.status_code == 403
    assert _logs() == before
    with pytest.raises(ActivityError):
        activity_services.activity_log_create(
            actor=teacher, project=activity.project, data=tutoring_data(activity.project)
        )
    assert _logs() == before


def test_a_revoked_delegate_is_refused_and_the_revocation_is_on_record(login, leader_a, teacher, activity):
    delegation = granted(leader_a, activity.project, teacher)
    response = login(leader_a).post(reverse("activities:delegation_revoke", args=[delegation.pk]))
    assert response.status_code == 302
    delegation.refresh_from_db()
    assert delegation.revoked_by == leader_a and delegation.revoked_at is not None

    before = _logs()
    client = login(teacher)
    created = client.post(
        reverse("activities:activity_create", args=[activity.project_id]), _post_data(activity.project)
    )
    edited = client.post(
        reverse("activities:activity_edit", args=[activity.pk]), _post_data(activity.project, title="撤销后修改")
    )
    assert (created.status_code, edited.status_code) == (403, 403)
    assert _logs() == before
    page = client.get(reverse("activities:delegation_list", args=[activity.project_id])).content.decode()
    assert page.count('data-testid="revoked-delegation"') == 1 and "暂无授权" in page

    # Revoking twice changes nothing; granting again is a new row, the old one stays.
    with pytest.raises(ActivityError):
        delegation_services.delegation_revoke(actor=leader_a, delegation=delegation)
    again = granted(leader_a, activity.project, teacher)
    assert again.pk != delegation.pk and ActivityDelegation.objects.count() == 2


def test_a_delegate_cannot_log_once_the_project_is_concluded(leader_a, teacher, secretary, open_project):
    granted(leader_a, open_project, teacher)
    project_services.project_conclude(actor=secretary, project=open_project, comment="按期完成。")
    with pytest.raises(ActivityError):
        activity_services.activity_log_create(actor=teacher, project=open_project, data=tutoring_data(open_project))
    assert not ActivityLog.objects.exists()


def test_a_delegate_who_leaves_the_group_loses_the_right(login, leader_a, leader_b, teacher, open_project):
    granted(leader_a, open_project, teacher)
    member = member_of(teacher)
    member.group_id = member_of(leader_b).group_id
    member.save(update_fields=["group"])
    response = login(teacher).post(
        reverse("activities:activity_create", args=[open_project.pk]), _post_data(open_project)
    )
    assert response.status_code in (403, 404)
    assert not ActivityLog.objects.exists()


def test_leader_of_another_group_cannot_delegate(login, leader_a, leader_b, teacher, open_project):
    client = login(leader_b)
    assert client.get(reverse("activities:delegation_list", args=[open_project.pk])).context["form"] is None
    response = client.post(
        reverse("activities:delegation_grant", args=[open_project.pk]), {"member": member_of(teacher).pk}
    )
    assert response.status_code == 403
    with pytest.raises(ActivityError):
        granted(leader_b, open_project, teacher)
    assert not ActivityDelegation.objects.exists()

    delegation = granted(leader_a, open_project, teacher)
    assert client.post(reverse("activities:delegation_revoke", args=[delegation.pk])).status_code == 403
    delegation.refresh_from_db()
    assert delegation.revoked_at is None and delegation.revoked_by is None


def test_only_members_of_the_group_with_a_login_can_be_delegated(login, leader_a, leader_b, open_project):
    outsider = member_of(leader_b)
    response = login(leader_a).post(
        reverse("activities:delegation_grant", args=[open_project.pk]), {"member": outsider.pk}
    )
    assert response.status_code == 200 and "member" in response.context["form"].errors
    for member, message in (
        (outsider, "不是本党小组的党员"),
        (member_of(leader_a), "无需授权"),
        (Member.objects.get(name="李晓燕"), "没有登录账号"),
    ):
        with pytest.raises(ActivityError, match=message):
            delegation_services.delegation_grant(actor=leader_a, project=open_project, member=member)
    assert not ActivityDelegation.objects.exists()


def test_a_teacher_sees_the_page_but_cannot_grant(login, leader_a, teacher, open_project):
    granted(leader_a, open_project, teacher)
    page = login(teacher).get(reverse("activities:delegation_list", args=[open_project.pk]))
    html = page.content.decode()
    assert page.context["form"] is None and "撤销授权" not in html
    assert 'data-testid="delegate-add-activity"' in html  # the delegate's own way in
    before = list(ActivityDelegation.objects.values_list("pk", "revoked_at"))
    delegation = ActivityDelegation.objects.get()
    assert login(teacher).post(reverse("activities:delegation_revoke", args=[delegation.pk])).status_code == 403
    assert list(ActivityDelegation.objects.values_list("pk", "revoked_at")) == before


def test_another_school_gets_404(login, leader_a, teacher, other_school_user, open_project):
    delegation = granted(leader_a, open_project, teacher)
    client = login(other_school_user)
    assert client.get(reverse("activities:delegation_list", args=[open_project.pk])).status_code == 404
    grant = client.post(
        reverse("activities:delegation_grant", args=[open_project.pk]), {"member": member_of(teacher).pk}
    )
    revoke = client.post(reverse("activities:delegation_revoke", args=[delegation.pk]))
    assert (grant.status_code, revoke.status_code) == (404, 404)
    delegation.refresh_from_db()
    assert delegation.revoked_at is None and ActivityDelegation.objects.count() == 1


def test_delegation_page_runs_a_fixed_number_of_queries(
    login, leader_a, teacher, branch_secretary, open_project, django_assert_num_queries
):
    client = login(leader_a)
    url = reverse("activities:delegation_list", args=[open_project.pk])
    granted(leader_a, open_project, teacher)
    client.get(url)
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.content.decode().count('data-testid="active-delegation"') == 1
    for _ in range(4):
        delegation_services.delegation_revoke(
            actor=leader_a, delegation=ActivityDelegation.objects.get(revoked_at__isnull=True, member__user=teacher)
        )
        granted(leader_a, open_project, teacher)
    granted(leader_a, open_project, branch_secretary)
    with django_assert_num_queries(7):
        response = client.get(url)
    html = response.content.decode()
    assert html.count('data-testid="active-delegation"') == 2
    assert html.count('data-testid="revoked-delegation"') == 4


def test_project_page_links_the_delegation_page_for_the_leader_only(login, leader_a, teacher, daping):
    from django.urls import reverse

    from projects.demo import seed_projects
    from projects.models import MicroProject

    seed_projects(daping)
    project = MicroProject.objects.get(group__leader__user=leader_a, status="in_progress")
    link = reverse("activities:delegation_list", args=[project.pk])
    assert link in login(leader_a).get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert link not in login(teacher).get(reverse("projects:detail", args=[project.pk])).content.decode()


def test_delegate_finds_the_project_on_the_home_page(login, leader_a, teacher, daping):
    from django.urls import reverse

    from activities import delegation_services
    from members.models import Member
    from projects.demo import seed_projects
    from projects.models import MicroProject

    seed_projects(daping)
    project = MicroProject.objects.get(group__leader__user=leader_a, status="in_progress")
    home = reverse("home")
    assert "受组长委托" not in login(teacher).get(home).content.decode()
    delegation_services.delegation_grant(actor=leader_a, project=project, member=Member.objects.get(user=teacher))
    assert f"受组长委托，为《{project.title}》记录活动" in login(teacher).get(home).content.decode()
