"""Achievement pages: recording with a certificate, whom one may credit, verification, tabs and scoping."""

import datetime

import pytest
from django.urls import reverse

from activities import achievement_services
from activities.enums import AchievementKind, AchievementLevel, AchievementRank, AchievementStatus
from activities.models import Achievement
from members.models import Member, User
from tests.activities import image_files as files

PDF = files.pdf_bytes()


def member_of(user: User) -> Member:
    return Member.objects.get(user=user)


def form_data(*members: Member, **changes) -> dict:
    data = {
        "kind": AchievementKind.AWARD,
        "title": "渝中区语文优质课大赛一等奖",
        "level": AchievementLevel.DISTRICT,
        "rank": AchievementRank.FIRST,
        "issuing_body": "渝中区教师进修学院",
        "awarded_on": "2025-05-20",
        "members": [member.pk for member in members],
    }
    data.update(changes)
    return data


def recorded(actor: User, *members: Member, **changes) -> Achievement:
    fields = {
        "kind": AchievementKind.AWARD,
        "title": "渝中区班主任基本功大赛一等奖",
        "level": AchievementLevel.DISTRICT,
        "rank": AchievementRank.FIRST,
        "awarded_on": datetime.date(2025, 4, 10),
        "members": list(members) or [member_of(actor)],
    }
    certificate = changes.pop("certificate", None)
    fields.update(changes)
    return achievement_services.achievement_record(
        actor=actor, data=achievement_services.AchievementData(**fields), certificate=certificate
    )


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_teacher_records_an_award_with_a_certificate_and_sees_it_pending(login, teacher, media_root):
    client = login(teacher)
    page = client.get(reverse("activities:achievement_create"))
    assert page.status_code == 200 and "填报成果" in page.content.decode()
    response = client.post(
        reverse("activities:achievement_create"),
        {**form_data(member_of(teacher)), "certificate": files.upload("证书.jpg", files.jpeg_bytes((900, 600)))},
    )
    achievement = Achievement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("activities:achievement_detail", args=[achievement.pk])
    assert (achievement.status, achievement.recorded_by, achievement.level) == (
        AchievementStatus.PENDING,
        teacher,
        AchievementLevel.DISTRICT,
    )
    assert list(achievement.members.all()) == [member_of(teacher)]
    assert achievement.certificate_name == "证书.jpg" and achievement.certificate.name.endswith(".jpg")

    html = client.get(response["Location"]).content.decode()
    assert "渝中区语文优质课大赛一等奖" in html and "待审核" in html
    certificate_url = reverse("activities:certificate_file", args=[achievement.pk])
    assert certificate_url in html
    certificate = client.get(certificate_url)
    assert certificate.status_code == 200
    assert certificate["Content-Type"] == "image/jpeg" and certificate["X-Content-Type-Options"] == "nosniff"
    assert _body(certificate)[:2] == b"\xff\xd8"


