"""Capture when something says no: a photo or an activity the server refuses, an error page in
place of an answer, another tab sending first, logging out with records unsent, a project the
leader no longer leads. Nothing typed or chosen on the phone is lost.
"""

from urllib.parse import unquote_plus

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from activities.models import ActivityLog
from tests.e2e.capture.steps import OUTBOX_SIZE, choose_photos, fill_activity, outbox_records, photo_files, save, saved
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_a_photo_the_server_refuses_is_kept_with_its_reason_and_the_rest_is_saved(
    erring_phone, live_server, helping_project, twelve_megapixels, artifacts_dir
):
    page = erring_phone
    log_in(page, live_server, "leader1")
    page.goto(f"{live_server.url}{reverse('activities:activity_create', args=[helping_project.pk])}")
    fill_activity(page, "彭水县送教：科学实验课")
    broken = {"name": "坏照片.jpg", "mimeType": "image/jpeg", "buffer": b"not a photo at all" * 100}
    choose_photos(page, [*photo_files(twelve_megapixels, 1), broken], ["实验课", "坏的"])
    save(page)
    status = page.get_by_test_id("capture-status")
    expect(status).to_contain_text("坏照片.jpg", timeout=60_000)
    expect(status).not_to_contain_text("已保存")

    activity = ActivityLog.objects.get()
    assert list(activity.photos.values_list("caption", flat=True)) == ["实验课"]
    [record] = outbox_records(page)
    assert record["state"] == "refused" and "坏照片.jpg" in record["message"]

    page.goto(f"{live_server.url}/")
    panel = page.get_by_test_id("outbox-panel")
    expect(panel).to_contain_text("坏照片.jpg")
    panel.screenshot(path=str(artifacts_dir / "outbox-refused-photo-375.png"))
    panel.get_by_role("link", name="查看活动记录").click()
    assert page.url.endswith(reverse("activities:activity_detail", args=[activity.pk]))


def test_an_error_page_instead_of_an_answer_neither_loses_nor_blocks_the_outbox(
    erring_phone, live_server, helping_project, twelve_megapixels
):
    """A proxy's 413 page refuses the photo with a Chinese reason; a 502 page for one record
    leaves it waiting while the records behind it go out."""
    page = erring_phone
    log_in(page, live_server, "leader1")
    capture_url = f"{live_server.url}{reverse('activities:activity_create', args=[helping_project.pk])}"
    page.goto(capture_url)
    page.context.set_offline(True)
    for title in ("第一条：网关出错", "第二条：照片太大"):
        fill_activity(page, title)
        if title.startswith("第二条"):
            choose_photos(page, photo_files(twelve_megapixels, 1), ["大照片"])
        save(page)
        expect(page.get_by_test_id("capture-status")).to_have_attribute("data-state", "queued")

    def gateway(route):
        if "第一条" in unquote_plus((route.request.post_data_buffer or b"").decode("utf-8", "replace")):
            route.fulfill(status=502, content_type="text/html", body="<html><body>502 Bad Gateway</body></html>")
        else:
            route.continue_()

    page.route("**/activities/capture/projects/*/", gateway)
    page.route(
        "**/activities/capture/*/photos/",
        lambda route: route.fulfill(
            status=413, content_type="text/html", body="<html>413 Request Entity Too Large</html>"
        ),
    )
    page.context.set_offline(False)
    for _ in range(100):
        if ActivityLog.objects.filter(title="第二条：照片太大").exists() and len(outbox_records(page)) == 2:
            states = {record["title"]: record for record in outbox_records(page)}
            if states["第二条：照片太大"]["state"] == "refused":
                break
        page.wait_for_timeout(100)
    states = {record["title"]: record for record in outbox_records(page)}
    assert states["第一条：网关出错"]["state"] == "waiting"  # tried again later, with back-off
    assert states["第二条：照片太大"]["state"] == "refused"
    assert "文件太大" in states["第二条：照片太大"]["message"]
    assert not ActivityLog.objects.filter(title="第一条：网关出错").exists()

    page.unroute("**/activities/capture/projects/*/")
    page.evaluate("() => window.DangjianSync.run(true)")
    for _ in range(100):
        if ActivityLog.objects.filter(title="第一条：网关出错").exists():
            break
        page.wait_for_timeout(100)
    assert ActivityLog.objects.filter(title="第一条：网关出错").count() == 1
    assert ActivityLog.objects.filter(title="第二条：照片太大").count() == 1


def test_an_error_page_refusing_the_activity_keeps_it_as_a_draft(erring_phone, live_server, helping_project):
    """A proxy's HTML page refusing the activity itself (no JSON to read) is a refusal too."""
    page = erring_phone
    log_in(page, live_server, "leader1")
    page.route(
        "**/activities/capture/projects/*/",
        lambda route: route.fulfill(status=413, content_type="text/html", body="<html>413</html>"),
    )
    page.goto(f"{live_server.url}{reverse('activities:activity_create', args=[helping_project.pk])}")
    fill_activity(page, "城口县送教：体育课")
    save(page)
    expect(page.get_by_test_id("capture-status")).to_contain_text("文件太大")
    [record] = outbox_records(page)
    assert record["state"] == "refused"
    assert not ActivityLog.objects.exists()


