import pytest
from django.core.management import CommandError, call_command

from branches.models import Branch, Committee, Group
from members.models import Member, User


def _counts() -> dict[str, int]:
    return {
        "committees": Committee.objects.count(),
        "branches": Branch.objects.count(),
        "groups": Group.objects.count(),
        "members": Member.objects.count(),
        "users": User.objects.count(),
    }


@pytest.mark.django_db
@pytest.mark.slow
def test_seed_demo_builds_the_article_school_and_twice_changes_nothing(settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path  # the demo photos
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first

    daping = Committee.objects.get(slug="daping")
    assert daping.branches.count() == 3
    groups = Group.objects.filter(branch__committee=daping)
    assert [g.name for g in groups] == [
        "第一党小组",
        "第二党小组",
        "第三党小组",
        "第四党小组",
        "第五党小组",
        "第六党小组",
    ]
    for group in groups:
        assert 5 <= group.members.count() <= 9, group.name
        assert group.leader is not None and group.leader.group_id == group.pk
    assert Member.objects.get(committee=daping, user__username="secretary").name == "李雪梅"
    named = ["袁懿", "张玺", "冉菁", "张敏", "张月", "刘琼蔚", "曾昕", "尹雪", "唐春", "郑殷青立"]
    named += ["许若黎", "刘燕怡", "喻书丹", "熊绪杨", "徐帆"]
    assert set(Member.objects.filter(committee=daping, name__in=named).values_list("name", flat=True)) == set(named)
    # The article places the three projects' teachers in groups 1–2, 3–4 and 5–6.
    assert Member.objects.get(name="冉菁").group.name in {"第一党小组", "第二党小组"}
    assert Member.objects.get(name="郑殷青立").group.name in {"第三党小组", "第四党小组"}
    assert Member.objects.get(name="徐帆").group.name in {"第五党小组", "第六党小组"}

    hongyan = Committee.objects.get(slug="hongyan")
    assert hongyan.branches.count() == 1
    assert Group.objects.filter(branch__committee=hongyan).count() == 2

    logins = ["secretary", "committee1", "committee2", "hy-secretary", "hy-leader1", "hy-teacher1"]
    logins += [f"branch{i}" for i in range(1, 4)] + [f"leader{i}" for i in range(1, 7)]
    logins += [f"teacher{i}" for i in range(1, 7)]
    for username in logins:
        user = User.objects.get(username=username)
        assert user.check_password("dangjian2024"), username
        assert Member.objects.filter(user=user).exists(), username


@pytest.mark.django_db
def test_seed_demo_refuses_production_without_force(settings, tmp_path):
    settings.DEBUG = False
    settings.MEDIA_ROOT = tmp_path  # the demo photos
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert Committee.objects.count() == 0
    call_command("seed_demo", "--force")
    assert Committee.objects.count() == 2
