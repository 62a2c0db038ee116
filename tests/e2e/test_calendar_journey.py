"""The year's calendar in Chromium: the secretary closes the application window, a leader is
refused with the dates, the secretary grants the group an extension, the leader submits, a
committee member scores, and the secretary decides below the quorum only by confirming it."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from projects.demo import seed_catalogue
from projects.models import MicroProject
from projects.school_years import school_year_of
from tests.e2e.conftest import log_in
from tests.projects.workflow_fixtures import draft_of

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

OVERFLOW_TOLERANCE = 2


@pytest.fixture
def calendar_site(demo_site):
    from members.models import User

    seed_catalogue(demo_site[0])
    year = school_year_of(timezone.localdate())
    return year, draft_of(User.objects.get(username="leader1"), "红领巾助学行动", school_year=year)


def _switch_to(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, live_server, username)


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width + OVERFLOW_TOLERANCE


def test_window_extension_and_quorum_as_secretary_leader_and_member(
    page, phone_page, live_server, calendar_site, artifacts_dir
):
    year, project = calendar_site
    today = timezone.localdate()
    opened, closed = today - datetime.timedelta(days=30), today - datetime.timedelta(days=1)

    # The secretary sets the window, which closed yesterday.
    log_in(page, live_server, "secretary")
    page.goto(f"{live_server.url}/projects/review/")
    page.get_by_test_id("calendar-link").click()
    expect(page.locator("h1")).to_have_text(f"{year} 学年日程")
    form = page.get_by_test_id("calendar-form")
    form.get_by_label("申报开始日期").fill(f"{opened:%Y-%m-%d}")
    form.get_by_label("申报截止日期").fill(f"{closed:%Y-%m-%d}")
    form.get_by_label("评审截止日期（首轮）").fill(f"{today + datetime.timedelta(days=14):%Y-%m-%d}")
    form.get_by_label("活动记录截止日（次月几日）").fill("5")
    with page.expect_navigation():
        form.get_by_role("button", name="保存日程").click()
    expect(page.locator(".alert-success")).to_contain_text(f"{year} 学年日程已保存")
    expect(page.get_by_test_id("calendar-changes")).to_contain_text(f"申报截止日期：— → {closed:%Y-%m-%d}")
    page.screenshot(path=str(artifacts_dir / "calendar-1280.png"), full_page=True)
    _fits(page, 1280)

    # The leader, on a phone, reads the window and is refused with its dates.
    phone = phone_page
    log_in(phone, live_server, "leader1")
    phone.goto(f"{live_server.url}/projects/{project.pk}/")
    expect(phone.get_by_test_id("application-window")).to_contain_text("现在不在申报期内，不能提交。")
    with phone.expect_navigation():
        phone.get_by_role("button", name="提交申报").click()
    expect(phone.locator("main")).to_contain_text(
        f"{year} 学年的项目申报已于 {closed:%Y-%m-%d} 截止。如需延期，请联系党委书记。"
    )
    expect(phone.get_by_test_id("project-status")).to_have_text("草稿")
    phone.screenshot(path=str(artifacts_dir / "calendar-refused-375.png"), full_page=True)
    _fits(phone, 375)

    # The secretary grants 第一党小组 a week more.
    until = today + datetime.timedelta(days=7)
    extension = page.get_by_test_id("extension-form")
    extension.get_by_label("党小组").select_option(label="第一党小组")
    extension.get_by_label("延期至").fill(f"{until:%Y-%m-%d}")
    extension.get_by_label("延期原因").fill("组长外出支教，返校后提交")
    with page.expect_navigation():
        extension.get_by_role("button", name="同意延期").click()
    expect(page.locator(".alert-success")).to_contain_text(f"已同意第一党小组延期至 {until:%Y-%m-%d}")
    expect(page.get_by_test_id("extension-row")).to_contain_text("组长外出支教")

    # The leader now submits.
    phone.reload()
    expect(phone.get_by_test_id("application-window")).to_contain_text(f"党委已同意本小组延期至 {until:%Y-%m-%d}")
    with phone.expect_navigation():
        phone.get_by_role("button", name="提交申报").click()
    expect(phone.get_by_test_id("project-status")).to_have_text("已提交")

    # A committee member scores on a phone; the review starts by itself.
    _switch_to(phone, live_server, "committee1")
    phone.goto(f"{live_server.url}/projects/{project.pk}/review/")
    expect(phone.get_by_test_id("review-starts")).to_contain_text("第一位委员提交评分后，项目自动进入评审。")
    score = phone.get_by_test_id("score-form")
    for field in score.locator("input[type=number]").all():
        field.fill("16")
    score.get_by_label("立项", exact=True).check()
    with phone.expect_navigation():
        score.get_by_role("button", name="提交评分").click()
    expect(phone.get_by_test_id("project-status")).to_have_text("评审中")

    # The secretary sees who has not scored, is stopped once, then confirms.
    page.goto(f"{live_server.url}/projects/{project.pk}/review/")
    decision = page.get_by_test_id("decision-form")
    expect(decision.get_by_test_id("quorum")).to_contain_text("本轮已有 1 人评分，作出决定需 3 人。")
    expect(decision.get_by_test_id("quorum")).to_contain_text("尚未评分：周文静、李雪梅")
    decision.get_by_label("立项", exact=True).check()
    decision.get_by_label("党委意见").fill("同意立项，请按计划推进。")
    with page.expect_navigation():
        decision.get_by_role("button", name="提交决定").click()
    expect(page.get_by_test_id("decision-form")).to_contain_text("如确需作出决定，请勾选确认后再提交。")
    page.screenshot(path=str(artifacts_dir / "quorum-1280.png"), full_page=True)
    page.get_by_test_id("decision-form").get_by_label("评分人数不足，我确认仍要作出决定").check()
    with page.expect_navigation():
        page.get_by_test_id("decision-form").get_by_role("button", name="提交决定").click()
    record = page.get_by_test_id("decision-record")
    expect(record).to_contain_text("党委决定：立项")
    expect(record).to_contain_text("同意立项，请按计划推进。")
    expect(record).to_contain_text("当时尚未评分：周文静、李雪梅")
    assert MicroProject.objects.get(pk=project.pk).status == "approved"

    # The leader reads the decision, its date and comment on the project page.
    _switch_to(phone, live_server, "leader1")
    phone.goto(f"{live_server.url}/projects/{project.pk}/")
    record = phone.get_by_test_id("decision-record")
    expect(record).to_contain_text("党委决定：立项")
    expect(record).to_contain_text(f"{today:%Y-%m-%d}")
    expect(record).to_contain_text("同意立项，请按计划推进。")
    phone.screenshot(path=str(artifacts_dir / "decision-375.png"), full_page=True)
    _fits(phone, 375)

    # A member of the committee (not the secretary) is not offered the calendar (its URL is 403:
    # tests/test_permission_matrix.py).
    _switch_to(phone, live_server, "committee1")
    phone.goto(f"{live_server.url}/projects/review/")
    expect(phone.get_by_test_id("review-queue")).to_be_visible()
    expect(phone.get_by_test_id("calendar-link")).to_have_count(0)
