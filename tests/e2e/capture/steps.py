"""The capture journeys' shared steps: the photos a phone picks, the form filled in and saved,
what the outbox holds and how a test waits for it to empty."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from activities.models import ActivityLog

PHOTO_SIZE = (4000, 3000)
PHOTO_SIZE = (4000, 3000)
# What Chromium logs for the capture requests a test cuts off or has refused on purpose.
CUT_OR_REFUSED = re.compile(
    r"^Failed to load resource: (net::ERR_CONNECTION_RESET|the server responded with a status of (403|409) \(\w+\)) "
    r"\(http://[^/]+/activities/capture/[\w/]+\)$"
)
CLIENT_ID = re.compile(rb'name="client_id"\r\n\r\n([0-9a-f-]{36})')


def photo_files(content: bytes, count: int) -> list[dict]:
    return [
        {"name": f"IMG_{index:04d}.jpg", "mimeType": "image/jpeg", "buffer": content} for index in range(1, count + 1)
    ]


def fill_activity(page, title: str) -> None:
    form = page.get_by_test_id("activity-form")
    expect(form).to_have_attribute("data-capture-ready", "")
    form.get_by_label("活动日期").fill("2024-10-15")
    form.get_by_label("活动类型").select_option(label="一对一助学")
    form.get_by_label("活动名称").fill(title)
    form.get_by_label("活动地点").fill("三年级教室")


def choose_photos(page, photos: list[dict], captions: list[str]) -> None:
    page.get_by_test_id("capture-files").set_input_files(photos)
    items = page.get_by_test_id("capture-list").locator("[data-capture-photo]")
    expect(items).to_have_count(len(photos))
    for index, caption in enumerate(captions, start=1):
        page.get_by_label(f"照片 {index} 的说明（可不填）").fill(caption)
    expect(items.locator(":scope[data-ready]")).to_have_count(len(photos), timeout=30_000)


def save(page) -> None:
    page.get_by_role("button", name="保存活动记录").click()


def saved(page) -> None:
    expect(page.get_by_test_id("capture-status")).to_have_attribute("data-state", "saved", timeout=60_000)
    expect(page.get_by_test_id("capture-status")).to_contain_text("已保存")


def pieces_kept(page, url: str) -> None:
    """Wait until the service worker controls the page and keeps `url` for offline use."""
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    kept = "async url => !!(await (await caches.open('dangjian-pages')).match(url))"
    for _ in range(100):
        if page.evaluate(kept, url):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the service worker did not keep {url}")


def background_sync_of(blank, live_server):
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


# How many records the outbox (IndexedDB) holds.
OUTBOX_SIZE = """() => new Promise(resolve => {
  const opening = indexedDB.open('dangjian-outbox', 1);
  opening.onupgradeneeded = () => opening.result.createObjectStore('records', {keyPath: 'id'});
  opening.onsuccess = () => {
    const request = opening.result.transaction('records').objectStore('records').count();
    request.onsuccess = () => { opening.result.close(); resolve(request.result); };
  };
})"""


def wait_until_sent(page) -> None:
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


def outbox_records(page) -> list[dict]:
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


def edit_offline(page, live_server, activity: ActivityLog, title: str) -> str:
    """Open the activity's edit page online (the worker keeps it), then edit it with no network."""
    edit_url = f"{live_server.url}{reverse('activities:activity_edit', args=[activity.pk])}"
    page.goto(edit_url)
    form = page.get_by_test_id("activity-form")
    expect(form).to_have_attribute("data-capture-ready", "")
    page.context.set_offline(True)
    page.get_by_label("活动名称").fill(title)
    save(page)
    status = page.get_by_test_id("capture-status")
    expect(status).to_have_attribute("data-state", "queued")
    expect(status).to_contain_text("待同步")
    return edit_url
