"""Capture in the field, in a real Chromium at phone width: an activity and its photos in one step,
shrunk on the phone, sent in pieces with progress, kept in the outbox when the network drops,
sent exactly once.

The photos are 12-megapixel JPEGs (4000 × 3000) made with Pillow; the server must end up with
each once, re-encoded, no larger than 2560 px.
"""

import io
import re
import uuid

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from activities.models import ActivityLog, Photo
from projects.demo import seed_projects
from projects.models import MicroProject
from tests.activities import image_files as files
from tests.e2e.conftest import PHONE, _watched_page, log_in

pytestmark = pytest.mark.e2e

PHOTO_SIZE = (4000, 3000)
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
        request, browser, artifacts_dir, viewport=PHONE, is_mobile=True, has_touch=True, service_workers="block"
    ) as page:
        yield page


def _photo_files(content: bytes, count: int) -> list[dict]:
    return [{"name": f"IMG_{index:04d}.jpg", "mimeType": "image/jpeg", "buffer": content} for index in range(1, count + 1)]


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
        assert (photo.width, photo.height) == (2560, 1920)
        with photo.original.open("rb") as stored, Image.open(stored) as image:
            assert image.size == (2560, 1920) and image.format == "JPEG"
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
