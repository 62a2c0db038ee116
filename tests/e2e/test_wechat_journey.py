"""The portal in WeChat's built-in browser, as close as this machine gets: Chromium (WeChat's XWeb
on Android is Chromium too) with WeChat's user agent, a 375 px touch screen, no service worker
(as older in-app browsers) and no Background Sync."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from projects.demo import seed_projects
from projects.models import MicroProject
from tests.e2e.conftest import PHONE, _watched_page, log_in
from tests.e2e.page_checks import axe_problems, layout_problems, serve_axe
from tests.test_wechat_hint import DOWNLOAD_HINT, WECHAT_ANDROID

pytestmark = pytest.mark.e2e


@pytest.fixture
def wechat_page(request, browser, live_server, artifacts_dir):
    with _watched_page(
        request,
        browser,
        artifacts_dir,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        user_agent=WECHAT_ANDROID,
        service_workers="block",
    ) as page:
        serve_axe(page.context, live_server.url)
        yield page


def test_in_wechat_a_leader_reads_the_project_and_is_told_how_to_download_its_application(
    wechat_page, live_server, demo_site, artifacts_dir, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    seed_projects(demo_site[0])
    project = MicroProject.objects.get(title="“帮扶暖心”党建微项目")
    page = wechat_page
    log_in(page, live_server, "leader1")
    page.goto(f"{live_server.url}{reverse('projects:detail', args=[project.pk])}")
    hint = page.get_by_test_id("wechat-hint")
    expect(hint).to_have_text(DOWNLOAD_HINT)
    box = hint.bounding_box()
    assert box["width"] <= PHONE["width"], "the note fits the phone's width"
    assert not axe_problems(page, live_server.url, "project page in WeChat")
    assert not layout_problems(page, "project page in WeChat")
    page.screenshot(path=str(artifacts_dir / "wechat-project-375.png"), full_page=False)

    # With no service worker the capture form still records (the in-page outbox sends it).
    page.goto(f"{live_server.url}{reverse('activities:activity_create', args=[project.pk])}")
    expect(page.get_by_test_id("activity-form")).to_have_attribute("data-capture-ready", "")
    expect(page.get_by_test_id("wechat-hint")).to_have_count(0)
