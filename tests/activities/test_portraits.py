"""党员画像 on the member and group pages: what counts, what is listed, and a fixed number of queries."""

import datetime
import re
from decimal import Decimal

from django.urls import reverse

from activities import achievement_services, activity_services, photo_services
from activities.enums import AchievementKind, AchievementLevel, AchievementRank
from activities.models import ActivityLog, Photo
from activities.tasks import make_photo_display_sizes
from members.models import Member, User
from tests.activities import image_files as files
from tests.activities.conftest import tutoring_data


def member_of(user: User) -> Member:
    return Member.objects.get(user=user)


def log_activity(leader: User, project, *participants: Member, hours: str = "1.5", title: str = "一对一辅导"):
    return activity_services.activity_log_create(
        actor=leader,
        project=project,
        data=tutoring_data(project, participants=list(participants), duration_hours=Decimal(hours), title=title),
    )


def award(actor: User, *members: Member, title: str):
    return achievement_services.achievement_record(
        actor=actor,
        data=achievement_services.AchievementData(
            kind=AchievementKind.AWARD,
            title=title,
            level=AchievementLevel.DISTRICT,
            rank=AchievementRank.FIRST,
            awarded_on=datetime.date(2025, 5, 20),
            members=list(members) or [member_of(actor)],
        ),
    )


def upload_photo(uploader: User, activity: ActivityLog, name: str = "IMG_0001.jpg") -> Photo:
    photo = photo_services.photo_upload(
        actor=uploader, activity=activity, files=[files.upload(name, files.jpeg_bytes((640, 480)))]
    ).saved[0]
    make_photo_display_sizes(photo.pk)
    return photo


def figure(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}">') + len(f'data-testid="{testid}">')
    return html[start : html.index("<", start)]


def test_member_page_shows_activities_hours_photos_and_only_verified_achievements_count(
    login, open_project, leader_a, teacher, secretary, committee_member, leader_b
):
    me = member_of(teacher)
    first = log_activity(leader_a, open_project, me, hours="1.5", title="周三一对一辅导")
    log_activity(leader_a, open_project, me, hours="2", title="周五结对帮扶")
    log_activity(leader_a, open_project, member_of(leader_a), hours="3", title="没有我的活动")
    archived = log_activity(leader_a, open_project, me, hours="10", title="已归档的活动")
    activity_services.activity_log_archive(actor=leader_a, activity=archived)
    photo = upload_photo(teacher, first)
    verified = award(teacher, title="已认定的区级一等奖")
    achievement_services.achievement_verify(actor=secretary, achievement=verified)
    award(teacher, title="待审核的优质课")
    rejected = award(teacher, title="未通过的成果")
    achievement_services.achievement_reject(actor=committee_member, achievement=rejected, reason="证书不清晰")

    html = login(leader_b).get(reverse("members:detail", args=[me.pk])).content.decode()
    assert figure(html, "portrait-activities") == "2"
    assert figure(html, "portrait-hours") == "3.5"
    assert figure(html, "portrait-photos") == "1"
    assert figure(html, "portrait-achievements") == "1"
    assert "另有 1 项待审核" in html
    assert "周三一对一辅导" in html and "周五结对帮扶" in html and open_project.title in html
    assert "没有我的活动" not in html and "已归档的活动" not in html
    assert reverse("activities:photo_file", args=[photo.pk, "small"]) in html
    assert "已认定的区级一等奖" in html and "待审核的优质课" in html and "未通过的成果" not in html
    # Only the verified one links to its page: a pending one is not public in the school yet.
    assert reverse("activities:achievement_detail", args=[verified.pk]) in html
    assert len(re.findall(r'href="/activities/achievements/\d+/"', html)) == 1


def test_a_member_with_nothing_yet_shows_zeros(login, secretary, teacher):
    html = login(secretary).get(reverse("members:detail", args=[member_of(teacher).pk])).content.decode()
    assert [figure(html, f"portrait-{name}") for name in ("activities", "hours", "photos", "achievements")] == [
        "0",
        "0",
        "0",
        "0",
    ]


def test_a_photo_still_being_processed_shows_a_placeholder(login, activity, teacher):
    photo = photo_services.photo_upload(
        actor=teacher, activity=activity, files=[files.upload("IMG_0002.jpg", files.jpeg_bytes())]
    ).saved[0]
    html = login(teacher).get(reverse("members:detail", args=[member_of(teacher).pk])).content.decode()
    assert figure(html, "portrait-photos") == "1"
    assert "处理中" in html and reverse("activities:photo_file", args=[photo.pk, "small"]) not in html


def test_group_page_shows_the_groups_projects_activities_and_achievements(
    login, open_project, leader_a, teacher, secretary, leader_b
):
    colleague = Member.objects.get(name="李晓燕")  # 第一党小组
    activity = log_activity(leader_a, open_project, colleague, hours="2", title="送教到成员校")
    log_activity(leader_a, open_project, hours="1", title="无人署名的活动")
    upload_photo(teacher, activity)
    upload_photo(leader_a, activity, "IMG_0003.jpg")
    achievement_services.achievement_verify(actor=secretary, achievement=award(teacher, title="第一党小组的获奖"))
    achievement_services.achievement_verify(actor=secretary, achievement=award(leader_b, title="第二党小组的获奖"))

    html = login(teacher).get(reverse("branches:group", args=[open_project.group_id])).content.decode()
    assert "党小组画像" in html and open_project.title in html
    assert figure(html, "portrait-activities") == "2"
    assert figure(html, "portrait-hours") == "3"
    assert figure(html, "portrait-photos") == "2"
    assert figure(html, "portrait-achievements") == "1"
    assert "第一党小组的获奖" in html and "第二党小组的获奖" not in html


def test_member_page_runs_a_fixed_number_of_queries(
    login, open_project, leader_a, teacher, secretary, leader_b, django_assert_num_queries
):
    me = member_of(teacher)
    client = login(leader_b)
    url = reverse("members:detail", args=[me.pk])
    first = log_activity(leader_a, open_project, me)
    upload_photo(teacher, first)
    award(teacher, title="获奖0")
    client.get(url)
    with django_assert_num_queries(8):
        client.get(url)
    for index in range(8):
        activity = log_activity(leader_a, open_project, me, title=f"活动{index}")
        upload_photo(teacher, activity, f"IMG_{index}.jpg")
        achievement_services.achievement_verify(actor=secretary, achievement=award(teacher, title=f"获奖{index + 1}"))
    with django_assert_num_queries(8):
        html = client.get(url).content.decode()
    assert figure(html, "portrait-activities") == "9" and figure(html, "portrait-achievements") == "8"


def test_group_page_runs_a_fixed_number_of_queries(
    login, open_project, leader_a, teacher, secretary, django_assert_num_queries
):
    colleague = Member.objects.get(name="李晓燕")
    client = login(teacher)
    url = reverse("branches:group", args=[open_project.group_id])
    upload_photo(teacher, log_activity(leader_a, open_project, colleague))
    client.get(url)
    with django_assert_num_queries(10):
        client.get(url)
    for index in range(8):
        activity = log_activity(leader_a, open_project, colleague, member_of(teacher), title=f"活动{index}")
        upload_photo(teacher, activity, f"IMG_{index}.jpg")
        achievement_services.achievement_verify(actor=secretary, achievement=award(teacher, title=f"获奖{index}"))
    with django_assert_num_queries(10):
        html = client.get(url).content.decode()
    assert figure(html, "portrait-activities") == "9" and figure(html, "portrait-photos") == "9"
