"""The foundation's journeys in a real Chromium: log in as each role, the org tree, the
roster and the navbar on a phone, log out."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, log_in

pytestmark = pytest.mark.e2e

DAPING = "重庆市渝中区大坪小学校"
HONGYAN = "重庆市渝中区红岩小学校"
# Room for sub-pixel rounding; anything more is a real horizontal scroll.
OVERFLOW_TOLERANCE = 2


@pytest.mark.parametrize(
    ("username", "name", "positions", "school"),
    [
        ("secretary", "李雪梅", ["党委书记"], DAPING),
        ("committee1", "陈立新", ["党委委员"], DAPING),
        ("branch1", "王丽娟", ["支部书记"], DAPING),
        ("leader1", "袁懿", ["党小组长"], DAPING),
        ("teacher1", "张玺", ["党员教师"], DAPING),
        ("hy-secretary", "钟红梅", ["党委书记"], HONGYAN),
    ],
)
def test_each_role_logs_in_and_sees_its_home(page, live_server, demo_site, username, name, positions, school):
    log_in(page, live_server, username)

    assert page.url == f"{live_server.url}/"
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{name}，您好")
    expect(page.locator(".badge-post")).to_have_text(positions)
    expect(page.locator("main")).to_contain_text(school)
    other_school = HONGYAN if school == DAPING else DAPING
    expect(page.locator("body")).not_to_contain_text(other_school)


def test_logout_from_the_user_menu(page, live_server, demo_site):
    log_in(page, live_server, "leader1")

    page.locator(".navbar").get_by_role("button", name="袁懿").click()
    with page.expect_navigation():
        page.get_by_role("button", name="退出登录").click()

    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    expect(page.locator("input[name=username]")).to_be_visible()
    # The session is really gone: the home page sends us back to the login form.
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")


def test_wrong_password_shows_the_error_and_stays_on_login(page, live_server, demo_site):
    log_in(page, live_server, "secretary", password="not-the-password")

    assert page.url == f"{live_server.url}/accounts/login/"
    expect(page.locator("form")).to_contain_text("请输入一个正确的用户名和密码。注意，两者都区分大小写。")
    expect(page.locator("input[name=username]")).to_have_value("secretary")
    expect(page.locator(".navbar-collapse")).to_have_count(0)


def test_org_tree_shows_six_groups(page, live_server, demo_site):
    log_in(page, live_server, "secretary")
    page.goto(f"{live_server.url}/org/")

    expect(page.get_by_test_id("org-group")).to_have_count(6)
    expect(page.get_by_test_id("org-group").first).to_contain_text("第一党小组")
    expect(page.get_by_test_id("org-group").last).to_contain_text("第六党小组")


def test_home_screenshots_at_phone_and_desktop_width(page, live_server, full_demo, artifacts_dir):
    log_in(page, live_server, "secretary")

    for width, viewport in ((375, PHONE), (1280, DESKTOP)):
        page.set_viewport_size(viewport)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        path = artifacts_dir / f"home-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        # A PNG's IHDR chunk holds the image width at bytes 16-19.
        assert int.from_bytes(path.read_bytes()[16:20], "big") == width


def test_navbar_collapses_on_a_phone_and_opens_when_tapped(phone_page, live_server, demo_site):
    page = phone_page
    requested_hosts: set[str] = set()
    page.on("request", lambda request: requested_hosts.add(urlsplit(request.url).hostname))
    log_in(page, live_server, "secretary")

    toggler = page.locator(".navbar-toggler")
    menu = page.locator("#main-nav")
    expect(toggler).to_be_visible()
    expect(menu).to_be_hidden()
    expect(menu.get_by_role("link", name="组织架构", exact=True)).to_be_hidden()

    toggler.tap()
    expect(menu).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("link", name="组织架构", exact=True)).to_be_visible()
    expect(menu.get_by_role("link", name="党员名册", exact=True)).to_be_visible()

    # Bootstrap's JS and CSS come from our own static files: no request leaves the machine.
    assert requested_hosts == {"localhost"}
    assert page.evaluate("typeof window.bootstrap") == "object"


def test_roster_fits_a_phone_without_horizontal_scroll(phone_page, live_server, demo_site, artifacts_dir):
    page = phone_page
    log_in(page, live_server, "secretary")
    page.goto(f"{live_server.url}/members/")

    table = page.get_by_test_id("member-table")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(36)
    expect(table).to_contain_text("袁懿")
    page.screenshot(path=str(artifacts_dir / "members-375.png"), full_page=True)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375 + OVERFLOW_TOLERANCE
