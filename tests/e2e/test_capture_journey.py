"""Capture in the field, in a real Chromium at phone width: an activity and its photos in one step,
shrunk on the phone, sent in pieces with progress, kept in the outbox when the network drops,
sent exactly once.

The photos are 12-megapixel JPEGs (4000 × 3000) made with Pillow; the server must end up with
each once, re-encoded, no larger than 2048 px (the phone's limit).
"""

import io
import re
import uuid
from urllib.parse import unquote_plus

import pytest
from django.db import connection
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from activities.models import ActivityLog, Photo
from projects.demo import seed_projects
from projects.models import MicroProject
from tests.activities import image_files as files
from tests.e2e.conftest import DESKTOP, PHONE, _watched_page, log_in

pytestmark = pytest.mark.e2e

PHOTO_SIZE = (4000, 3000)
# What Chromium logs for the capture requests a test cuts off or has refused on purpose.
CUT_OR_REFUSED = re.compile(
    r"^Failed to load resource: (net::ERR_CONNECTION_RESET|the server responded with a status of (403|409) \(\w+\)) "
    r"\(http://[^/]+/activities/capture/[\w/]+\)$"
)
CLIENT_ID = re.compile(rb'name="client_id"\r\n\r\n([0-9a-f-]{36})')


@pytest.fixture(scope="module")
def twelve_megapixels() -> bytes:
    return files.jpeg_bytes(PHOTO_SIZE)


@pytest.fixture
def helping_project(demo_site, settings, tmp_path) -> MicroProject:
    settings.MEDIA_ROOT = tmp_path
    seed_projects(demo_site[0])
    return MicroProject.objects.get(title="“帮扶暖心”党建微项目")


@pytest.fixture
def phone_without_worker(request, browser, live_server, artifacts_dir):
    """A phone whose browser has no service worker (as some in-app browsers): the in-page outbox
    does the work, and every request of the page reaches Playwright's routes."""
    with _watched_page(
        request,
        browser,
        artifacts_dir,
        tolerated=(CUT_OR_REFUSED,),
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        service_workers="block",
    ) as page:
        yield page


@pytest.fixture
def phone_with_cut_page(request, browser, live_server, artifacts_dir):
    """A phone with its service worker, on which the page's own capture requests are cut on purpose."""
    with _watched_page(
        request, browser, artifacts_dir, tolerated=(CUT_OR_REFUSED,), viewport=PHONE, is_mobile=True, has_touch=True
    ) as page:
        yield page


@pytest.fixture
def refusing_page(request, browser, live_server, artifacts_dir):
    """A desktop page on which the server's 409 for a reused photo id is expected."""
    with _watched_page(request, browser, artifacts_dir, tolerated=(CUT_OR_REFUSED,), viewport=DESKTOP) as page:
        yield page


def _photo_files(content: bytes, count: int) -> list[dict]:
    return [
        {"name": f"IMG_{index:04d}.jpg", "mimeType": "image/jpeg", "buffer": content} for index in range(1, count + 1)
    ]


def _fill_activity(page, title: str) -> None:
    form = page.get_by_test_id("activity-form")
    expect(form).to_have_attribute("data-capture-ready", "")
    form.get_by_label("活动日期").fill("2024-10-15")
    form.get_by_label("活动类型").select_option(label="一对一助学")
    form.get_by_label("活动名称").fill(title)
    form.get_by_label("活动地点").fill("三年级教室")


def _choose_photos(page, photos: list[dict], captions: list[str]) -> None:
    page.get_by_test_id("capture-files").set_input_files(photos)
    items = page.get_by_test_id("capture-list").locator("[data-capture-photo]")
    expect(items).to_have_count(len(photos))
    for index, caption in enumerate(captions, start=1):
        page.get_by_label(f"照片 {index} 的说明（可不填）").fill(caption)
    expect(items.locator(":scope[data-ready]")).to_have_count(len(photos), timeout=30_000)


def _save(page) -> None:
    page.get_by_role("button", name="保存活动记录").click()


def _saved(page) -> None:
    expect(page.get_by_test_id("capture-status")).to_have_attribute("data-state", "saved", timeout=60_000)
    expect(page.get_by_test_id("capture-status")).to_contain_text("已保存")


