import pytest
from django.urls import reverse

from branches.models import Branch, Group
from members.models import Member
from tests.scale import add_members


def test_anonymous_is_sent_to_login(anonymous_client, daping):
    response = anonymous_client.get(reverse("branches:organisation"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_org_tree_shows_branches_groups_and_posts(login, secretary):
    response = login(secretary).get(reverse("branches:organisation"))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ["第一党支部", "第二党支部", "第三党支部"] + [f"第{n}党小组" for n in "一二三四五六"]:
        assert name in html
    assert html.count('data-testid="org-group"') == 6
    assert html.count('data-role="group-leader"') == 6
    assert html.count('data-role="branch-secretary"') == 3
    assert "李雪梅" in html and "党委书记" in html
    assert "红岩" not in html


def test_other_school_sees_only_its_own_tree(login, other_school_user):
    html = login(other_school_user).get(reverse("branches:organisation")).content.decode()
    assert "红岩小学党支部" in html
    assert "第三党支部" not in html and "袁懿" not in html


@pytest.mark.parametrize("view", ["branches:branch", "branches:group"])
def test_other_school_gets_404_for_daping_branch_and_group(login, other_school_user, daping, view):
    objects = (
        Branch.objects.filter(committee=daping)
        if view == "branches:branch"
        else Group.objects.filter(branch__committee=daping)
    )
    client = login(other_school_user)
    for obj in objects:
        assert client.get(reverse(view, args=[obj.pk])).status_code == 404


def test_branch_secretary_sees_their_branch_on_home_and_branch_page(login, branch_secretary):
    client = login(branch_secretary)
    home = client.get(reverse("home")).content.decode()
    assert "支部书记" in home
    assert "跟进第一党支部的党小组与党员" in home
    branch = Branch.objects.get(secretary__user=branch_secretary)
    page = client.get(reverse("branches:branch", args=[branch.pk])).content.decode()
    assert "第一党小组" in page and "第二党小组" in page and "袁懿" in page and "冉菁" in page


def test_group_page_lists_members_with_leader(login, teacher):
    group = Member.objects.get(user=teacher).group
    html = login(teacher).get(reverse("branches:group", args=[group.pk])).content.decode()
    assert "袁懿" in html and "张玺" in html and "组长" in html


def test_org_tree_query_count_is_fixed(login, secretary, daping, django_assert_num_queries):
    client = login(secretary)
    url = reverse("branches:organisation")
    client.get(url)  # warm the session
    with django_assert_num_queries(9):
        client.get(url)
    add_members(daping, per_group=20)
    with django_assert_num_queries(9):
        client.get(url)
