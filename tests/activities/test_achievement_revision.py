"""Revising an achievement: the recorder corrects a pending or rejected one; verified ones are final."""

import datetime

import pytest
from django.urls import reverse

from activities import achievement_services
from activities.enums import AchievementStatus
from activities.errors import ActivityError
from activities.models import Achievement, AchievementRevision
from members.models import Member
from tests.activities import image_files as files
from tests.activities.test_achievement_views import form_data, member_of, recorded


def _row(achievement: Achievement) -> tuple:
    stored = Achievement.objects.get(pk=achievement.pk)
    return (stored.title, stored.status, stored.rejection_reason, stored.verified_by_id, stored.updated_at)


def rejected(recorder, reviewer, **changes) -> Achievement:
    achievement = recorded(recorder, **changes)
    return achievement_services.achievement_reject(
        actor=reviewer, achievement=achievement, reason="请上传加盖公章的证书。"
    )


def test_recorder_revises_a_rejected_achievement_and_it_waits_again(login, teacher, committee_member, media_root):
    achievement = recorded(teacher, certificate=files.upload("旧证书.jpg", files.jpeg_bytes((600, 400))))
    old_certificate = achievement.certificate.name
    achievement_services.achievement_reject(
        actor=committee_member, achievement=achievement, reason="请上传加盖公章的证书。"
    )
    client = login(teacher)
    detail = client.get(reverse("activities:achievement_detail", args=[achievement.pk])).content.decode()
    edit_url = reverse("activities:achievement_edit", args=[achievement.pk])
    assert "修改后重新提交" in detail and edit_url in detail

    page = client.get(edit_url)
    assert page.status_code == 200
    assert "请上传加盖公章的证书。" in page.content.decode()
    assert page.context["form"].initial["title"] == "渝中区班主任基本功大赛一等奖"

    response = client.post(
        edit_url,
        {
            **form_data(member_of(teacher), title="渝中区班主任基本功大赛一等奖（盖章证书）"),
            "certificate": files.upload("盖章证书.jpg", files.jpeg_bytes((900, 600))),
        },
    )
    assert response.status_code == 302
    achievement.refresh_from_db()
    assert (achievement.title, achievement.status, achievement.rejection_reason, achievement.verified_by) == (
        "渝中区班主任基本功大赛一等奖（盖章证书）",
        AchievementStatus.PENDING,
        "",
        None,
    )
    assert achievement.certificate_name == "盖章证书.jpg" and achievement.certificate.name != old_certificate
    revision = AchievementRevision.objects.get(achievement=achievement)
    assert (revision.edited_by, revision.status_before, revision.rejection_reason) == (
        teacher,
        AchievementStatus.REJECTED,
        "请上传加盖公章的证书。",
    )
    assert revision.snapshot["title"] == "渝中区班主任基本功大赛一等奖"
    assert revision.snapshot["certificate"] == old_certificate
    assert (media_root / old_certificate).is_file()  # the replaced certificate is kept, not lost

    html = client.get(response["Location"]).content.decode()
    assert "待审核" in html and 'data-testid="achievement-revisions"' in html
    assert "当时的未通过原因：请上传加盖公章的证书。" in html
    # Back in the committee's queue, and it can now be verified.
    queue = login(committee_member).get(reverse("activities:achievement_queue")).content.decode()
    assert "（盖章证书）" in queue
    achievement_services.achievement_verify(actor=committee_member, achievement=achievement)
    assert Achievement.objects.get(pk=achievement.pk).status == AchievementStatus.VERIFIED


def test_a_pending_achievement_is_revised_in_place(login, teacher):
    achievement = recorded(teacher)
    detail = login(teacher).get(reverse("activities:achievement_detail", args=[achievement.pk])).content.decode()
    assert 'data-testid="edit-achievement"' in detail and "修改后重新提交" not in detail
    response = login(teacher).post(
        reverse("activities:achievement_edit", args=[achievement.pk]), form_data(member_of(teacher), rank="second")
    )
    assert response.status_code == 302
    achievement.refresh_from_db()
    assert (achievement.rank, achievement.status) == ("second", AchievementStatus.PENDING)
    assert AchievementRevision.objects.get().status_before == AchievementStatus.PENDING