def test_a_leader_records_an_activity_with_five_captioned_photos_in_one_step(
    phone_page, live_server, helping_project, twelve_megapixels, artifacts_dir
):
    page = phone_page
    log_in(page, live_server, "leader1")
    page.goto(f"{live_server.url}{reverse('activities:activity_create', args=[helping_project.pk])}")
    _fill_activity(page, "送教下乡：邻水县示范课")
    captions = ["示范课现场", "课后评课", "", "与当地教师合影", "赠书仪式"]
    _choose_photos(page, _photo_files(twelve_megapixels, 5), captions)
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

    _save(page)
    _saved(page)
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


def _pieces_kept(page, url: str) -> None:
    """Wait until the service worker controls the page and keeps `url` for offline use."""
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    kept = "async url => !!(await (await caches.open('dangjian-pages')).match(url))"
    for _ in range(100):
        if page.evaluate(kept, url):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the service worker did not keep {url}")


def test_offline_a_leader_records_an_activity_that_is_sent_once_when_the_network_returns(
    phone_page, live_server, helping_project, twelve_megapixels, artifacts_dir
):
    page = phone_page
    capture_url = f"{live_server.url}{reverse('activities:activity_create', args=[helping_project.pk])}"
    log_in(page, live_server, "leader1")
    # Online once: the home page hands its 记录活动 pages to the service worker.
    _pieces_kept(page, capture_url)
    _pieces_kept(page, f"{live_server.url}/")

    page.context.set_offline(True)
    response = page.goto(capture_url)
    assert response.from_service_worker
    _fill_activity(page, "城口县送教：美术工作坊")
    _choose_photos(page, _photo_files(twelve_megapixels, 3), ["工作坊现场", "学生作品", "合影"])
    _save(page)
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


def _background_sync_of(blank, live_server):
    """Chromium's DevTools on ``blank`` (a tab showing no page of the portal): a function that wakes
    the portal's service worker with its Background Sync event, as the browser does when the
    network returns."""
    devtools = blank.context.new_cdp_session(blank)
    registrations = []
    devtools.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    devtools.send("ServiceWorker.enable")
    for _ in range(50):
        if registrations:
            break
        blank.wait_for_timeout(100)
    [worker] = [r for r in registrations if r["scopeURL"] == f"{live_server.url}/" and not r["isDeleted"]]
    return lambda: devtools.send(
        "ServiceWorker.dispatchSyncEvent",
        {"origin": live_server.url, "registrationId": worker["registrationId"], "tag": "dangjian-outbox",
         "lastChance": False},
    )  # fmt: skip


def test_background_sync_sends_the_outbox_with_no_page_of_the_portal_open(
    phone_page, live_server, helping_project, twelve_megapixels
):
    """The leader records offline and closes the portal; when the signal returns, the browser's
    Background Sync wakes the service worker, which sends the record on its own."""
    page = phone_page
    capture_url = f"{live_server.url}{reverse('activities:activity_create', args=[helping_project.pk])}"
    log_in(page, live_server, "leader1")
    _pieces_kept(page, capture_url)
    page.context.set_offline(True)
    page.goto(capture_url)
    _fill_activity(page, "秀山县送教：阅读分享会")
    _choose_photos(page, _photo_files(twelve_megapixels, 2), ["分享会现场", "赠书"])
    _save(page)
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
    background_sync = _background_sync_of(blank, live_server)
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
    _fill_activity(page, "涪陵区结对帮扶")
    _choose_photos(page, _photo_files(twelve_megapixels, 4), ["一", "二", "三", "四"])
    _save(page)

    third = page.get_by_test_id("capture-list").locator("[data-capture-photo]").nth(2)
    expect(third).to_have_attribute("data-state", "failed", timeout=30_000)
    expect(third).to_contain_text("发送中断")
    expect(page.get_by_role("button", name="保存活动记录")).to_be_disabled()
    page.screenshot(path=str(artifacts_dir / "capture-retry-375.png"), full_page=True)
    third.get_by_role("button", name="重试").click()
    _saved(page)

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
    _fill_activity(page, "家长学校：心理健康讲座")
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


@pytest.fixture
def recorded_activity(helping_project) -> ActivityLog:
    import datetime

    from activities import activity_services
    from tests.activities.conftest import tutoring_data

    return activity_services.activity_log_create(
        actor=helping_project.group.leader.user,
        project=helping_project,
        data=tutoring_data(helping_project, date=datetime.date(2024, 10, 15)),
    )


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


OUTBOX_SIZE = """() => new Promise(resolve => {
  const opening = indexedDB.open('dangjian-outbox', 1);
  opening.onupgradeneeded = () => opening.result.createObjectStore('records', {keyPath: 'id'});
  opening.onsuccess = () => {
    const request = opening.result.transaction('records').objectStore('records').count();
    request.onsuccess = () => { opening.result.close(); resolve(request.result); };
  };
})"""


