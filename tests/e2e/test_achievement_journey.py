"""Achievements and their verification in a real Chromium at phone width.

teacher1 records a district 一等奖 with a certificate photo chosen through the file chooser and an
article; both wait as 待审核. The secretary verifies the award from the verification queue, a
committee member rejects the article with a reason. teacher1 reads 已认定 and the reason, and the
award now counts in the 党员画像 of the member page and of the group page.
"""

from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from activities.enums import AchievementKind, AchievementLevel, AchievementRank, AchievementStatus
from activities.models import Achievement
from members.models import Member, Notification
from projects.demo import seed_projects
from projects.models import MicroProject
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

OVERFLOW_TOLERANCE = 2
AWARD = "渝中区青年教师语文优质课大赛"
ARTICLE = "小学语文课堂中的党建育人实践"
REASON = "缺少刊物的刊号和发表页，请补充后重新提交。"


@pytest.fixture
def helping_project(demo_site, settings, tmp_path) -> MicroProject:
    seed_projects(demo_site[0])
    return MicroProject.objects.get(title="“帮扶暖心”党建微项目")


@pytest.fixture
def certificate_photo(tmp_path) -> Path:
    """A phone photo of a certificate: a small JPEG with a red border and a few lines of "text"."""
    image = Image.new("RGB", (1200, 850), (250, 245, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle((30, 30, 1170, 820), outline=(180, 20, 20), width=18)
    for y in range(250, 650, 80):
        draw.line((200, y, 1000, y), fill=(60, 60, 60), width=6)
    path = tmp_path / "upload" / "获奖证书.jpg"
    path.parent.mkdir()
    image.save(path, "JPEG", quality=85)
    return path


def _fits_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + OVERFLOW_TOLERANCE


def _switch_user(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, live_server, username)


def _record(page, live_server, *, kind: str, title: str, level: str, rank: str, body: str, date: str) -> None:
    """Open the record form from the achievement list and fill the fields every achievement has."""
    page.goto(f"{live_server.url}/activities/achievements/")
    with page.expect_navigation():
        page.get_by_role("link", name="填报成果").click()
    form = page.get_by_test_id("achievement-form")
    form.get_by_label("成果类别").select_option(label=kind)
    form.get_by_label("成果名称").fill(title)
    form.get_by_label("级别").select_option(label=level)
    form.get_by_label("等次").select_option(label=rank)
    form.get_by_label("颁发单位").fill(body)
    form.get_by_label("获得日期").fill(date)
    # A teacher credits only themself, ticked already.
    expect(form.get_by_label("张玺（第一党小组）")).to_be_checked()
    expect(form.locator("input[name=members]")).to_have_count(1)


def _portrait_shows(page, *, verified: str, pending: str | None) -> None:
    portrait = page.get_by_test_id("portrait")
    expect(portrait.get_by_test_id("portrait-achievements")).to_have_text(verified)
    if pending is None:
        expect(portrait.get_by_test_id("portrait-pending")).to_have_count(0)
    else:
        expect(portrait.get_by_test_id("portrait-pending")).to_have_text(pending)


def test_teacher_records_an_award_the_committee_verifies_one_and_rejects_another(
    phone_page, live_server, helping_project, certificate_photo, artifacts_dir
):
    page = phone_page
    teacher = Member.objects.get(user__username="teacher1")
    secretary = Member.objects.get(user__username="secretary")
    committee_member = Member.objects.get(user__username="committee1")
    member_url = f"{live_server.url}/members/{teacher.pk}/"
    group_url = f"{live_server.url}/org/groups/{teacher.group_id}/"

    # teacher1 records the award, choosing the certificate photo through the file chooser.
    log_in(page, live_server, "teacher1")
    _record(
        page,
        live_server,
        kind="获奖",
        title=AWARD,
        level="区级",
        rank="一等奖",
        body="重庆市渝中区教育委员会",
        date="2025-05-20",
    )
    form = page.get_by_test_id("achievement-form")
    form.get_by_label("关联微项目（可选）").select_option(value=str(helping_project.pk))
    with page.expect_file_chooser() as chooser:
        form.locator("input[name=certificate]").click()
    chooser.value.set_files(certificate_photo)
    page.screenshot(path=str(artifacts_dir / "achievement-form-375.png"), full_page=True)
    _fits_phone(page)
    with page.expect_navigation():
        form.get_by_role("button", name="提交审核").click()
    expect(page.get_by_role("alert").first).to_contain_text("成果已提交，等待党委审核认定。")
    expect(page.get_by_role("heading", level=1)).to_have_text(AWARD)
    expect(page.get_by_test_id("achievement-status")).to_have_text("待审核")
    expect(page.get_by_test_id("verify-actions")).to_have_count(0)
    expect(page.locator("dd").filter(has_text="重庆市渝中区教育委员会")).to_have_count(1)
    expect(page.locator("dd").filter(has_text="“帮扶暖心”党建微项目")).to_have_count(1)
    certificate_link = page.get_by_test_id("certificate-link")
    expect(certificate_link).to_have_text("获奖证书.jpg")
    certificate = page.request.get(live_server.url + certificate_link.get_attribute("href"))
    assert certificate.ok
    assert certificate.headers["content-type"] == "image/jpeg"
    assert certificate.headers["x-content-type-options"] == "nosniff"
    award_url = page.url

    # A second one, without a certificate, which the committee will turn back.
    _record(
        page,
        live_server,
        kind="论文/文章发表",
        title=ARTICLE,
        level="市级",
        rank="无",
        body="《重庆教育》编辑部",
        date="2025-12-01",
    )
    with page.expect_navigation():
        page.get_by_test_id("achievement-form").get_by_role("button", name="提交审核").click()
    expect(page.get_by_test_id("achievement-status")).to_have_text("待审核")
    article_url = page.url

    # Pending achievements are listed on the portrait but do not count yet.
    page.goto(member_url)
    _portrait_shows(page, verified="0", pending="另有 2 项待审核")
    portrait_list = page.get_by_test_id("portrait-achievement-list")
    expect(portrait_list.get_by_role("link", name=AWARD)).to_have_count(0)
    expect(portrait_list.locator("li").filter(has_text=AWARD)).to_contain_text("待审核")

    # The secretary finds them on the home page's to-do list and verifies the award in the queue.
    _switch_user(page, live_server, "secretary")
    with page.expect_navigation():
        page.get_by_test_id("todo-achievements").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("待审核成果")
    expect(page.get_by_test_id("queue-item")).to_have_count(2)
    award_item = page.get_by_test_id("queue-item").filter(has_text=AWARD)
    expect(award_item).to_contain_text("获奖 · 区级 · 一等奖 · 2025-05-20 · 重庆市渝中区教育委员会")
    expect(award_item).to_contain_text("张玺 填报")
    expect(award_item.get_by_role("link", name="查看证书")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "achievement-queue-375.png"), full_page=True)
    _fits_phone(page)
    with page.expect_navigation():
        award_item.get_by_role("button", name="认定", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text(f"已认定成果《{AWARD}》。")
    expect(page.get_by_test_id("queue-item")).to_have_count(1)
    expect(page.get_by_test_id("queue-item")).to_contain_text(ARTICLE)

    # committee1 turns the article back with a reason.
    _switch_user(page, live_server, "committee1")
    page.goto(f"{live_server.url}/activities/achievements/review/")
    article_item = page.get_by_test_id("queue-item").filter(has_text=ARTICLE)
    expect(page.get_by_test_id("queue-item")).to_have_count(1)
    article_item.get_by_label("未通过原因").fill(REASON)
    with page.expect_navigation():
        article_item.get_by_role("button", name="不予认定").click()
    expect(page.get_by_role("alert").first).to_contain_text(f"已退回成果《{ARTICLE}》，填报人会看到原因。")
    expect(page.get_by_test_id("queue-item")).to_have_count(0)
    expect(page.get_by_test_id("achievement-queue")).to_contain_text("暂无待审核的成果。")

    # teacher1 reads both outcomes: in the list, on each page and in the notifications.
    _switch_user(page, live_server, "teacher1")
    page.goto(f"{live_server.url}/activities/achievements/")
    rows = page.get_by_test_id("achievement-row")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text=AWARD).locator(".badge")).to_have_text("已认定")
    expect(rows.filter(has_text=ARTICLE).locator(".badge")).to_have_text("未通过")
    expect(rows.filter(has_text=ARTICLE)).to_contain_text(f"未通过原因：{REASON}")
    page.screenshot(path=str(artifacts_dir / "achievement-list-375.png"), full_page=True)
    _fits_phone(page)
    page.goto(award_url)
    expect(page.get_by_test_id("achievement-status")).to_have_text("已认定")
    expect(page.locator("dd").filter(has_text=secretary.name)).to_have_count(1)
    expect(page.get_by_test_id("edit-achievement")).to_have_count(0)
    page.goto(article_url)
    expect(page.get_by_test_id("achievement-status")).to_have_text("未通过")
    expect(page.get_by_test_id("rejection-reason")).to_contain_text(REASON)
    page.screenshot(path=str(artifacts_dir / "achievement-rejected-375.png"), full_page=True)
    _fits_phone(page)
    page.goto(f"{live_server.url}/members/notifications/")
    expect(page.get_by_test_id("notifications")).to_contain_text(f"成果《{ARTICLE}》未通过审核：{REASON}")

    # The verified award now counts where verified achievements count; the rejected one is left out.
    for url in (member_url, group_url):
        page.goto(url)
        _portrait_shows(page, verified="1", pending=None)
        portrait_list = page.get_by_test_id("portrait-achievement-list")
        expect(portrait_list.get_by_role("link", name=AWARD)).to_be_visible()
        expect(portrait_list.locator("li").filter(has_text=AWARD)).to_contain_text("区级 · 一等奖 · 获奖 · 2025-05")
        expect(portrait_list).not_to_contain_text(ARTICLE)
        _fits_phone(page)
    page.screenshot(path=str(artifacts_dir / "achievement-group-portrait-375.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_test_id("portrait-achievement-list").get_by_role("link", name=AWARD).click()
    assert page.url == award_url

    # The database holds what the pages said.
    award = Achievement.objects.get(title=AWARD)
    assert (award.kind, award.level, award.rank) == (
        AchievementKind.AWARD,
        AchievementLevel.DISTRICT,
        AchievementRank.FIRST,
    )
    assert award.status == AchievementStatus.VERIFIED
    assert award.verified_by == secretary.user
    assert award.verified_at is not None
    assert award.recorded_by == teacher.user
    assert list(award.members.all()) == [teacher]
    assert award.project == helping_project
    assert award.issuing_body == "重庆市渝中区教育委员会"
    assert award.awarded_on.isoformat() == "2025-05-20"
    assert award.certificate_name == "获奖证书.jpg"
    stored = Path(award.certificate.path)
    assert stored.is_file() and stored.name != "获奖证书.jpg"
    with Image.open(stored) as image:
        assert image.format == "JPEG"
        assert image.size == (1200, 850)
    article = Achievement.objects.get(title=ARTICLE)
    assert article.status == AchievementStatus.REJECTED
    assert article.rejection_reason == REASON
    assert article.verified_by == committee_member.user
    assert not article.certificate
    assert Achievement.objects.count() == 2
    assert Notification.objects.filter(recipient=teacher.user, message__contains=REASON).count() == 1