def test_a_verified_achievement_cannot_be_edited(login, teacher, secretary):
    achievement = achievement_services.achievement_verify(actor=secretary, achievement=recorded(teacher))
    before = _row(achievement)
    client = login(teacher)
    detail = client.get(reverse("activities:achievement_detail", args=[achievement.pk])).content.decode()
    assert reverse("activities:achievement_edit", args=[achievement.pk]) not in detail
    edit_url = reverse("activities:achievement_edit", args=[achievement.pk])
    assert client.get(edit_url).status_code == 403
    assert client.post(edit_url, form_data(member_of(teacher), title="认定后改名")).status_code == 403
    with pytest.raises(ActivityError, match="已认定"):
        achievement_services.achievement_update(
            actor=teacher,
            achievement=achievement,
            data=achievement_services.AchievementData(
                kind=achievement.kind,
                title="认定后改名",
                level=achievement.level,
                awarded_on=achievement.awarded_on,
                members=[member_of(teacher)],
            ),
        )
    assert _row(achievement) == before and not AchievementRevision.objects.exists()


@pytest.mark.parametrize("persona", ["committee_member", "secretary", "leader_a", "leader_b"])
def test_only_the_recorder_may_edit(request, login, teacher, committee_member, persona):
    achievement = rejected(teacher, committee_member)
    before = _row(achievement)
    user = request.getfixturevalue(persona)
    client = login(user)
    edit_url = reverse("activities:achievement_edit", args=[achievement.pk])
    assert client.get(edit_url).status_code == 403
    assert client.post(edit_url, form_data(member_of(teacher), title="他人修改")).status_code == 403
    assert _row(achievement) == before and not AchievementRevision.objects.exists()


def test_a_leader_who_recorded_for_a_member_edits_it_the_member_does_not(login, leader_a, teacher, committee_member):
    achievement = rejected(leader_a, committee_member, members=[member_of(teacher)])
    before = _row(achievement)
    edit_url = reverse("activities:achievement_edit", args=[achievement.pk])
    assert login(teacher).post(edit_url, form_data(member_of(teacher), title="获奖者自己改")).status_code == 403
    assert _row(achievement) == before
    colleague = Member.objects.get(name="李晓燕")  # 第一党小组, the leader may credit her too
    response = login(leader_a).post(edit_url, form_data(member_of(teacher), colleague, title="组长修改后重新提交"))
    assert response.status_code == 302
    achievement.refresh_from_db()
    assert achievement.status == AchievementStatus.PENDING and set(achievement.members.all()) == {
        member_of(teacher),
        colleague,
    }


def test_a_revision_is_checked_like_a_new_record(login, teacher, committee_member, leader_b):
    achievement = rejected(teacher, committee_member)
    before = _row(achievement)
    other_group_member = member_of(leader_b)
    response = login(teacher).post(
        reverse("activities:achievement_edit", args=[achievement.pk]), form_data(other_group_member)
    )
    assert response.status_code == 200 and "members" in response.context["form"].errors
    assert _row(achievement) == before and not AchievementRevision.objects.exists()


def test_another_school_gets_404(login, teacher, other_school_user, committee_member):
    achievement = rejected(teacher, committee_member)
    before = _row(achievement)
    client = login(other_school_user)
    edit_url = reverse("activities:achievement_edit", args=[achievement.pk])
    assert client.get(edit_url).status_code == 404
    assert client.post(edit_url, form_data(member_of(teacher), title="外校修改")).status_code == 404
    assert _row(achievement) == before


def test_a_committee_honour_stays_one_when_revised(login, secretary, committee_member):
    honour = achievement_services.achievement_record(
        actor=committee_member,
        data=achievement_services.AchievementData(
            kind="honour",
            title="先进基层党组织",
            level="district",
            awarded_on=datetime.date(2021, 6, 30),
            is_committee_honour=True,
        ),
    )
    achievement_services.achievement_reject(actor=secretary, achievement=honour, reason="请写明授予单位。")
    response = login(committee_member).post(
        reverse("activities:achievement_edit", args=[honour.pk]),
        {
            "kind": "honour",
            "title": "先进基层党组织",
            "level": "district",
            "rank": "none",
            "issuing_body": "中共重庆市渝中区委",
            "awarded_on": "2021-06-30",
        },
    )
    assert response.status_code == 302
    honour.refresh_from_db()
    assert (honour.is_committee_honour, honour.issuing_body, honour.status) == (
        True,
        "中共重庆市渝中区委",
        AchievementStatus.PENDING,
    )
    assert not honour.members.exists()
