"""The strict Content-Security-Policy in Chromium: hovering every dashboard chart opens its tooltip
without a single CSP violation (a violation is a console error, which fails the page fixture)."""

import pytest

from tests.e2e.conftest import log_in
from tests.e2e.test_dashboard_journey import demo_year, wait_for_charts  # noqa: F401 (fixture)

pytestmark = pytest.mark.e2e


def test_chart_tooltips_open_under_the_strict_policy(page, live_server, demo_year):  # noqa: F811
    log_in(page, live_server, "secretary")
    response = page.goto(f"{live_server.url}/projects/dashboard/committee/")
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    charts = wait_for_charts(page)

    for index in range(charts):
        canvas = page.locator("[data-chart] canvas").nth(index)
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        for fraction in (0.3, 0.5, 0.7):
            page.mouse.move(box["x"] + box["width"] * fraction, box["y"] + box["height"] * 0.5)
            page.wait_for_timeout(400)  # the tooltip shows after a short delay

    assert page.locator("[data-chart] canvas").count() >= charts
