"""The year-end assessment in Chromium: conclude, open a round, two members score, publish, the leader reads it."""

import pytest
from playwright.sync_api import expect

from projects.demo import seed_projects
from projects.models import MicroProject
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

OVERFLOW_TOLERANCE = 2


@pytest.fixture
def assessment_site(demo_site):
    seed_projects(demo_site[0])
    return MicroProject.objects.get(title="“帮扶暖心”党建微项目")  # 第一党小组's, in progress


def _score(page, live_server, username: str, values: list[int]) -> None:
    page.context.clear_cookies()
    log_in(page, live_server, username)
    expect(page.get_by_test_id("todo-assessments")).to_contain_text("待考核 1 项")
    page.get_by_test_id("todo-assessments").click()
    page.get_by_test_id("assessment-round-row").get_by_role("link").first.click()
    page.get_by_test_id("board-row").get_by_role("link").first.click()
    expect(page.get_by_test_id("evidence-targets")).to_contain_text("一对一助学")
    form = page.get_by_test_id("assessment-form")
    for field, value in zip(form.locator("input[type=number]").all(), values, strict=True):
        field.fill(str(value))
    form.locator("textarea").fill("活动扎实，佐证齐全。")
    with page.expect_navigation():
        form.get_by_role("button", name="提交评分").click()
    expect(page.get_by_test_id("assessment-sheets")).to_be_visible()


def test_secretary_runs_the_assessment_and_the_leader_reads_the_rating(
    page, phone_page, live_server, assessment_site, artifacts_dir
):
    project = assessment_site
    log_in(page, live_server, "secretary")
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("project-actions").get_by_role("button", name="结项").click()
    expect(page.get_by_test_id("project-status")).to_have_text("已结项")

    page.get_by_role("link", name="年度考核").first.click()
    page.get_by_test_id("open-assessment").click()
    expect(page.locator("select[name=school_year]")).to_have_value("2024-2025")
    with page.expect_navigation():
        page.get_by_test_id("assessment-open-form").get_by_role("button", name="开启考核").click()
    expect(page.get_by_test_id("assessment-rubric")).to_contain_text("群众评价")
    expect(page.get_by_test_id("board-row")).to_contain_text("帮扶暖心")

    _score(page, live_server, "committee1", [18, 19, 17, 16, 18])  # 89.50
    page.screenshot(path=str(artifacts_dir / "assessment-sheet-1280.png"), full_page=True)
    _score(page, live_server, "committee2", [20, 20, 18, 18, 19])  # 96.00
    expect(page.get_by_test_id("entry-rating")).to_have_text("优秀")

    page.context.clear_cookies()
    log_in(page, live_server, "secretary")
    page.goto(f"{live_server.url}/projects/assessment/")
    page.get_by_test_id("assessment-round-row").get_by_role("link").first.click()
    page.get_by_test_id("ranking-link").click()
    expect(page.get_by_test_id("ranking-row")).to_contain_text("92.75")
    with page.expect_navigation():
        page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("round-status")).to_have_text("已公布")
    page.screenshot(path=str(artifacts_dir / "assessment-ranking-1280.png"), full_page=True)

    phone = phone_page
    log_in(phone, live_server, "leader1")
    expect(phone.get_by_test_id("todo-assessment-result")).to_contain_text("优秀")
    phone.get_by_test_id("todo-assessment-result").click()
    expect(phone.get_by_test_id("assessment-rating")).to_have_text("优秀")
    expect(phone.get_by_test_id("assessment-mean")).to_have_text("92.75")
    phone.screenshot(path=str(artifacts_dir / "assessment-result-375.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375 + OVERFLOW_TOLERANCE
