"""The whole application journey in a real Chromium at desktop width, through the UI only.

leader1 writes and submits an application; committee1 and committee2 score it; the secretary
returns it with feedback and shares the reviewers' comments; leader1 revises and resubmits;
both members score round 2; the secretary approves; leader1 sees 已立项 and the comment.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from projects.demo import seed_catalogue
from projects.enums import EventAction, ProjectStatus
from projects.models import MicroProject, ScoreSheet
from projects.school_years import school_year_of
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

TITLE = "“书香结对”阅读帮扶"
RETURN_FEEDBACK = "请把一对一助学的目标提高到 80 人次，并写明结对名单。"
APPROVE_COMMENT = "同意立项。请按修改后的目标推进，按月记录活动。"
COMMITTEE1_COMMENT = "目标明确，建议细化每月的活动安排。"
COMMITTEE2_COMMENT = "党员参与面广，助学目标可以再提高。"
# Scores in the rubric's order: 目标明确, 方案可行, 党建引领 (×1.5), 预期成效, 特色创新 (×0.5); each out of 20.
# Weighted total = 100 × Σ(weight × score / 20) / Σ weight, with Σ weight = 5.
ROUND_1 = {
    "committee1": ([16, 16, 16, 16, 16], "80.00"),  # 100 × 4.0 / 5
    "committee2": ([18, 14, 17, 15, 20], "82.50"),  # 100 × (0.9 + 0.7 + 1.275 + 0.75 + 0.5) / 5
}
ROUND_2 = {
    "committee1": ([18, 18, 18, 18, 18], "90.00"),
    "committee2": ([19, 18, 18, 17, 16], "89.00"),  # 100 × (0.95 + 0.9 + 1.35 + 0.85 + 0.4) / 5
}
REVIEWER_NAMES = ("陈立新", "周文静")


@pytest.fixture
def catalogue_site(demo_site):
    """The demo schools with 大坪小学's project types, indicators and rubric; no projects yet."""
    daping = demo_site[0]
    seed_catalogue(daping)
    return daping


def _switch_to(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, live_server, username)


def _open_from_project_list(page) -> None:
    page.locator(".navbar").get_by_role("link", name="微项目", exact=True).click()
    page.get_by_test_id("project-list").get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)


def _write_application(page, artifacts_dir) -> None:
    page.locator(".navbar").get_by_role("link", name="微项目", exact=True).click()
    page.get_by_role("link", name="申报新项目").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("申报党建微项目")
    form = page.get_by_test_id("application-form")
    form.get_by_label("项目名称").fill(TITLE)
    form.get_by_label("项目类型").select_option(label="服务型「帮扶暖心」")
    # 学年 is a choice of this school year and the next, starting on this one (no calendar is set).
    this_year = school_year_of(timezone.localdate())
    next_year = f"{int(this_year[:4]) + 1}-{int(this_year[:4]) + 2}"
    year = form.get_by_label("学年")
    expect(year).to_have_value(this_year)
    expect(year.locator("option")).to_have_text([f"{next_year} 学年", f"{this_year} 学年"])
    year.select_option(label=f"{this_year} 学年")
    form.get_by_label("项目背景").fill("部分低年级学生阅读习惯尚未养成，课外阅读量明显不足。")
    form.get_by_label("项目目标").fill("党员与低年级学生结对共读，每周一次，带动家庭阅读。")
    form.get_by_label("预期成果").fill("结对共读 60 人次以上，捐赠图书 500 册，形成阅读案例集。")
    form.get_by_label("张玺（第一党小组）").check()
    form.get_by_label("李晓燕（第一党小组）").check()

    form.locator("[name=phases-0-title]").fill("结对共读")
    form.locator("[name=phases-0-starts_on]").fill("2025-09-01")
    form.locator("[name=phases-0-ends_on]").fill("2026-01-15")
    form.locator("[name=phases-0-description]").fill("每周一次共读，月底交流")

    # The form offers two target rows; the third comes from the 增加指标 button (formset.js).
    form.locator("[name=targets-0-indicator]").select_option(label="一对一助学（人次）")
    form.locator("[name=targets-0-target_value]").fill("60")
    form.locator("[name=targets-1-indicator]").select_option(label="捐赠图书（册）")
    form.locator("[name=targets-1-target_value]").fill("500")
    expect(form.locator("[name=targets-2-indicator]")).to_have_count(0)
    form.get_by_role("button", name="增加指标").click()
    expect(form.locator("[name=targets-TOTAL_FORMS]")).to_have_value("3")
    form.locator("[name=targets-2-indicator]").select_option(label="社区志愿服务（人次）")
    form.locator("[name=targets-2-target_value]").fill("20")
    page.screenshot(path=str(artifacts_dir / "application-form-1280.png"), full_page=True)

    with page.expect_navigation():
        form.get_by_role("button", name="保存并提交申报").click()


