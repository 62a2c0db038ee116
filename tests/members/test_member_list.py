"""The roster page: search and filters, the committee wall, and who sees a member's phone."""

import re

import pytest
from django.urls import reverse

from branches.models import Branch, Group
from members.models import Member
from tests.scale import add_members


def listed_names(response) -> set[str]:
    assert response.status_code == 200
    html = response.content.decode()
    table = html[html.index('data-testid="member-table"') :]
    return set(re.findall(r'<a href="/members/\d+/">([^<]+)</a>', table))


def daping_names(**filters) -> set[str]:
    return set(
        Member.objects.filter(committee__slug="daping", is_active=True, **filters).values_list("name", flat=True)
    )


def test_list_shows_the_active_roster_of_the_school(login, secretary):
    assert listed_names(login(secretary).get(reverse("members:list"))) == daping_names()


def test_search_matches_name_subject_and_title(login, secretary):
    client = login(secretary)
    assert listed_names(client.get(reverse("members:list"), {"q": "张"})) == {"张玺", "张宗信", "张敏", "张月"}
    assert listed_names(client.get(reverse("members:list"), {"q": "心理"})) == {"许若黎"}
    assert listed_names(client.get(reverse("members:list"), {"q": "高级"})) == daping_names(
        professional_title="高级教师"
    )


def test_filters_by_branch_group_and_party_status(login, secretary, daping):
    client = login(secretary)
    branch = Branch.objects.get(committee=daping, name="第一党支部")
    by_branch = listed_names(client.get(reverse("members:list"), {"branch": branch.pk}))
    assert by_branch == daping_names(group__branch=branch)
    assert "袁懿" in by_branch and "冉菁" in by_branch and "张敏" not in by_branch

    group = Group.objects.get(branch__committee=daping, name="第三党小组")
    by_group = listed_names(client.get(reverse("members:list"), {"group": group.pk}))
    assert by_group == daping_names(group=group)
    assert "张敏" in by_group and "袁懿" not in by_group

    probationary = listed_names(client.get(reverse("members:list"), {"party_status": "probationary"}))
    assert probationary == {"陈思远", "吴佳", "邓小琳"}

    combined = listed_names(client.get(reverse("members:list"), {"branch": branch.pk, "party_status": "activist"}))
    assert combined == {"赵婷婷"}


def test_archived_members_show_only_when_asked(login, secretary, daping):
    Member.objects.filter(committee=daping, name="孙浩").update(is_active=False)
    client = login(secretary)
    assert "孙浩" not in listed_names(client.get(reverse("members:list")))
    assert "孙浩" in listed_names(client.get(reverse("members:list"), {"archived": "on"}))


def test_other_school_sees_none_of_daping_in_the_list(login, other_school_user, daping, hongyan):
    client = login(other_school_user)
    names = listed_names(client.get(reverse("members:list")))
    assert names == set(Member.objects.filter(committee=hongyan).values_list("name", flat=True))
    assert not names & daping_names()
    # A 大坪小学 branch in the query string filters nothing in: the choice is refused.
    branch = Branch.objects.filter(committee=daping).first()
    assert not listed_names(client.get(reverse("members:list"), {"branch": branch.pk})) & daping_names()


def test_other_school_gets_404_on_every_daping_member_page(login, other_school_user, daping):
    client = login(other_school_user)
    members = list(Member.objects.filter(committee=daping))
    assert len(members) > 30
    for member in members:
        assert client.get(reverse("members:detail", args=[member.pk])).status_code == 404, member.name


@pytest.fixture
def ran_jing_with_phone(daping) -> Member:
    """冉菁 leads 第二党小组, not the teacher's 第一党小组."""
    Member.objects.filter(committee=daping, name="冉菁").update(phone="13800002222")
    return Member.objects.get(committee=daping, name="冉菁")


def test_member_page_hides_the_phone_from_a_teacher_of_another_group(login, teacher, ran_jing_with_phone):
    html = login(teacher).get(reverse("members:detail", args=[ran_jing_with_phone.pk])).content.decode()
    assert "冉菁" in html
    assert "13800002222" not in html and "联系电话" not in html


def test_member_page_shows_the_phone_to_the_secretary(login, secretary, ran_jing_with_phone):
    html = login(secretary).get(reverse("members:detail", args=[ran_jing_with_phone.pk])).content.decode()
    assert "联系电话" in html and "13800002222" in html


def test_member_list_runs_a_fixed_number_of_queries(login, secretary, daping, django_assert_num_queries):
    client = login(secretary)
    url = reverse("members:list")
    client.get(url)  # warm the session
    add_members(daping, per_group=1)
    with django_assert_num_queries(8):
        names = listed_names(client.get(url))
    assert len(names) < 50
    add_members(daping, per_group=30)
    with django_assert_num_queries(8):
        names = listed_names(client.get(url))
    assert len(names) == 50


POST_BADGE = re.compile(r'<span class="badge text-bg-(?:danger|primary|warning)">([^<]+)</span>')


def posts_on_the_roster(html: str) -> dict[str, list[str]]:
    """Each listed member's post badges (职务), by name."""
    table = html[html.index('data-testid="member-table"') :]
    found = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        name = re.search(r'<a href="/members/\d+/">([^<]+)</a>', row)
        if name:
            found[name.group(1)] = POST_BADGE.findall(row)
    return found


def test_the_roster_and_the_member_page_name_each_members_posts(login, secretary, branch_secretary, leader_a, teacher):
    client = login(secretary)
    posts = posts_on_the_roster(client.get(reverse("members:list")).content.decode())
    assert "支部书记" in posts[branch_secretary.member.name]
    assert posts[leader_a.member.name] == ["党小组长"]
    assert posts[teacher.member.name] == []
    assert "党委书记" in posts[secretary.member.name]

    for user, post in ((branch_secretary, "支部书记"), (leader_a, "党小组长")):
        html = client.get(reverse("members:detail", args=[user.member.pk])).content.decode()
        assert re.findall(r'<span class="badge text-bg-danger badge-post">([^<]+)</span>', html).count(post) == 1
    html = client.get(reverse("members:detail", args=[teacher.member.pk])).content.decode()
    assert "badge-post" not in html
