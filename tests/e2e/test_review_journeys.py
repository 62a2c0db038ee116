"""The review in a real Chromium at phone width: a committee member scores, the secretary decides."""

import pytest
from playwright.sync_api import expect

from projects.demo import seed_projects
from projects.models import MicroProject
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

OVERFLOW_TOLERANCE = 2


@pytest.fixture
def review_site(demo_site):
    daping = demo_site[0]
    seed_projects(daping)
    return MicroProject.objects.get(title="“美术工作坊”领雁帮扶")  # submitted, not yet scored


def _fits_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + OVERFLOW_TOLERANCE


def test_committee_member_scores_and_secretary_decides_on_a_phone(phone_page, live_server, review_site, artifacts_dir):
    page = phone_page
    log_in(page, live_server, "committee1")
    page.goto(f"{live_server.url}/projects/review/")
    expect(page.get_by_test_id("my-pending")).to_contain_text("美术工作坊")
    page.screenshot(path=str(artifacts_dir / "review-queue-375.png"), full_page=True)
    _fits_phone(page)
    page.get_by_test_id("my-pending").get_by_role("link").first.click()
    form = page.get_by_test_id("score-form")
    for index, field in enumerate(form.locator("input[type=number]").all()):
        field.fill(str(15 + index % 3))
    form.get_by_label("立项", exact=True).check()
    form.locator("textarea").fill("目标明确，建议细化分工。")
    page.screenshot(path=str(artifacts_dir / "review-sheet-375.png"), full_page=True)
    _fits_phone(page)
    with page.expect_navigation():
        form.get_by_role("button", name="提交评分").click()
    expect(page.get_by_test_id("review-table")).to_contain_text("陈立新")

    page.context.clear_cookies()
    log_in(page, live_server, "secretary")
    page.goto(f"{live_server.url}/projects/{review_site.pk}/review/")
    decision = page.get_by_test_id("decision-form")
    # The demo's calendar asks for two scores: with one, the decision needs her confirmation.
    expect(decision.get_by_test_id("quorum")).to_contain_text("本轮已有 1 人评分，作出决定需 2 人。")
    decision.get_by_label("立项", exact=True).check()
    decision.locator("textarea").fill("同意立项。")
    with page.expect_navigation():
        decision.get_by_role("button", name="提交决定").click()
    expect(page.get_by_test_id("decision-form")).to_contain_text("如确需作出决定，请勾选确认后再提交。")
    expect(page.get_by_test_id("project-status")).to_have_text("评审中")
    decision = page.get_by_test_id("decision-form")
    decision.get_by_label("评分人数不足，我确认仍要作出决定").check()
    with page.expect_navigation():
        decision.get_by_role("button", name="提交决定").click()
    expect(page.get_by_test_id("project-status")).to_have_text("已立项")
    expect(page.get_by_test_id("decision-record")).to_contain_text("党委决定：立项")
    expect(page.get_by_test_id("decision-record")).to_contain_text("同意立项。")
    page.screenshot(path=str(artifacts_dir / "review-decided-375.png"), full_page=True)
    _fits_phone(page)