def _score(page, live_server, username: str, scores: list[int], recommendation: str, comment: str) -> None:
    """Find the application under 我的待评项目 and submit a score sheet through the form."""
    page.locator(".navbar").get_by_role("link", name="评审", exact=True).click()
    pending = page.get_by_test_id("my-pending")
    pending.get_by_role("link", name=TITLE).click()
    form = page.get_by_test_id("score-form")
    fields = form.locator("input[type=number]")
    expect(fields).to_have_count(len(scores))
    for field, value in zip(fields.all(), scores, strict=True):
        field.fill(str(value))
    form.get_by_label(recommendation, exact=True).check()
    form.get_by_label("评审意见").fill(comment)
    with page.expect_navigation():
        form.get_by_role("button", name="提交评分").click()
    expect(page.locator(".alert-success")).to_contain_text("评分已保存")
    # Once scored, the application leaves the reviewer's pending list.
    page.locator(".navbar").get_by_role("link", name="评审", exact=True).click()
    expect(page.get_by_test_id("my-pending")).not_to_contain_text(TITLE)


def _current_round(page):
    return page.locator("[data-testid=review-round]").first


def _expect_summary(section, count: int, mean: str, median: str, spread: str) -> None:
    summary = section.get_by_test_id("score-summary")
    expect(summary.locator("[data-stat=count]")).to_have_text(str(count))
    expect(summary.locator("[data-stat=mean]")).to_have_text(mean)
    expect(summary.locator("[data-stat=median]")).to_have_text(median)
    expect(summary.locator("[data-stat=spread]")).to_have_text(spread)


def _open_review_as_secretary(page, live_server) -> None:
    _switch_to(page, live_server, "secretary")
    page.locator(".navbar").get_by_role("link", name="评审", exact=True).click()
    page.get_by_test_id("review-queue").get_by_role("link", name=TITLE).click()
    expect(page.get_by_test_id("project-status")).to_have_text("评审中")


def _decide(page, decision: str, comment: str, *, share_reviewer_comments: bool) -> None:
    form = page.get_by_test_id("decision-form")
    # The two committee members scored; the secretary has not: she confirms deciding without her own.
    expect(form.get_by_test_id("quorum")).to_contain_text("本轮已有 2 人评分，作出决定需 3 人。")
    expect(form.get_by_test_id("quorum")).to_contain_text("尚未评分：李雪梅")
    form.get_by_label("评分人数不足，我确认仍要作出决定").check()
    form.get_by_label(decision, exact=True).check()
    form.get_by_label("党委意见").fill(comment)
    share = form.get_by_label("向申报党小组公开评审意见（匿名）")
    if share_reviewer_comments:
        share.check()
    else:
        share.uncheck()
    with page.expect_navigation():
        form.get_by_role("button", name="提交决定").click()


