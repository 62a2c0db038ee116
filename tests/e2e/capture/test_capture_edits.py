"""Capture of edits: an activity edited offline is saved when the network returns, in order, and
an edit older than one saved meanwhile is refused and kept as a draft.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from activities.models import ActivityLog
from tests.e2e.capture.steps import (
    OUTBOX_SIZE,
    background_sync_of,
    edit_offline,
    outbox_records,
    pieces_kept,
    save,
    saved,
    wait_until_sent,
)
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_an_activity_edited_offline_and_reloaded_updates_that_activity_when_the_network_returns(
    phone_page, live_server, recorded_activity
):
    page = phone_page
    log_in(page, live_server, "leader1")
    edit_url = f"{live_server.url}{reverse('activities:activity_edit', args=[recorded_activity.pk])}"
    page.goto(edit_url)
    pieces_kept(page, edit_url)
    edit_offline(page, live_server, recorded_activity, "周三放学后一对一辅导（离线补记）")

    # Reloaded with no network: the worker's copy of the edit page, the edit waiting in the outbox.
    response = page.reload()
    assert response.from_service_worker
    panel = page.get_by_test_id("outbox-panel")
    expect(panel).to_contain_text("周三放学后一对一辅导（离线补记）")
    assert ActivityLog.objects.get().title == "周三放学后一对一辅导"

    page.context.set_offline(False)
    expect(panel).to_be_hidden(timeout=30_000)
    activity = ActivityLog.objects.get()
    assert activity.pk == recorded_activity.pk
    assert (activity.title, activity.version) == ("周三放学后一对一辅导（离线补记）", 2)
    assert activity.revisions.get().snapshot["title"] == "周三放学后一对一辅导"


def test_an_offline_edit_older_than_an_edit_saved_meanwhile_is_refused_and_kept_as_a_draft(
    phone_without_worker, live_server, recorded_activity
):
    from activities import activity_services
    from members.models import User
    from tests.activities.conftest import tutoring_data

    page = phone_without_worker
    log_in(page, live_server, "leader1")
    edit_offline(page, live_server, recorded_activity, "手机上离线改的名称")
    # Meanwhile the leader saves a newer edit from the office PC.
    activity_services.activity_log_update(
        actor=User.objects.get(username="leader1"),
        activity=recorded_activity,
        data=tutoring_data(recorded_activity.project, date=recorded_activity.date, title="电脑上改的名称"),
        based_on=1,
    )

    page.context.set_offline(False)
    refusal = "这条活动记录在您离线期间已被他人修改，请刷新后重新编辑；您的修改已保留为草稿。"
    expect(page.get_by_test_id("outbox-panel")).to_contain_text(refusal, timeout=30_000)
    [record] = outbox_records(page)
    assert record["state"] == "refused" and record["title"] == "手机上离线改的名称"
    activity = ActivityLog.objects.get()
    assert (activity.title, activity.version) == ("电脑上改的名称", 2)

    # The draft opens again in this activity's edit form, on the newer version; saved knowingly,
    # it updates the same activity (the newer edit stays in the history).
    page.reload()
    page.get_by_test_id("outbox-panel").get_by_role("link", name="修改后重新保存").click()
    expect(page.get_by_label("活动名称")).to_have_value("手机上离线改的名称")
    assert page.url.startswith(f"{live_server.url}{reverse('activities:activity_edit', args=[activity.pk])}?draft=")
    save(page)
    saved(page)
    activity = ActivityLog.objects.get()
    assert (activity.title, activity.version) == ("手机上离线改的名称", 3)
    assert [revision.snapshot["title"] for revision in activity.revisions.order_by("pk")] == [
        "周三放学后一对一辅导",
        "电脑上改的名称",
    ]
    assert page.evaluate(OUTBOX_SIZE) == 0


def test_a_draft_of_an_edit_opened_in_the_new_activity_form_goes_back_to_its_own_form(
    phone_without_worker, live_server, recorded_activity, helping_project
):
    """A draft keeps its target: opened by its id in the new-activity form, it moves to its own
    edit form, and saved there it updates that activity instead of making a second one."""
    page = phone_without_worker
    log_in(page, live_server, "leader1")
    edit_url = f"{live_server.url}{reverse('activities:activity_edit', args=[recorded_activity.pk])}"
    refuse = '{"ok": false, "message": "暂时无法保存。"}'
    edit_capture = re.compile(r"/activities/capture/\d+/$")
    page.route(edit_capture, lambda route: route.fulfill(status=409, content_type="application/json", body=refuse))
    page.goto(edit_url)
    page.get_by_label("活动名称").fill("只改这一条")
    save(page)
    expect(page.get_by_test_id("capture-status")).to_contain_text("暂时无法保存")
    page.unroute(edit_capture)
    [record_id] = page.evaluate(
        """() => new Promise(resolve => {
          const opening = indexedDB.open('dangjian-outbox', 1);
          opening.onsuccess = () => {
            const request = opening.result.transaction('records').objectStore('records').getAllKeys();
            request.onsuccess = () => { opening.result.close(); resolve(request.result); };
          };
        })"""
    )

    page.goto(f"{live_server.url}{reverse('activities:activity_create', args=[helping_project.pk])}?draft={record_id}")
    page.wait_for_url(f"{edit_url}?draft={record_id}")
    expect(page.get_by_label("活动名称")).to_have_value("只改这一条")
    save(page)
    saved(page)
    activity = ActivityLog.objects.get()
    assert (activity.pk, activity.title, activity.version) == (recorded_activity.pk, "只改这一条", 2)


def test_two_offline_edits_of_one_activity_on_this_phone_are_both_saved_in_order(
    phone_without_worker, live_server, recorded_activity
):
    """The second edit was made after the first on this phone: it is based on what the first made."""
    page = phone_without_worker
    log_in(page, live_server, "leader1")
    edit_offline(page, live_server, recorded_activity, "第一次离线修改")
    page.get_by_label("活动名称").fill("第二次离线修改")
    save(page)
    expect(page.get_by_test_id("capture-status")).to_have_attribute("data-state", "queued")
    assert page.evaluate(OUTBOX_SIZE) == 2

    page.context.set_offline(False)
    wait_until_sent(page)
    activity = ActivityLog.objects.get()
    assert (activity.title, activity.version) == ("第二次离线修改", 3)
    assert [revision.snapshot["title"] for revision in activity.revisions.order_by("pk")] == [
        "周三放学后一对一辅导",
        "第一次离线修改",
    ]
    # This page follows: a third edit, online now, is based on version 3 and saved.
    page.get_by_label("活动名称").fill("第三次修改")
    save(page)
    saved(page)
    activity.refresh_from_db()
    assert (activity.title, activity.version) == ("第三次修改", 4)


def test_an_edit_page_left_open_learns_the_version_the_service_worker_saved_and_the_next_edit_is_saved(
    phone_with_cut_page, live_server, recorded_activity
):
    """The edit made offline goes out from the service worker (Background Sync) while its page stays
    open but never gets through itself, as a page in the background of WeChat: the page still learns
    the version that edit made, so the leader's next edit from it is saved instead of refused."""
    page = phone_with_cut_page
    log_in(page, live_server, "leader1")
    edit_url = f"{live_server.url}{reverse('activities:activity_edit', args=[recorded_activity.pk])}"
    page.goto(edit_url)
    pieces_kept(page, edit_url)
    based_on = page.locator("input[name=based_on]")
    expect(based_on).to_have_value("1")
    edit_offline(page, live_server, recorded_activity, "离线修改，由后台同步发出")

    # The page's own requests are cut; only the worker's reach the server.
    edit_capture = re.compile(r"/activities/capture/\d+/$")
    page.route(edit_capture, lambda route: route.abort("connectionreset"))
    background_sync = background_sync_of(page.context.new_page(), live_server)
    page.context.set_offline(False)
    background_sync()
    wait_until_sent(page)
    activity = ActivityLog.objects.get()
    assert (activity.title, activity.version) == ("离线修改，由后台同步发出", 2)
    expect(based_on).to_have_value("2")

    # The next edit from the same open page builds on that version: saved, not kept as a conflict.
    page.unroute(edit_capture)
    page.get_by_label("活动名称").fill("回到学校后再改一次")
    save(page)
    saved(page)
    activity.refresh_from_db()
    assert (activity.title, activity.version) == ("回到学校后再改一次", 3)
    assert [revision.snapshot["title"] for revision in activity.revisions.order_by("pk")] == [
        "周三放学后一对一辅导",
        "离线修改，由后台同步发出",
    ]
