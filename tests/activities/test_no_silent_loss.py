"""Nothing typed is lost without a message: an overlong caption or reason says it is too long and
keeps the text; a stale hidden group says so above the form; too many files get a Chinese page."""

import pytest
from django.urls import reverse

from activities.enums import AchievementStatus
from activities.models import Achievement, Photo
from branches.models import Group
from projects.models import MicroProject
from tests.activities import image_files as files
from tests.activities.test_achievement_views import recorded
from tests.form_fields import form_fields


def test_an_overlong_caption_is_refused_with_its_text_kept_and_no_photo_stored(login, teacher, activity):
    caption = "说" * 201

    response = login(teacher).post(
        reverse("activities:photo_upload", args=[activity.pk]),
        {"caption": caption, "photos": [files.upload("a.jpg", files.jpeg_bytes())]},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "确保该变量包含不超过 200 字符 (目前字符数 201)" in page
    assert f'value="{caption}"' in page
    assert not Photo.objects.filter(activity=activity).exists()


def test_an_overlong_rejection_reason_says_too_long_and_keeps_the_text(login, teacher, secretary):
    achievement = recorded(teacher)
    reason = "证" * 1001

    response = login(secretary).post(
        reverse("activities:achievement_reject", args=[achievement.pk]), {"reason": reason, "next": "queue"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "确保该变量包含不超过 1000 字符 (目前字符数 1001)" in page
    assert "请写明未通过的原因" not in page
    assert reason in page
    assert Achievement.objects.get(pk=achievement.pk).status == AchievementStatus.PENDING


def test_an_empty_rejection_reason_asks_for_one(login, teacher, secretary):
    achievement = recorded(teacher)

    response = login(secretary).post(reverse("activities:achievement_reject", args=[achievement.pk]), {"reason": " "})

    assert response.status_code == 200
    assert "请写明未通过的原因。" in response.content.decode()
    assert Achievement.objects.get(pk=achievement.pk).status == AchievementStatus.PENDING


def test_a_stale_hidden_group_is_a_visible_error_and_the_form_offers_the_current_group(login, leader_a, leader_b):
    client = login(leader_a)
    fields = form_fields(client.get(reverse("projects:create")).content.decode())
    own_group = Group.objects.get(leader__user=leader_a)
    other_group = Group.objects.get(leader__user=leader_b)
    fields |= {"group": str(other_group.pk), "title": "过期页面的申报"}

    response = client.post(reverse("projects:create"), fields)

    assert response.status_code == 200
    page = response.content.decode()
    assert f"申报党小组已变更为「{own_group.name}」，请核对后再次提交。" in page
    assert 'value="过期页面的申报"' in page
    assert not MicroProject.objects.filter(title="过期页面的申报").exists()

    # The form now holds the current group: sending it again as it stands records the application.
    again = form_fields(page)
    assert again["group"] == str(own_group.pk)
    assert client.post(reverse("projects:create"), again).status_code == 302
    assert MicroProject.objects.get(title="过期页面的申报").group == own_group


@pytest.mark.parametrize("count", [101])
def test_more_files_than_allowed_get_the_portals_chinese_page(login, teacher, activity, count, settings):
    client = login(teacher)
    client.raise_request_exception = False
    many = [files.upload(f"p{n}.jpg", b"x") for n in range(count)]

    detail = reverse("activities:activity_detail", args=[activity.pk])
    response = client.post(
        reverse("activities:photo_upload", args=[activity.pk]),
        {"photos": many},
        HTTP_REFERER=f"http://testserver{detail}#gallery",
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "一次提交的文件过多" in page and "TooManyFilesSent" not in page
    assert f'href="{detail}"' in page  # back to the activity page the upload came from
    assert not Photo.objects.filter(activity=activity).exists()