def test_application_is_returned_revised_and_approved_in_two_rounds(page, live_server, catalogue_site, artifacts_dir):
    # leader1 writes the application and submits it.
    log_in(page, live_server, "leader1")
    _write_application(page, artifacts_dir)
    expect(page.get_by_test_id("project-status")).to_have_text("已提交")
    expect(page.locator(".alert-success")).to_contain_text("申报已提交，等待党委评审。")
    assert MicroProject.objects.get(title=TITLE).school_year == school_year_of(timezone.localdate())
    targets = page.get_by_test_id("targets")
    expect(targets.locator("tbody tr")).to_have_count(3)
    expect(targets).to_contain_text("一对一助学")
    expect(targets).to_contain_text("60 人次")
    expect(targets).to_contain_text("500 册")
    expect(targets).to_contain_text("20 人次")
    expect(page.get_by_test_id("phases")).to_contain_text("2025-09-01 — 2026-01-15")
    expect(page.get_by_test_id("participants")).to_contain_text("张玺")
    expect(page.get_by_test_id("participants")).to_contain_text("李晓燕")

    # Round 1: committee1 scores first and sees its own sheet only.
    _switch_to(page, live_server, "committee1")
    scores, total1 = ROUND_1["committee1"]
    _score(page, live_server, "committee1", scores, "立项", COMMITTEE1_COMMENT)
    page.get_by_test_id("review-queue").get_by_role("link", name=TITLE).click()
    expect(page.get_by_test_id("project-status")).to_have_text("评审中")
    expect(page.get_by_test_id("weighted-total")).to_have_text([total1])

    # committee2 cannot see committee1's score before scoring, then sees both.
    _switch_to(page, live_server, "committee2")
    page.locator(".navbar").get_by_role("link", name="评审", exact=True).click()
    page.get_by_test_id("my-pending").get_by_role("link", name=TITLE).click()
    expect(page.get_by_test_id("scores-hidden")).to_contain_text("本轮已有 1 位委员提交评分")
    expect(page.get_by_test_id("review-table")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(COMMITTEE1_COMMENT)
    scores, total2 = ROUND_1["committee2"]
    _score(page, live_server, "committee2", scores, "修改后立项", COMMITTEE2_COMMENT)
    page.get_by_test_id("review-queue").get_by_role("link", name=TITLE).click()
    table = page.get_by_test_id("review-table")
    expect(table).to_contain_text("陈立新")
    expect(table).to_contain_text(COMMITTEE1_COMMENT)
    expect(table.get_by_test_id("weighted-total")).to_have_text([total1, total2])

    # The secretary reads both sheets with their statistics and returns the application.
    _open_review_as_secretary(page, live_server)
    round_one = _current_round(page)
    expect(round_one.get_by_test_id("sheet-row")).to_have_count(2)
    expect(round_one.get_by_test_id("weighted-total")).to_have_text(["80.00", "82.50"])
    _expect_summary(round_one, 2, mean="81.25", median="81.25", spread="2.50")
    expect(round_one).to_contain_text("陈立新")
    expect(round_one).to_contain_text("周文静")
    page.screenshot(path=str(artifacts_dir / "review-round1-secretary-1280.png"), full_page=True)
    _decide(page, "退回修改", RETURN_FEEDBACK, share_reviewer_comments=True)
    expect(page.get_by_test_id("project-status")).to_have_text("退回修改")

    # leader1 sees the decision, the feedback and the anonymised reviewers' comments.
    _switch_to(page, live_server, "leader1")
    _open_from_project_list(page)
    expect(page.get_by_test_id("project-status")).to_have_text("退回修改")
    expect(page.get_by_test_id("decision-comment")).to_contain_text(RETURN_FEEDBACK)
    shared = page.get_by_test_id("shared-reviews")
    expect(shared).to_contain_text("评审人 A")
    expect(shared).to_contain_text("评审人 B")
    expect(shared).to_contain_text(COMMITTEE1_COMMENT)
    expect(shared).to_contain_text(COMMITTEE2_COMMENT)
    expect(shared).to_contain_text("修改后立项")
    for name in REVIEWER_NAMES:
        expect(page.locator("main")).not_to_contain_text(name)
    expect(page.get_by_test_id("timeline")).to_contain_text("退回修改")
    page.screenshot(path=str(artifacts_dir / "application-returned-1280.png"), full_page=True)

    # leader1 raises the target as asked, saves, and resubmits from the project page.
    page.get_by_test_id("project-actions").get_by_role("link", name="编辑申报").click()
    expect(page.locator(".alert-warning")).to_contain_text(RETURN_FEEDBACK)
    form = page.get_by_test_id("application-form")
    expect(form.locator("[name=targets-0-target_value]")).to_have_value("60.00")
    form.locator("[name=targets-0-target_value]").fill("80")
    with page.expect_navigation():
        form.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_test_id("project-status")).to_have_text("退回修改")
    expect(page.get_by_test_id("targets")).to_contain_text("80 人次")
    with page.expect_navigation():
        page.get_by_test_id("project-actions").get_by_role("button", name="修改完成，重新提交").click()
    expect(page.get_by_test_id("project-status")).to_have_text("已提交")
    expect(page.get_by_text("第 2 轮评审")).to_be_visible()

    # Round 2: both members score again; round 1 stays visible below the current round.
    for username in ("committee1", "committee2"):
        _switch_to(page, live_server, username)
        scores, _total = ROUND_2[username]
        _score(page, live_server, username, scores, "立项", f"第二轮：{username} 同意立项。")

    _open_review_as_secretary(page, live_server)
    expect(page.get_by_text("第 2 轮评审")).to_be_visible()
    rounds = page.get_by_test_id("review-round")
    expect(rounds).to_have_count(2)
    expect(rounds.first).to_have_attribute("data-round", "2")
    expect(rounds.first.get_by_test_id("weighted-total")).to_have_text(["90.00", "89.00"])
    _expect_summary(rounds.first, 2, mean="89.50", median="89.50", spread="1.00")
    expect(rounds.last.get_by_test_id("weighted-total")).to_have_text(["80.00", "82.50"])
    _decide(page, "立项", APPROVE_COMMENT, share_reviewer_comments=False)
    expect(page.get_by_test_id("project-status")).to_have_text("已立项")

    # leader1 sees the approval and the secretary's comment.
    _switch_to(page, live_server, "leader1")
    _open_from_project_list(page)
    expect(page.get_by_test_id("project-status")).to_have_text("已立项")
    expect(page.get_by_test_id("decision-comment")).to_contain_text(APPROVE_COMMENT)
    expect(page.get_by_test_id("shared-reviews")).to_have_count(0)
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("退回修改")
    expect(timeline).to_contain_text("修改后重新提交")
    expect(timeline).to_contain_text("批准立项")
    expect(timeline).to_contain_text(APPROVE_COMMENT)
    for name in REVIEWER_NAMES:
        expect(page.locator("main")).not_to_contain_text(name)
    page.screenshot(path=str(artifacts_dir / "application-approved-1280.png"), full_page=True)

    # The database holds what the pages showed.
    project = MicroProject.objects.get(title=TITLE)
    assert project.status == ProjectStatus.APPROVED
    assert project.review_round == 2
    assert project.decision_comment == APPROVE_COMMENT
    assert project.created_by.username == "leader1"
    assert {(t.indicator.name, t.target_value) for t in project.targets.select_related("indicator")} == {
        ("一对一助学", 80),
        ("捐赠图书", 500),
        ("社区志愿服务", 20),
    }
    sheets = ScoreSheet.objects.filter(project=project).order_by("review_round", "reviewer__username")
    assert [(s.review_round, s.reviewer.username, str(s.weighted_total)) for s in sheets] == [
        (1, "committee1", "80.00"),
        (1, "committee2", "82.50"),
        (2, "committee1", "90.00"),
        (2, "committee2", "89.00"),
    ]
    events = list(project.events.order_by("created_at", "pk").values_list("action", "review_round", "actor__username"))
    assert events == [
        (EventAction.CREATED, 1, "leader1"),
        (EventAction.SUBMITTED, 1, "leader1"),
        (EventAction.REVIEW_STARTED, 1, "committee1"),
        (EventAction.SCORED, 1, "committee1"),
        (EventAction.SCORED, 1, "committee2"),
        (EventAction.RETURNED, 1, "secretary"),
        (EventAction.RESUBMITTED, 2, "leader1"),
        (EventAction.REVIEW_STARTED, 2, "committee1"),
        (EventAction.SCORED, 2, "committee1"),
        (EventAction.SCORED, 2, "committee2"),
        (EventAction.APPROVED, 2, "secretary"),
    ]
