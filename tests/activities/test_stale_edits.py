"""An edit made on an older version of an activity is refused, never overwriting the newer one.

A phone that edited offline, or a second browser open on the same activity, carries the version
its form showed (`based_on`); the service refuses it once another edit was saved since.
"""

import pytest
from django.urls import reverse

from activities import activity_services
from activities.errors import StaleEdit
from activities.models import ActivityLog, ActivityRevision
from tests.activities.conftest import tutoring_data
from tests.activities.test_activity_views import _post_data

STALE_OFFLINE = "这条活动记录在您离线期间已被他人修改，请刷新后重新编辑；您的修改已保留为草稿。"


def _newer_edit(activity: ActivityLog, actor) -> ActivityLog:
    """Someone else's edit saved from a PC: the activity moves to version 2."""
    return activity_services.activity_log_update(
        actor=actor, activity=activity, data=tutoring_data(activity.project, title="电脑上改的活动名称"), based_on=1
    )


def test_an_edit_based_on_the_current_version_is_saved_and_moves_the_version(leader_a, activity):
    assert activity.version == 1

    saved = activity_services.activity_log_update(
        actor=leader_a, activity=activity, data=tutoring_data(activity.project, title="补记的活动名称"), based_on=1
    )

    activity.refresh_from_db()
    assert saved.version == activity.version == 2 and activity.title == "补记的活动名称"
    assert ActivityRevision.objects.filter(activity=activity).count() == 1


def test_an_edit_based_on_an_older_version_is_refused_and_changes_nothing(leader_a, activity):
    _newer_edit(activity, leader_a)

    with pytest.raises(StaleEdit) as refused:
        activity_services.activity_log_update(
            actor=leader_a, activity=activity, data=tutoring_data(activity.project, title="手机上离线改的"), based_on=1
        )

    assert "已被他人修改" in refused.value.message and refused.value.current == 2
    activity.refresh_from_db()
    assert (activity.title, activity.version) == ("电脑上改的活动名称", 2)
    assert ActivityRevision.objects.filter(activity=activity).count() == 1


def test_the_outbox_sending_a_stale_edit_is_refused_with_the_message_for_the_draft(login, leader_a, activity):
    _newer_edit(activity, leader_a)
    url = reverse("activities:capture_activity_update", args=[activity.pk])

    response = login(leader_a).post(url, _post_data(activity.project, title="手机上离线改的", based_on="1"))

    # A 4xx: the phone keeps the record as a draft with the message (static/js/outbox.js).
    assert response.status_code == 409
    assert response.json() == {"ok": False, "message": STALE_OFFLINE, "current": 2}
    activity.refresh_from_db()
    assert (activity.title, activity.version) == ("电脑上改的活动名称", 2)


def test_the_outbox_sending_a_fresh_edit_saves_it_and_answers_the_new_version(login, leader_a, activity):
    url = reverse("activities:capture_activity_update", args=[activity.pk])

    response = login(leader_a).post(url, _post_data(activity.project, title="手机上离线改的", based_on="1"))

    assert response.status_code == 200 and response.json()["version"] == 2
    activity.refresh_from_db()
    assert (activity.title, activity.version) == ("手机上离线改的", 2)


def test_the_edit_form_carries_the_version_it_shows(login, leader_a, activity):
    _newer_edit(activity, leader_a)

    page = login(leader_a).get(reverse("activities:activity_edit", args=[activity.pk])).content.decode()

    assert 'name="based_on" value="2"' in page


def test_a_second_browsers_stale_save_shows_the_form_again_with_its_input(login, leader_a, activity):
    """Two browsers open the edit page at version 1; the first saves, the second is refused."""
    client = login(leader_a)
    edit_url = reverse("activities:activity_edit", args=[activity.pk])
    first = client.post(edit_url, _post_data(activity.project, title="第一个浏览器的修改", based_on="1"))
    assert first.status_code == 302

    second = client.post(
        edit_url, _post_data(activity.project, title="第二个浏览器的修改", narrative="补充的纪实", based_on="1")
    )

    assert second.status_code == 200
    page = second.content.decode()
    assert "这条活动记录在您编辑期间已被他人修改" in page and "您填写的内容仍在下方" in page
    assert 'value="第二个浏览器的修改"' in page and "补充的纪实" in page
    activity.refresh_from_db()
    assert (activity.title, activity.version) == ("第一个浏览器的修改", 2)
    # Shown again on the newer version: saving once more, knowing of the other edit, goes through.
    assert 'name="based_on" value="2"' in page
    third = client.post(edit_url, _post_data(activity.project, title="第二个浏览器的修改", based_on="2"))
    assert third.status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.version) == ("第二个浏览器的修改", 3)
    assert list(
        ActivityRevision.objects.filter(activity=activity).order_by("pk").values_list("snapshot__title", flat=True)
    ) == [
        "周三放学后一对一辅导",
        "第一个浏览器的修改",
    ]


def test_an_edit_without_a_version_is_saved_as_before(login, leader_a, activity):
    """An outbox record kept from before versions existed carries none: it is not checked."""
    _newer_edit(activity, leader_a)
    url = reverse("activities:capture_activity_update", args=[activity.pk])

    response = login(leader_a).post(url, _post_data(activity.project, title="旧草稿"))

    assert response.status_code == 200
    activity.refresh_from_db()
    assert (activity.title, activity.version) == ("旧草稿", 3)


def test_the_same_edit_sent_again_after_its_answer_was_lost_is_saved_not_refused(login, leader_a, activity):
    """A weak network: the phone's edit arrived and was saved, its answer did not; the outbox sends
    it again on the old version. It is the content saved, so it answers as saved, once."""
    url = reverse("activities:capture_activity_update", args=[activity.pk])
    edit = _post_data(activity.project, title="信号不好时改的", based_on="1")
    client = login(leader_a)

    first, again = client.post(url, edit), client.post(url, edit)

    activity.refresh_from_db()
    assert first.status_code == again.status_code == 200
    assert again.json()["ok"] is True
    assert (activity.title, activity.version) == ("信号不好时改的", 2)
    assert ActivityRevision.objects.filter(activity=activity).count() == 1