def _wait_until_sent(page) -> None:
    """Up to 30 s for the outbox to empty: everything in it reached the server."""
    for _ in range(300):
        if page.evaluate(OUTBOX_SIZE) == 0:
            break
        page.wait_for_timeout(100)


# What Chromium logs for the photos and records these tests have the server (or a proxy) refuse.
SERVER_ERRORS = re.compile(
    r"^Failed to load resource: the server responded with a status of (400|413|422|502) \([\w ]+\) "
    r"\(http://[^/]+/activities/capture/[\w/]+\)$"
)


@pytest.fixture
def erring_phone(request, browser, live_server, artifacts_dir):
    """A phone page (no service worker, so the page itself sends) that expects refused requests."""
    with _watched_page(
        request, browser, artifacts_dir, tolerated=(SERVER_ERRORS,), viewport=PHONE, is_mobile=True, has_touch=True,
        service_workers="block",
    ) as page:  # fmt: skip
        yield page


def _outbox_records(page) -> list[dict]:
    return page.evaluate(
        """() => new Promise(resolve => {
          const opening = indexedDB.open('dangjian-outbox', 1);
          opening.onsuccess = () => {
            const request = opening.result.transaction('records').objectStore('records').getAll();
            request.onsuccess = () => {
              opening.result.close();
              resolve(request.result.map(r => ({state: r.state, message: r.message, title: r.title})));
            };
          };
        })"""
    )


def test_a_photo_the_server_refuses_is_kept_with_its_reason_and_the_rest_is_saved(
    erring_phone, live_server, helping_project, twelve_megapixels, artifacts_dir
):
    page = erring_phone
    log_in(page, live_server, "leader1")
    page.goto(f"{live_server.url}{reverse('activities:activity_create', args=[helping_project.pk])}")
    _fill_activity(page, "彭水县送教：科学实验课")
    broken = {"name": "坏照片.jpg", "mimeType": "image/jpeg", "buffer": b"not a photo at all" * 100}
    _choose_photos(page, [*_photo_files(twelve_megapixels, 1), broken], ["实验课", "坏的"])
    _save(page)
    status = page.get_by_test_id("capture-status")
    expect(status).to_contain_text("坏照片.jpg", timeout=60_000)
    expect(status).not_to_contain_text("已保存")

    activity = ActivityLog.objects.get()
    assert list(activity.photos.values_list("caption", flat=True)) == ["实验课"]
    [record] = _outbox_records(page)
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
        _fill_activity(page, title)
        if title.startswith("第二条"):
            _choose_photos(page, _photo_files(twelve_megapixels, 1), ["大照片"])
        _save(page)
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
        if ActivityLog.objects.filter(title="第二条：照片太大").exists() and len(_outbox_records(page)) == 2:
            states = {record["title"]: record for record in _outbox_records(page)}
            if states["第二条：照片太大"]["state"] == "refused":
                break
        page.wait_for_timeout(100)
    states = {record["title"]: record for record in _outbox_records(page)}
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
    _fill_activity(page, "城口县送教：体育课")
    _save(page)
    expect(page.get_by_test_id("capture-status")).to_contain_text("文件太大")
    [record] = _outbox_records(page)
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
    _fill_activity(page, "涪陵区送教：音乐课")
    _choose_photos(page, _photo_files(twelve_megapixels, 1), ["合唱"])
    _save(page)
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
    _fill_activity(page, "秀山县美术工作坊")
    _save(page)
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
    _fill_activity(page, "彭水县送教")
    # While the leader types, the secretary concludes the project.
    project_services.project_conclude(
        actor=User.objects.get(username="secretary"), project=helping_project, comment="按期完成。"
    )
    _save(page)

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
    _fill_activity(page, "大苹果树洞心理辅导")
    page.get_by_label("活动日期").fill("2021-03-01")  # outside the project's 2024-2025 school year
    _choose_photos(page, _photo_files(twelve_megapixels, 1), ["辅导室"])
    _save(page)
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
    _save(page)
    _saved(page)

    activity = ActivityLog.objects.get()
    assert activity.date.isoformat() == "2024-11-20" and activity.title == "大苹果树洞心理辅导"
    assert list(activity.photos.values_list("caption", flat=True)) == ["辅导室"]
    assert page.evaluate(OUTBOX_SIZE) == 0