def test_a_pdf_certificate_is_served_as_an_attachment(login, teacher, secretary):
    achievement = recorded(teacher, certificate=files.upload("获奖证书.pdf", PDF, "application/pdf"))
    response = login(secretary).get(reverse("activities:certificate_file", args=[achievement.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert _body(response) == PDF


def test_a_fake_certificate_is_refused_on_the_form_and_nothing_is_saved(login, teacher, media_root):
    response = login(teacher).post(
        reverse("activities:achievement_create"),
        {**form_data(member_of(teacher)), "certificate": files.upload("证书.jpg", files.html_with_jpeg_header())},
    )
    assert response.status_code == 200
    assert "证书只能是图片或 PDF 文件" in response.content.decode()
    assert not Achievement.objects.exists()
    assert not [path for path in media_root.rglob("*") if path.is_file()]


def test_teacher_cannot_credit_a_member_of_another_group(login, teacher, leader_b):
    other_group_member = Member.objects.filter(group_id=member_of(leader_b).group_id).exclude(user=leader_b).first()
    response = login(teacher).post(reverse("activities:achievement_create"), form_data(other_group_member))
    assert response.status_code == 200
    assert "members" in response.context["form"].errors
    assert not Achievement.objects.exists()


def test_leader_credits_their_group_but_not_another(login, leader_a, leader_b):
    colleague = Member.objects.get(name="李晓燕")  # 第一党小组
    client = login(leader_b)
    refused = client.post(reverse("activities:achievement_create"), form_data(colleague))
    assert refused.status_code == 200 and not Achievement.objects.exists()
    client = login(leader_a)
    assert client.post(reverse("activities:achievement_create"), form_data(colleague)).status_code == 302
    assert Achievement.objects.get().members.get() == colleague


def test_pupils_work_needs_pupils_and_keeps_the_word_count(login, leader_a):
    client = login(leader_a)
    data = form_data(
        kind=AchievementKind.PUPILS_WORK, title="小作家：我的第一本书", level=AchievementLevel.SCHOOL, rank="none"
    )
    refused = client.post(reverse("activities:achievement_create"), data)
    assert refused.status_code == 200 and "pupils" in refused.context["form"].errors
    client.post(reverse("activities:achievement_create"), {**data, "pupils": "王小明", "word_count": 40000})
    achievement = Achievement.objects.get()
    assert (achievement.pupils, achievement.word_count) == ("王小明", 40000)


def test_secretary_verifies_from_the_queue(login, teacher, secretary):
    achievement = recorded(teacher)
    client = login(secretary)
    queue = client.get(reverse("activities:achievement_queue")).content.decode()
    assert "渝中区班主任基本功大赛一等奖" in queue
    response = client.post(reverse("activities:achievement_verify", args=[achievement.pk]), {"next": "queue"})
    assert response.status_code == 302 and response["Location"] == reverse("activities:achievement_queue")
    achievement.refresh_from_db()
    assert (achievement.status, achievement.verified_by) == (AchievementStatus.VERIFIED, secretary)
    assert 'data-testid="queue-item"' not in client.get(reverse("activities:achievement_queue")).content.decode()
    mine = login(teacher).get(reverse("activities:achievement_list")).content.decode()
    assert "已认定" in mine


def test_committee_member_rejects_with_a_reason_the_recorder_reads(login, teacher, committee_member):
    achievement = recorded(teacher)
    client = login(committee_member)
    client.post(reverse("activities:achievement_reject", args=[achievement.pk]), {"reason": "  "})
    achievement.refresh_from_db()
    assert achievement.status == AchievementStatus.PENDING and achievement.rejection_reason == ""
    client.post(reverse("activities:achievement_reject", args=[achievement.pk]), {"reason": "请上传加盖公章的证书。"})
    achievement.refresh_from_db()
    assert (achievement.status, achievement.rejection_reason) == (AchievementStatus.REJECTED, "请上传加盖公章的证书。")

    teacher_client = login(teacher)
    detail = teacher_client.get(reverse("activities:achievement_detail", args=[achievement.pk])).content.decode()
    assert "未通过" in detail and "请上传加盖公章的证书。" in detail
    listed = teacher_client.get(reverse("activities:achievement_list")).content.decode()
    assert "请上传加盖公章的证书。" in listed


@pytest.mark.parametrize("persona", ["teacher", "leader_a", "leader_b", "branch_secretary"])
def test_teachers_and_leaders_cannot_verify_or_reject(request, login, teacher, persona):
    achievement = recorded(teacher)
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("activities:achievement_queue")).status_code == 403
    assert client.post(reverse("activities:achievement_verify", args=[achievement.pk])).status_code == 403
    rejected = client.post(reverse("activities:achievement_reject", args=[achievement.pk]), {"reason": "不认可"})
    assert rejected.status_code == 403
    stored = Achievement.objects.get(pk=achievement.pk)
    assert (stored.status, stored.verified_by, stored.rejection_reason) == (AchievementStatus.PENDING, None, "")


def test_nobody_verifies_their_own_achievement(login, committee_member):
    achievement = recorded(committee_member)
    client = login(committee_member)
    assert "由其他党委成员审核" in client.get(reverse("activities:achievement_queue")).content.decode()
    client.post(reverse("activities:achievement_verify", args=[achievement.pk]))
    assert Achievement.objects.get(pk=achievement.pk).status == AchievementStatus.PENDING


def test_another_school_gets_404_on_achievement_and_certificate_urls(login, teacher, other_school_user):
    achievement = recorded(teacher, certificate=files.upload("证书.jpg", files.jpeg_bytes()))
    client = login(other_school_user)
    for name in ("achievement_detail", "certificate_file"):
        assert client.get(reverse(f"activities:{name}", args=[achievement.pk])).status_code == 404
    assert client.post(reverse("activities:achievement_verify", args=[achievement.pk])).status_code == 404
    reject_url = reverse("activities:achievement_reject", args=[achievement.pk])
    assert client.post(reject_url, {"reason": "不认可"}).status_code == 404
    assert Achievement.objects.get(pk=achievement.pk).status == AchievementStatus.PENDING
    listed = client.get(reverse("activities:achievement_list"), {"tab": "all"}).content.decode()
    assert "渝中区班主任基本功大赛一等奖" not in listed


def test_a_pending_achievement_stays_with_those_concerned_a_verified_one_is_public(login, teacher, leader_b, secretary):
    achievement = recorded(teacher)
    url = reverse("activities:achievement_detail", args=[achievement.pk])
    assert login(leader_b).get(url).status_code == 403
    assert login(User.objects.get(username="leader1")).get(url).status_code == 200
    achievement_services.achievement_verify(actor=secretary, achievement=achievement)
    assert "渝中区班主任基本功大赛一等奖" in login(leader_b).get(url).content.decode()


def test_tabs_follow_the_users_posts(login, teacher, leader_a, leader_b, committee_member):
    colleague = Member.objects.get(name="李晓燕")
    recorded(teacher, title="教师本人的获奖")
    recorded(leader_a, colleague, title="组长为组员填报的获奖")
    recorded(leader_b, title="第二党小组组长的获奖")
    url = reverse("activities:achievement_list")

    teacher_page = login(teacher).get(url, {"tab": "all"}).content.decode()
    assert "教师本人的获奖" in teacher_page
    assert "组长为组员填报的获奖" not in teacher_page and "第二党小组组长的获奖" not in teacher_page
    assert "本组成果" not in teacher_page and "全校成果" not in teacher_page

    group_page = login(leader_a).get(url, {"tab": "group"}).content.decode()
    assert "本组成果" in group_page and "全校成果" not in group_page
    assert "教师本人的获奖" in group_page and "组长为组员填报的获奖" in group_page
    assert "第二党小组组长的获奖" not in group_page

    school_page = login(committee_member).get(url, {"tab": "all"}).content.decode()
    assert all(title in school_page for title in ("教师本人的获奖", "组长为组员填报的获奖", "第二党小组组长的获奖"))
    filtered = login(committee_member).get(url, {"tab": "all", "status": "verified"}).content.decode()
    assert "教师本人的获奖" not in filtered and "暂无成果" in filtered


def test_the_secretary_records_the_committees_own_honour(login, secretary, committee_member, teacher):
    url = reverse("activities:committee_honour_create")
    assert login(teacher).get(url).status_code == 403
    assert login(committee_member).get(url).status_code == 403
    response = login(secretary).post(
        url,
        {
            "kind": AchievementKind.HONOUR,
            "title": "先进基层党组织",
            "level": AchievementLevel.CITY,
            "rank": AchievementRank.NONE,
            "issuing_body": "中共重庆市委教育工委",
            "awarded_on": "2021-06-30",
        },
    )
    honour = Achievement.objects.get()
    assert response.status_code == 302
    assert (honour.is_committee_honour, honour.title, list(honour.members.all())) == (True, "先进基层党组织", [])
    assert "党委集体荣誉" in login(secretary).get(response["Location"]).content.decode()


def test_navbar_and_home_to_do_for_committee_members(login, teacher, committee_member):
    recorded(teacher)
    recorded(teacher, title="第二项获奖")
    home = login(committee_member).get(reverse("home")).content.decode()
    assert "待审核成果 2 项" in home and reverse("activities:achievement_queue") in home
    assert reverse("activities:achievement_list") in home
    teacher_home = login(teacher).get(reverse("home")).content.decode()
    assert "待审核成果" not in teacher_home and reverse("activities:achievement_list") in teacher_home


def test_achievement_list_runs_a_fixed_number_of_queries(
    login, committee_member, teacher, leader_a, django_assert_num_queries
):
    client = login(committee_member)
    url = reverse("activities:achievement_list")
    recorded(teacher)
    client.get(url, {"tab": "all"})  # warm the session
    with django_assert_num_queries(8):
        response = client.get(url, {"tab": "all"})
    assert response.content.decode().count('data-testid="achievement-row"') == 1
    colleagues = list(Member.objects.filter(group_id=member_of(leader_a).group_id))
    for index in range(12):
        recorded(leader_a, *colleagues[: index % 3 + 1], title=f"获奖{index}")
    with django_assert_num_queries(8):
        response = client.get(url, {"tab": "all"})
    assert response.content.decode().count('data-testid="achievement-row"') == 13


def test_verification_queue_runs_a_fixed_number_of_queries(
    login, secretary, teacher, leader_a, django_assert_num_queries
):
    client = login(secretary)
    url = reverse("activities:achievement_queue")
    recorded(teacher)
    client.get(url)
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.content.decode().count('data-testid="queue-item"') == 1
    for index in range(10):
        recorded(leader_a, title=f"获奖{index}")
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.content.decode().count('data-testid="queue-item"') == 11


def test_every_tab_lists_an_achievement_of_several_members_once(login, teacher, leader_a, secretary):
    colleague = Member.objects.filter(group=member_of(teacher).group).exclude(user__in=[teacher, leader_a]).first()
    shared = recorded(leader_a, member_of(teacher), member_of(leader_a), colleague, title="三人合作课题")
    achievement_services.achievement_verify(actor=secretary, achievement=shared)

    def rows(user, tab: str) -> int:
        page = login(user).get(reverse("activities:achievement_list"), {"tab": tab}).content.decode()
        return page.count("三人合作课题")

    assert rows(leader_a, "mine") == 1  # recorded by the leader, and credited to her too
    assert rows(teacher, "mine") == 1
    assert rows(leader_a, "group") == 1  # three members of the group
    assert rows(secretary, "all") == 1
