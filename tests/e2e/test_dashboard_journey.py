"""The dashboard in Chromium: the secretary opens it from the navbar, every chart is drawn by the
vendored ECharts, the table under a chart holds the chart's numbers, the print page hides the
shell; then the same dashboard on a phone. Screenshots at 1280 and 375 px go to test-artifacts/."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from activities.demo import seed_activities
from activities.enums import AchievementLevel
from projects.demo import SCHOOL_YEAR, seed_projects
from stats import services as stats_services
from stats.selectors import committee_stats
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

# Room for sub-pixel rounding; anything more is a real horizontal scroll.
OVERFLOW_TOLERANCE = 2


@pytest.fixture
def demo_year(demo_site):
    """大坪小学's 2024-2025 school year with activities, photos and achievements, snapshots computed."""
    daping = demo_site[0]
    seed_projects(daping)
    seed_activities(daping)
    stats_services.stats_recompute(committee_id=daping.pk)
    return daping


def wait_for_charts(page) -> int:
    holders = page.locator("[data-chart]")
    count = holders.count()
    assert count >= 5
    # A chart is drawn when it comes near the screen (static/js/dashboard.js): scrolled to, each one is.
    for index in range(count):
        holders.nth(index).scroll_into_view_if_needed()
        expect(holders.nth(index)).to_have_attribute("data-chart-drawn", "true")
        expect(holders.nth(index).locator("canvas").first).to_be_attached()
    expect(page.locator("[data-chart-drawn=true]")).to_have_count(count)
    page.evaluate("window.scrollTo(0, 0)")
    return count


def test_the_secretary_reads_the_committee_dashboard(page, phone_page, live_server, demo_year, artifacts_dir):
    totals = committee_stats(demo_year, SCHOOL_YEAR).totals
    chart_library: list[str] = []
    page.on("request", lambda request: chart_library.append(request.url) if "echarts" in request.url else None)

    # Charts drawn at once (no animation), so the screenshots show them whole.
    page.emulate_media(reduced_motion="reduce")
    log_in(page, live_server, "secretary")
    with page.expect_navigation():
        page.locator(".navbar").get_by_role("link", name="数据看板").click()
    assert urlsplit(page.url).path == "/projects/dashboard/committee/"
    expect(page.get_by_test_id("dashboard-title")).to_have_text("重庆市渝中区大坪小学校")
    expect(page.get_by_test_id("freshness")).to_contain_text("数据更新于")

    wait_for_charts(page)
    assert [urlsplit(url).path for url in chart_library] == ["/static/vendor/echarts/echarts.custom.min.js"]
    assert all(urlsplit(url).netloc == urlsplit(live_server.url).netloc for url in chart_library)
    expect(page.get_by_test_id("value-activities")).to_have_text(str(totals["activities"]))
    expect(page.get_by_test_id("value-achievements_verified")).to_have_text(str(totals["achievements_verified"]))

    # The table view of the achievements chart: the numbers the chart was drawn from.
    drawn = page.evaluate(
        """() => {
            const chart = echarts.getInstanceByDom(document.getElementById("chart-levels"));
            return chart.getOption().series[0].data;
        }"""
    )
    expected = [totals["achievements_by_level"][level] for level in AchievementLevel]
    assert drawn == expected
    # Tooltips on hover stay within the strict CSP (a refused inline style is a console error).
    canvas = page.locator("#chart-months canvas").first
    box = canvas.bounding_box()
    canvas.hover(position={"x": box["width"] / 2, "y": box["height"] / 2})
    page.evaluate(
        """() => echarts.getInstanceByDom(document.getElementById("chart-types"))
            .dispatchAction({type: "showTip", seriesIndex: 0, dataIndex: 1})"""
    )
    page.wait_for_timeout(300)
    table = page.get_by_test_id("table-levels")
    expect(table).to_be_hidden()
    page.get_by_test_id("table-toggle-levels").click()
    expect(table).to_be_visible()
    rows = table.locator("tbody tr")
    assert [rows.nth(index).locator("td").first.inner_text() for index in range(rows.count())] == [
        str(value) for value in expected
    ]
    page.screenshot(path=str(artifacts_dir / "dashboard-committee-1280.png"), full_page=True)

    # A figure leads to its records: the project's row opens the project page.
    project_link = page.get_by_test_id("table-projects").locator("tbody tr").first.locator("th a")
    title = project_link.inner_text()
    with page.expect_navigation():
        project_link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)

    # The print page: tables only, and no navbar on paper.
    page.go_back()
    with page.expect_navigation():
        page.get_by_test_id("print-link").click()
    expect(page.locator("canvas")).to_have_count(0)
    expect(page.get_by_test_id("print-activities")).to_contain_text(str(totals["activities"]))
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.get_by_test_id("table-levels")).to_be_visible()

    # On a phone: the charts fit the screen, nothing scrolls sideways.
    phone_page.emulate_media(reduced_motion="reduce")
    log_in(phone_page, live_server, "secretary")
    phone_page.goto(f"{live_server.url}/projects/dashboard/committee/")
    wait_for_charts(phone_page)
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= OVERFLOW_TOLERANCE
    chart_width = phone_page.locator("#chart-months canvas").first.bounding_box()["width"]
    assert chart_width <= 375
    phone_page.screenshot(path=str(artifacts_dir / "dashboard-committee-375.png"), full_page=True)
