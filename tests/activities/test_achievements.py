"""Achievements: who records them for whom, who verifies or rejects them, and what counts."""

import datetime

import pytest

from activities import achievement_selectors, achievement_services
from activities.enums import AchievementKind, AchievementLevel, AchievementRank, AchievementStatus
from activities.errors import ActivityError
from activities.models import Achievement
from members.models import Member, Notification, User
from tests.activities import image_files as files
from tests.activities.conftest import stored_files


def award(*members: Member, level=AchievementLevel.DISTRICT, **changes) -> achievement_services.AchievementData:
    fields = {
        "kind": AchievementKind.AWARD,
        "title": "渝中区语文优质课大赛",
        "level": level,
        "rank": AchievementRank.FIRST,
        "issuing_body": "渝中区教师进修学院",
        "awarded_on": datetime.date(2025, 5, 20),
        "members": list(members),
    }
    fields.update(changes)
    return achievement_services.AchievementData(**fields)


def member_of(user: User) -> Member:
    return Member.objects.get(user=user)


def test_teacher_records_their_own_award_pending_verification(daping, teacher):
    achievement = achievement_services.achievement_record(actor=teacher, data=award(member_of(teacher)))
    stored = Achievement.objects.get(pk=achievement.pk)
    assert (stored.status, stored.recorded_by, stored.committee) == (AchievementStatus.PENDING, teacher, daping)
    assert list(stored.members.all()) == [member_of(teacher)]


def test_teacher_cannot_credit_a_colleague_but_their_leader_can(teacher, leader_a, leader_b):
    colleague = Member.objects.get(name="李晓燕")  # 第一党小组
    with pytest.raises(ActivityError):
        achievement_services.achievement_record(actor=teacher, data=award(colleague))
    with pytest.raises(ActivityError):
        achievement_services.achievement_record(actor=leader_b, data=award(colleague))
    assert not Achievement.objects.exists()
    achievement_services.achievement_record(actor=leader_a, data=award(colleague))
    assert Achievement.objects.get().members.get() == colleague


def test_pupils_work_names_pupils_and_counts_words(leader_a):
    achievement = achievement_services.achievement_record(
        actor=leader_a,
        data=award(
            kind=AchievementKind.PUPILS_WORK,
            title="小作家：我的第一本书",
            level=AchievementLevel.SCHOOL,
            rank=AchievementRank.NONE,
            pupils="王小明",
            word_count=40000,
        ),
    )
    assert (achievement.pupils, achievement.word_count) == ("王小明", 40000)
    with pytest.raises(ActivityError):
        achievement_services.achievement_record(
            actor=leader_a, data=award(kind=AchievementKind.PUPILS_WORK, title="无名作品", pupils="")
        )


def test_only_the_committee_records_its_own_honours(secretary, leader_a):
    honour = award(
        kind=AchievementKind.HONOUR,
        title="先进基层党组织",
        level=AchievementLevel.CITY,
        rank=AchievementRank.NONE,
        is_committee_honour=True,
    )
    with pytest.raises(ActivityError):
        achievement_services.achievement_record(actor=leader_a, data=honour)
    achievement = achievement_services.achievement_record(actor=secretary, data=honour)
    assert achievement.is_committee_honour and not achievement.members.exists()


def test_other_school_cannot_credit_our_members(other_school_user, teacher):
    with pytest.raises(ActivityError):
        achievement_services.achievement_record(actor=other_school_user, data=award(member_of(teacher)))
    assert not Achievement.objects.exists()


def test_certificate_image_is_cleaned_and_a_bad_one_saves_nothing(teacher, media_root):
    with pytest.raises(ActivityError) as refused:
        achievement_services.achievement_record(
            actor=teacher,
            data=award(member_of(teacher)),
            certificate=files.upload("证书.jpg", files.html_with_jpeg_header()),
        )
    assert "证书" in refused.value.message
    assert not Achievement.objects.exists() and stored_files(media_root) == []
    achievement = achievement_services.achievement_record(
        actor=teacher,
        data=award(member_of(teacher)),
        certificate=files.upload("证书.jpg", files.jpeg_bytes((600, 400), exif=files.gps_exif())),
    )
    assert achievement.certificate_name == "证书.jpg"
    assert achievement.certificate.name.endswith(".jpg") and "证书" not in achievement.certificate.name
    with achievement.certificate.open("rb") as stored:
        assert b"Exif" not in stored.read()


def test_certificate_pdf_is_accepted(teacher):
    pdf = files.pdf_bytes()
    achievement = achievement_services.achievement_record(
        actor=teacher, data=award(member_of(teacher)), certificate=files.upload("证书.pdf", pdf, "application/pdf")
    )
    assert achievement.certificate.name.endswith(".pdf")


