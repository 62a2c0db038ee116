"""Capture in the field, in a real Chromium at phone width: an activity and its photos in one step,
shrunk on the phone, sent in pieces with progress, kept in the outbox when the network drops,
sent exactly once.

The photos are 12-megapixel JPEGs (4000 × 3000) made with Pillow; the server must end up with
each once, re-encoded, no larger than 2048 px (the phone's limit).
"""

import io
import uuid

import pytest
from django.db import connection
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from activities.models import ActivityLog, Photo
from tests.activities import image_files as files
from tests.e2e.capture.steps import (
    CLIENT_ID,
    PHOTO_SIZE,
    background_sync_of,
    choose_photos,
    fill_activity,
    photo_files,
    pieces_kept,
    save,
    saved,
)
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_a_leader_records_an_activity_with_five_captioned_photos_in_one_step(
    phone_page, live_server, helping_project, twelve_megapixels, artifacts_dir
):
    page = phone_page
    log_in(page, live_server, "leader1")
    page.goto(f"{live_server.url}{reverse('activities:activity_create', args=[helping_project.pk])}")
    fill_activity(page, "送教下乡：邻水县示范课")
    captions = ["示范课现场", "课后评课", "", "与当地教师合影", "赠书仪式"]
    choose_photos(page, photo_files(twelve_megapixels, 5), captions)
    # Moved before saving: the third photo goes first.
    page.get_by_test_id("capture-list").locator("[data-capture-photo]").nth(2).get_by_role(
        "button", name="上移"
    ).click()
    page.get_by_test_id("capture-list").locator("[data-capture-photo]").nth(1).get_by_role(
        "button", name="上移"
    ).click()
    expect(page.get_by_test_id("capture-list")).to_contain_text("已在手机上压缩")
    page.screenshot(path=str(artifacts_dir / "capture-form-375.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 377

    save(page)
    saved(page)
    page.screenshot(path=str(artifacts_dir / "capture-saved-375.png"), full_page=True)

    activity = ActivityLog.objects.get(project=helping_project)
    assert activity.title == "送教下乡：邻水县示范课"
    photos = list(Photo.objects.filter(activity=activity).order_by("created_at", "pk"))
    assert [photo.caption for photo in photos] == ["", "示范课现场", "课后评课", "与当地教师合影", "赠书仪式"]
    for photo in photos:
        assert photo.client_id is not None
        assert (photo.width, photo.height) == (2048, 1536)
        with photo.original.open("rb") as stored, Image.open(stored) as image:
            assert image.size == (2048, 1536) and image.format == "JPEG"
            assert not image.getexif() and "icc_profile" not in image.info
    assert page.get_by_role("link", name="查看活动记录").get_attribute("href") == reverse(
        "activities:activity_detail", args=[activity.pk]
    )
    # The form is ready for the next activity, with nothing carried over.
    expect(page.get_by_test_id("capture-list").locator("[data-capture-photo]")).to_have_count(0)
    expect(page.get_by_label("活动名称")).to_have_value("")
    assert page.locator("input[name=client_id]").input_value() != str(activity.client_id)


def test_offline_a_leader_records_an_activity_that_is_sent_once_when_the_network_returns(
    phone_page, live_server, helping_project, twelve_megapixels, artifacts_dir
):
    page = phone_page
    capture_url = f"{live_server.url}{reverse('activities:activity_create', args=[helping_project.pk])}"
    log_in(page, live_server, "leader1")
    # Online once: the home page hands its 记录活动 pages to the service worker.
    pieces_kept(page, capture_url)
    pieces_kept(page, f"{live_server.url}/")

    page.context.set_offline(True)
    response = page.goto(capture_url)
    assert response.from_service_worker
    fill_activity(page, "城口县送教：美术工作坊")
    choose_photos(page, photo_files(twelve_megapixels, 3), ["工作坊现场", "学生作品", "合影"])
    save(page)
    status = page.get_by_test_id("capture-status")
    expect(status).to_have_attribute("data-state", "queued")
    expect(status).to_contain_text("待同步")
    expect(page.get_by_test_id("outbox-panel")).to_contain_text("城口县送教：美术工作坊")
    page.screenshot(path=str(artifacts_dir / "capture-offline-375.png"), full_page=True)
    assert not ActivityLog.objects.exists()

    response = page.goto(f"{live_server.url}/")
    assert response.from_service_worker
    badge = page.get_by_test_id("outbox-badge")
    expect(badge).to_have_text("待同步 3")
    page.screenshot(path=str(artifacts_dir / "home-outbox-375.png"))

    page.context.set_offline(False)
    expect(badge).to_be_hidden(timeout=30_000)
    activity = ActivityLog.objects.get()
    assert activity.title == "城口县送教：美术工作坊"
    assert list(Photo.objects.filter(activity=activity).values_list("caption", flat=True)) == [
        "工作坊现场",
        "学生作品",
        "合影",
    ]

    # Reloading and retrying send nothing more.
    page.reload()
    page.evaluate("() => window.DangjianSync.run(true)")
    page.wait_for_timeout(1000)
    expect(page.get_by_test_id("outbox-badge")).to_be_hidden()
    assert ActivityLog.objects.count() == 1 and Photo.objects.count() == 3


def test_background_sync_sends_the_outbox_with_no_page_of_the_portal_open(
    phone_page, live_server, helping_project, twelve_megapixels
):
    """The leader records offline and closes the portal; when the signal returns, the browser's
    Background Sync wakes the service worker, which sends the record on its own."""
    page = phone_page
    capture_url = f"{live_server.url}{reverse('activities:activity_create', args=[helping_project.pk])}"
    log_in(page, live_server, "leader1")
    pieces_kept(page, capture_url)
    page.context.set_offline(True)
    page.goto(capture_url)
    fill_activity(page, "秀山县送教：阅读分享会")
    choose_photos(page, photo_files(twelve_megapixels, 2), ["分享会现场", "赠书"])
    save(page)
    expect(page.get_by_test_id("capture-status")).to_have_attribute("data-state", "queued")
    tags = "async () => { const r = await navigator.serviceWorker.ready; return r.sync ? r.sync.getTags() : null; }"
    for _ in range(50):
        if page.evaluate(tags):
            break
        page.wait_for_timeout(100)
    assert page.evaluate(tags) == ["dangjian-outbox"], "the page asked for a Background Sync"

    # No page of the portal stays open: only a blank tab, to reach the browser's DevTools.
    blank = page.context.new_page()
    page.close()
    background_sync = background_sync_of(blank, live_server)
    assert not ActivityLog.objects.exists()

    blank.context.set_offline(False)
    background_sync()
    for _ in range(300):
        if Photo.objects.count() == 2:
            break
        blank.wait_for_timeout(100)
    activity = ActivityLog.objects.get()
    assert activity.title == "秀山县送教：阅读分享会"
    assert list(Photo.objects.filter(activity=activity).values_list("caption", flat=True)) == ["分享会现场", "赠书"]

    # The next visit finds the outbox empty and sends nothing more.
    again = blank.context.new_page()
    again.goto(f"{live_server.url}/")
    expect(again.get_by_test_id("outbox-badge")).to_be_hidden()
    again.wait_for_timeout(1000)
    assert ActivityLog.objects.count() == 1 and Photo.objects.count() == 2


@pytest.mark.parametrize("server_has_it", [False, True], ids=["cut-before-the-server-has-it", "answer-lost"])
def test_a_connection_cut_during_the_third_photo_sends_only_that_photo_again(
    phone_without_worker, live_server, helping_project, twelve_megapixels, server_has_it, artifacts_dir
):
    page = phone_without_worker
    sent: list[bytes] = []

    def photos_route(route) -> None:
        client_id = CLIENT_ID.search(route.request.post_data_buffer or b"").group(1)
        sent.append(client_id)
        if len(sent) == 3:
            if server_has_it:
                route.fetch()  # the server stores it, the phone never hears back
            route.abort("connectionreset")
            return
        route.continue_()

    page.route("**/activities/capture/*/photos/", photos_route)
    log_in(page, live_server, "leader1")
    page.goto(f"{live_server.url}{reverse('activities:activity_create', args=[helping_project.pk])}")
    fill_activity(page, "涪陵区结对帮扶")
    choose_photos(page, photo_files(twelve_megapixels, 4), ["一", "二", "三", "四"])
    save(page)

    third = page.get_by_test_id("capture-list").locator("[data-capture-photo]").nth(2)
    expect(third).to_have_attribute("data-state", "failed", timeout=30_000)
    expect(third).to_contain_text("发送中断")
    expect(page.get_by_role("button", name="保存活动记录")).to_be_disabled()
    page.screenshot(path=str(artifacts_dir / "capture-retry-375.png"), full_page=True)
    third.get_by_role("button", name="重试").click()
    saved(page)

    activity = ActivityLog.objects.get()
    photos = list(Photo.objects.filter(activity=activity).order_by("created_at", "pk"))
    assert [photo.caption for photo in photos] == ["一", "二", "三", "四"]
    ids = [str(photo.client_id).encode() for photo in photos]
    # Photos 1 and 2 went once; the third went twice (the cut, then again); then the fourth.
    assert sent == [ids[0], ids[1], ids[2], ids[2], ids[3]]


RACE = """async ([url, clientId, together]) => {
  const session = await (await fetch('/activities/capture/session/')).json();
  const body = new URLSearchParams(new FormData(document.querySelector('[data-capture-form]')));
  body.set('client_id', clientId);
  const headers = {'X-CSRFToken': session.csrf, Accept: 'application/json'};
  const post = () => fetch(url, {method: 'POST', body, headers})
    .then(response => response.json().then(answer => [response.status, answer.activity_id]));
  if (together) return Promise.all([post(), post()]);
  const first = await post();
  return [first, await post()];
}"""
# At once on PostgreSQL, where each request of the live server has its own connection; on SQLite
# the live server's threads share one in-memory test connection, so the two go back to back
# (tests/concurrency/ races four copies on PostgreSQL, and against gunicorn on an SQLite file).
TOGETHER = connection.vendor == "postgresql"

PHOTO = """async ([url, clientId, bytes]) => {
  const session = await (await fetch('/activities/capture/session/')).json();
  const body = new FormData();
  body.append('photo', new Blob([new Uint8Array(bytes)], {type: 'image/jpeg'}), 'IMG_0001.jpg');
  body.append('client_id', clientId);
  const headers = {'X-CSRFToken': session.csrf, Accept: 'application/json'};
  const response = await fetch(url, {method: 'POST', body, headers});
  return [response.status, await response.json()];
}"""


def test_one_activity_id_sent_twice_is_one_row_and_a_photo_id_stays_with_its_activity(
    refusing_page, live_server, helping_project
):
    page = refusing_page
    log_in(page, live_server, "leader1")
    page.goto(f"{live_server.url}{reverse('activities:activity_create', args=[helping_project.pk])}")
    fill_activity(page, "家长学校：心理健康讲座")
    url = reverse("activities:capture_activity_create", args=[helping_project.pk])
    activity_id = str(uuid.uuid4())

    answers = page.evaluate(RACE, [url, activity_id, TOGETHER])

    activity = ActivityLog.objects.get()
    assert str(activity.client_id) == activity_id
    assert sorted(status for status, _ in answers) in ([200, 201], [201, 201])
    assert {answer for _, answer in answers} == {activity.pk}

    photo_id = str(uuid.uuid4())
    small = list(files.jpeg_bytes((800, 600)))
    status, answer = page.evaluate(PHOTO, [reverse("activities:capture_photo", args=[activity.pk]), photo_id, small])
    assert status == 201 and answer["photo_id"] == Photo.objects.get().pk
    # The same photo again (a retry): the photo it already has.
    status, again = page.evaluate(PHOTO, [reverse("activities:capture_photo", args=[activity.pk]), photo_id, small])
    assert status == 200 and again["photo_id"] == answer["photo_id"]

    (other_status, other), _ = page.evaluate(RACE, [url, str(uuid.uuid4()), False])
    assert other_status == 201
    status, refused = page.evaluate(PHOTO, [reverse("activities:capture_photo", args=[other]), photo_id, small])
    assert status == 409 and "另一条活动记录" in refused["message"]
    assert ActivityLog.objects.count() == 2
    assert list(Photo.objects.values_list("activity_id", flat=True)) == [activity.pk]


def test_a_photo_the_browser_cannot_decode_goes_whole_and_the_server_converts_it(
    phone_page, live_server, recorded_activity
):
    page = phone_page
    log_in(page, live_server, "teacher1")
    page.goto(f"{live_server.url}{reverse('activities:activity_detail', args=[recorded_activity.pk])}")
    upload = page.get_by_test_id("photo-upload-form")
    expect(upload).to_have_attribute("data-capture-ready", "")
    heic = files.heic_bytes()
    upload.get_by_test_id("capture-files").set_input_files(
        [
            {"name": "IMG_0001.HEIC", "mimeType": "image/heic", "buffer": heic},
            {"name": "IMG_0002.jpg", "mimeType": "image/jpeg", "buffer": files.jpeg_bytes(PHOTO_SIZE)},
        ]
    )
    items = upload.locator("[data-capture-photo]")
    expect(items.nth(0)).to_have_attribute("data-ready", "original", timeout=30_000)
    expect(items.nth(0)).to_contain_text("无法在手机上压缩，将发送原图")
    expect(items.nth(1)).to_have_attribute("data-ready", "shrunk", timeout=30_000)
    upload.get_by_label("照片 1 的说明（可不填）").fill("iPhone 拍的照片")
    upload.get_by_role("button", name="上传照片").click()
    expect(upload.get_by_test_id("capture-status")).to_have_attribute("data-state", "saved", timeout=60_000)

    heic_photo, jpeg_photo = Photo.objects.filter(activity=recorded_activity).order_by("created_at", "pk")
    assert heic_photo.original_name == "IMG_0001.HEIC" and heic_photo.caption == "iPhone 拍的照片"
    assert heic_photo.original.name.endswith(".jpg") and (heic_photo.width, heic_photo.height) == (400, 300)
    with heic_photo.original.open("rb") as stored, Image.open(io.BytesIO(stored.read())) as image:
        assert image.format == "JPEG"
    # The photo the browser could decode went shrunk, under a JPEG name.
    assert jpeg_photo.original_name == "IMG_0002.jpg" and (jpeg_photo.width, jpeg_photo.height) == (2048, 1536)
