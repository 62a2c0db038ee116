"""Activity logs and photos in a real Chromium at phone width.

leader1 records an activity with indicator values on 帮扶暖心, teacher1 uploads two photos through
the file chooser and pages through them in the lightbox, and the project's progress bar moves.
"""

import pytest
from playwright.sync_api import expect

from activities.models import ActivityLog, Photo
from activities.tasks import make_photo_display_sizes
from projects.demo import seed_projects
from projects.models import MicroProject
from tests.activities import image_files as files
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

OVERFLOW_TOLERANCE = 2


@pytest.fixture
def helping_project(demo_site, settings, tmp_path) -> MicroProject:
    settings.MEDIA_ROOT = tmp_path
    seed_projects(demo_site[0])
    return MicroProject.objects.get(title="“帮扶暖心”党建微项目")


def _fits_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + OVERFLOW_TOLERANCE


def _tutoring_bar(page):
    row = page.get_by_test_id("project-progress").locator("li").filter(has_text="一对一助学")
    return row.get_by_test_id("target-progress").locator(".progress-bar")


def test_leader_logs_an_activity_teacher_adds_photos_and_progress_moves(
    phone_page, live_server, helping_project, artifacts_dir
):
    page = phone_page
    project_url = f"{live_server.url}/projects/{helping_project.pk}/"
    log_in(page, live_server, "leader1")
    page.goto(project_url)
    expect(page.get_by_test_id("project-progress")).to_contain_text("0 / 80 人次 · 0.0%")
    assert _tutoring_bar(page).evaluate("bar => bar.getBoundingClientRect().width") == 0

    page.get_by_test_id("add-activity").click()
    form = page.get_by_test_id("activity-form")
    form.get_by_label("活动日期").fill("2024-10-15")
    form.get_by_label("活动类型").select_option(label="一对一助学")
    form.get_by_label("活动名称").fill("周三放学后一对一辅导")
    form.get_by_label("活动地点").fill("三年级教室")
    form.get_by_label("受益人数").fill("20")
    form.get_by_label("受益对象").fill("学困生")
    form.get_by_label("活动时长（小时）").fill("1.5")
    form.locator("input[name=participants]").first.check()
    tutoring_row = form.locator("[data-formset-row]").filter(
        has=page.locator("option[selected]", has_text="一对一助学")
    )
    tutoring_row.locator("input").fill("20")
    page.screenshot(path=str(artifacts_dir / "activity-form-375.png"), full_page=True)
    _fits_phone(page)
    form.get_by_role("button", name="保存活动记录").click()
    # Sent by the capture outbox: 已保存 on the page, with the way to the activity.
    expect(page.get_by_test_id("capture-status")).to_have_attribute("data-state", "saved")
    with page.expect_navigation():
        page.get_by_test_id("capture-status").get_by_role("link", name="查看活动记录").click()
    expect(page.get_by_test_id("indicator-values")).to_contain_text("20 人次")
    activity = ActivityLog.objects.get(project=helping_project)

    page.context.clear_cookies()
    log_in(page, live_server, "teacher1")
    page.goto(f"{live_server.url}/activities/{activity.pk}/")
    upload = page.get_by_test_id("photo-upload-form")
    # The same photo component as the activity form: shrunk on the phone, one request per photo.
    upload.get_by_test_id("capture-files").set_input_files(
        [
            {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": files.jpeg_bytes((1600, 1200))},
            {"name": "IMG_0002.jpg", "mimeType": "image/jpeg", "buffer": files.jpeg_bytes((1200, 1600))},
        ]
    )
    expect(upload).to_contain_text("已选择 2 张照片")
    upload.get_by_label("照片 1 的说明（可不填）").fill("结对辅导现场")
    upload.get_by_label("照片 2 的说明（可不填）").fill("结对辅导现场")
    expect(upload.locator("[data-capture-photo][data-ready]")).to_have_count(2)
    upload.get_by_role("button", name="上传照片").click()
    status = upload.get_by_test_id("capture-status")
    expect(status).to_have_attribute("data-state", "saved")
    with page.expect_navigation():
        status.get_by_role("link", name="查看活动记录").click()
    expect(page.get_by_test_id("gallery-photo")).to_have_count(2)
    # The worker's part (in process in the embedded run, a broker with no worker here otherwise).
    for photo in Photo.objects.filter(activity=activity):
        make_photo_display_sizes(photo.pk)
    page.reload()
    expect(page.get_by_test_id("photo-pending")).to_have_count(0)
    page.locator("[data-lightbox]").first.click()
    lightbox = page.locator("#lightbox-activity")
    expect(lightbox).to_be_visible()
    expect(lightbox).to_contain_text("结对辅导现场 1 / 2")
    lightbox.get_by_role("button", name="下一张").click()
    expect(lightbox).to_contain_text("2 / 2")
    expect(lightbox.locator("[data-lightbox-image]")).to_have_js_property("complete", True)
    assert lightbox.locator("[data-lightbox-image]").evaluate("image => image.naturalWidth") == 1200
    page.screenshot(path=str(artifacts_dir / "activity-lightbox-375.png"))
    page.keyboard.press("Escape")
    expect(lightbox).to_be_hidden()
    _fits_phone(page)

    page.goto(project_url)
    expect(page.get_by_test_id("project-progress")).to_contain_text("20 / 80 人次 · 25.0%")
    assert _tutoring_bar(page).evaluate("bar => bar.getBoundingClientRect().width") > 0
    expect(page.get_by_test_id("project-gallery").get_by_test_id("gallery-photo")).to_have_count(2)
    page.screenshot(path=str(artifacts_dir / "project-activities-375.png"), full_page=True)
    _fits_phone(page)