def test_a_record_another_tab_sends_while_this_one_waits_to_retry_frees_the_form(
    phone_without_worker, live_server, helping_project, twelve_megapixels
):
    """The photo fails on this page and waits for its retry; another tab (or the service worker)
    sends it meanwhile: this page says 已保存 and takes the next activity, without a reload."""
    page = phone_without_worker
    page.route("**/activities/capture/*/photos/", lambda route: route.abort("connectionreset"))
    log_in(page, live_server, "leader1")
    page.goto(f"{live_server.url}{reverse('activities:activity_create', args=[helping_project.pk])}")
    fill_activity(page, "涪陵区送教：音乐课")
    choose_photos(page, photo_files(twelve_megapixels, 1), ["合唱"])
    save(page)
    status = page.get_by_test_id("capture-status")
    expect(status).to_contain_text("稍后自动重试", timeout=30_000)
    expect(page.get_by_role("button", name="保存活动记录")).to_be_disabled()

    other = page.context.new_page()  # its requests are not cut
    other.goto(f"{live_server.url}/")
    expect(status).to_have_attribute("data-state", "saved", timeout=30_000)
    expect(page.get_by_role("button", name="保存活动记录")).to_be_enabled()
    expect(page.get_by_label("活动名称")).to_have_value("")
    activity = ActivityLog.objects.get()
    assert list(activity.photos.values_list("caption", flat=True)) == ["合唱"]
    other.close()


def test_logging_out_warns_of_what_is_unsent_and_then_clears_the_outbox(
    phone_without_worker, live_server, helping_project
):
    page = phone_without_worker
    # The server cannot be reached for the capture API: what is saved stays in the outbox.
    page.route("**/activities/capture/projects/*/", lambda route: route.abort("connectionreset"))
    log_in(page, live_server, "leader1")
    page.goto(f"{live_server.url}{reverse('activities:activity_create', args=[helping_project.pk])}")
    fill_activity(page, "秀山县美术工作坊")
    save(page)
    expect(page.get_by_test_id("capture-status")).to_contain_text("稍后自动重试")
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("outbox-badge")).to_have_text("待同步 1")

    warnings: list[str] = []
    page.once("dialog", lambda dialog: (warnings.append(dialog.message), dialog.dismiss()))
    page.locator("form[data-logout]").evaluate("form => form.requestSubmit()")
    page.wait_for_timeout(300)
    assert warnings == ["本机还有 1 项活动记录或照片没有发送，退出登录会删除它们。仍要退出吗？"]
    assert page.evaluate(OUTBOX_SIZE) == 1  # kept: the user stayed

    # As on a page the service worker kept from an earlier visit: a token the server refuses.
    page.locator("form[data-logout] input[name=csrfmiddlewaretoken]").evaluate("field => field.value = 'x'.repeat(64)")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("form[data-logout]").evaluate("form => form.requestSubmit()")
    assert page.evaluate(OUTBOX_SIZE) == 0
    assert not ActivityLog.objects.exists()
    # Logged out, not stopped by a CSRF refusal: the form took a fresh token first.
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url


def test_a_leader_who_lost_the_project_meanwhile_is_told_so_and_keeps_the_draft(
    phone_without_worker, live_server, helping_project
):
    from members.models import User
    from projects import services as project_services

    page = phone_without_worker
    log_in(page, live_server, "leader1")
    page.goto(f"{live_server.url}{reverse('activities:activity_create', args=[helping_project.pk])}")
    fill_activity(page, "彭水县送教")
    # While the leader types, the secretary concludes the project.
    project_services.project_conclude(
        actor=User.objects.get(username="secretary"), project=helping_project, comment="按期完成。"
    )
    save(page)

    status = page.get_by_test_id("capture-status")
    expect(status).to_contain_text("您已不能为这个项目记录活动")
    expect(page.get_by_label("活动名称")).to_have_value("彭水县送教")
    expect(page.get_by_role("button", name="保存活动记录")).to_be_enabled()
    assert page.evaluate(OUTBOX_SIZE) == 1
    assert not ActivityLog.objects.exists()


def test_a_refused_record_waits_as_a_draft_that_opens_again_in_the_form(
    phone_without_worker, live_server, helping_project, twelve_megapixels
):
    page = phone_without_worker
    log_in(page, live_server, "leader1")
    capture_url = f"{live_server.url}{reverse('activities:activity_create', args=[helping_project.pk])}"
    page.goto(capture_url)
    fill_activity(page, "大苹果树洞心理辅导")
    page.get_by_label("活动日期").fill("2021-03-01")  # outside the project's 2024-2025 school year
    choose_photos(page, photo_files(twelve_megapixels, 1), ["辅导室"])
    save(page)
    expect(page.get_by_test_id("capture-status")).to_contain_text("学年内")
    assert not ActivityLog.objects.exists()

    page.goto(f"{live_server.url}/")
    panel = page.get_by_test_id("outbox-panel")
    expect(panel).to_contain_text("大苹果树洞心理辅导")
    expect(panel).to_contain_text("学年内")
    panel.get_by_role("link", name="修改后重新保存").click()
    expect(page.get_by_label("活动名称")).to_have_value("大苹果树洞心理辅导")
    expect(page.get_by_label("照片 1 的说明（可不填）")).to_have_value("辅导室")
    page.get_by_label("活动日期").fill("2024-11-20")
    save(page)
    saved(page)

    activity = ActivityLog.objects.get()
    assert activity.date.isoformat() == "2024-11-20" and activity.title == "大苹果树洞心理辅导"
    assert list(activity.photos.values_list("caption", flat=True)) == ["辅导室"]
    assert page.evaluate(OUTBOX_SIZE) == 0