def _edit_offline(page, live_server, activity: ActivityLog, title: str) -> str:
    """Open the activity's edit page online (the worker keeps it), then edit it with no network."""
    edit_url = f"{live_server.url}{reverse('activities:activity_edit', args=[activity.pk])}"
    page.goto(edit_url)
    form = page.get_by_test_id("activity-form")
    expect(form).to_have_attribute("data-capture-ready", "")
    page.context.set_offline(True)
    page.get_by_label("活动名称").fill(title)
    _save(page)
    status = page.get_by_test_id("capture-status")
    expect(status).to_have_attribute("data-state", "queued")
    expect(status).to_contain_text("待同步")
    return edit_url


def test_an_activity_edited_offline_and_reloaded_updates_that_activity_when_the_network_returns(
    phone_page, live_server, recorded_activity
):
    page = phone_page
    log_in(page, live_server, "leader1")
    edit_url = f"{live_server.url}{reverse('activities:activity_edit', args=[recorded_activity.pk])}"
    page.goto(edit_url)
    _pieces_kept(page, edit_url)
    _edit_offline(page, live_server, recorded_activity, "周三放学后一对一辅导（离线补记）")

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
    _edit_offline(page, live_server, recorded_activity, "手机上离线改的名称")
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
    [record] = _outbox_records(page)
    assert record["state"] == "refused" and record["title"] == "手机上离线改的名称"
    activity = ActivityLog.objects.get()
    assert (activity.title, activity.version) == ("电脑上改的名称", 2)

    # The draft opens again in this activity's edit form, on the newer version; saved knowingly,
    # it updates the same activity (the newer edit stays in the history).
    page.reload()
    page.get_by_test_id("outbox-panel").get_by_role("link", name="修改后重新保存").click()
    expect(page.get_by_label("活动名称")).to_have_value("手机上离线改的名称")
    assert page.url.startswith(f"{live_server.url}{reverse('activities:activity_edit', args=[activity.pk])}?draft=")
    _save(page)
    _saved(page)
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
    _save(page)
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
    _save(page)
    _saved(page)
    activity = ActivityLog.objects.get()
    assert (activity.pk, activity.title, activity.version) == (recorded_activity.pk, "只改这一条", 2)


def test_two_offline_edits_of_one_activity_on_this_phone_are_both_saved_in_order(
    phone_without_worker, live_server, recorded_activity
):
    """The second edit was made after the first on this phone: it is based on what the first made."""
    page = phone_without_worker
    log_in(page, live_server, "leader1")
    _edit_offline(page, live_server, recorded_activity, "第一次离线修改")
    page.get_by_label("活动名称").fill("第二次离线修改")
    _save(page)
    expect(page.get_by_test_id("capture-status")).to_have_attribute("data-state", "queued")
    assert page.evaluate(OUTBOX_SIZE) == 2

    page.context.set_offline(False)
    _wait_until_sent(page)
    activity = ActivityLog.objects.get()
    assert (activity.title, activity.version) == ("第二次离线修改", 3)
    assert [revision.snapshot["title"] for revision in activity.revisions.order_by("pk")] == [
        "周三放学后一对一辅导",
        "第一次离线修改",
    ]
    # This page follows: a third edit, online now, is based on version 3 and saved.
    page.get_by_label("活动名称").fill("第三次修改")
    _save(page)
    _saved(page)
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
    _pieces_kept(page, edit_url)
    based_on = page.locator("input[name=based_on]")
    expect(based_on).to_have_value("1")
    _edit_offline(page, live_server, recorded_activity, "离线修改，由后台同步发出")

    # The page's own requests are cut; only the worker's reach the server.
    edit_capture = re.compile(r"/activities/capture/\d+/$")
    page.route(edit_capture, lambda route: route.abort("connectionreset"))
    background_sync = _background_sync_of(page.context.new_page(), live_server)
    page.context.set_offline(False)
    background_sync()
    _wait_until_sent(page)
    activity = ActivityLog.objects.get()
    assert (activity.title, activity.version) == ("离线修改，由后台同步发出", 2)
    expect(based_on).to_have_value("2")

    # The next edit from the same open page builds on that version: saved, not kept as a conflict.
    page.unroute(edit_capture)
    page.get_by_label("活动名称").fill("回到学校后再改一次")
    _save(page)
    _saved(page)
    activity.refresh_from_db()
    assert (activity.title, activity.version) == ("回到学校后再改一次", 3)
    assert [revision.snapshot["title"] for revision in activity.revisions.order_by("pk")] == [
        "周三放学后一对一辅导",
        "离线修改，由后台同步发出",
    ]