@pytest.mark.parametrize("persona", ["secretary", "committee_member"])
def test_secretary_or_committee_member_verifies(request, teacher, persona):
    achievement = achievement_services.achievement_record(actor=teacher, data=award(member_of(teacher)))
    actor = request.getfixturevalue(persona)
    achievement_services.achievement_verify(actor=actor, achievement=achievement)
    stored = Achievement.objects.get(pk=achievement.pk)
    assert (stored.status, stored.verified_by) == (AchievementStatus.VERIFIED, actor)
    assert stored.verified_at is not None
    with pytest.raises(ActivityError):
        achievement_services.achievement_verify(actor=actor, achievement=stored)


@pytest.mark.parametrize("persona", ["teacher", "leader_a", "branch_secretary", "other_school_user"])
def test_others_cannot_verify_or_reject(request, teacher, persona):
    achievement = achievement_services.achievement_record(actor=teacher, data=award(member_of(teacher)))
    actor = request.getfixturevalue(persona)
    with pytest.raises(ActivityError):
        achievement_services.achievement_verify(actor=actor, achievement=achievement)
    with pytest.raises(ActivityError):
        achievement_services.achievement_reject(actor=actor, achievement=achievement, reason="材料不全")
    stored = Achievement.objects.get(pk=achievement.pk)
    assert (stored.status, stored.verified_by) == (AchievementStatus.PENDING, None)


def test_nobody_verifies_their_own_achievement(committee_member):
    achievement = achievement_services.achievement_record(
        actor=committee_member, data=award(member_of(committee_member))
    )
    with pytest.raises(ActivityError) as refused:
        achievement_services.achievement_verify(actor=committee_member, achievement=achievement)
    assert "自己" in refused.value.message
    assert Achievement.objects.get(pk=achievement.pk).status == AchievementStatus.PENDING


def test_reject_needs_a_reason_that_the_recorder_reads(teacher, secretary):
    achievement = achievement_services.achievement_record(actor=teacher, data=award(member_of(teacher)))
    with pytest.raises(ActivityError):
        achievement_services.achievement_reject(actor=secretary, achievement=achievement, reason="  ")
    assert Achievement.objects.get(pk=achievement.pk).status == AchievementStatus.PENDING
    achievement_services.achievement_reject(actor=secretary, achievement=achievement, reason="请上传获奖证书。")
    stored = Achievement.objects.get(pk=achievement.pk)
    assert (stored.status, stored.rejection_reason, stored.verified_by) == (
        AchievementStatus.REJECTED,
        "请上传获奖证书。",
        secretary,
    )
    assert "请上传获奖证书。" in Notification.objects.get(recipient=teacher).message


def test_only_verified_achievements_count_by_level(
    daping, hongyan, teacher, leader_a, secretary, django_assert_num_queries
):
    me, colleague = member_of(teacher), Member.objects.get(name="李晓燕")
    verified = [
        achievement_services.achievement_record(actor=teacher, data=award(me, level=AchievementLevel.DISTRICT)),
        achievement_services.achievement_record(
            actor=teacher, data=award(me, level=AchievementLevel.DISTRICT, title="班主任基本功")
        ),
        achievement_services.achievement_record(
            actor=leader_a, data=award(colleague, level=AchievementLevel.NATIONAL, title="部级优课")
        ),
    ]
    for achievement in verified:
        achievement_services.achievement_verify(actor=secretary, achievement=achievement)
    achievement_services.achievement_record(actor=teacher, data=award(me, level=AchievementLevel.CITY, title="待审核"))
    rejected = achievement_services.achievement_record(
        actor=teacher, data=award(me, level=AchievementLevel.CITY, title="退回")
    )
    achievement_services.achievement_reject(actor=secretary, achievement=rejected, reason="不属实")
    with django_assert_num_queries(1):
        counts = achievement_selectors.verified_achievement_counts(daping)
    assert counts == {"school": 0, "district": 2, "city": 0, "provincial": 0, "national": 1}
    assert sum(achievement_selectors.verified_achievement_counts(hongyan).values()) == 0


def test_verification_queue_lists_pending_ones_of_the_committee_only(teacher, secretary, other_school_user, leader_a):
    pending = achievement_services.achievement_record(actor=teacher, data=award(member_of(teacher)))
    assert list(achievement_selectors.achievements_to_verify(secretary)) == [pending]
    assert list(achievement_selectors.achievements_to_verify(other_school_user)) == []
    assert list(achievement_selectors.achievements_to_verify(leader_a)) == []
