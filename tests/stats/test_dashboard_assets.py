"""What a dashboard makes a phone download: the chart library (the custom build of
assets/echarts/) named only by pages with charts, and fetched by dashboard.js after the page is
painted (never a <script> of the page that would hold DOMContentLoaded), every script deferred,
and the figures also as tables in the HTML itself, usable without JavaScript."""

import re

import pytest
from django.urls import reverse

from branches.demo import seed_district
from members.demo import DEMO_PASSWORD
from projects.demo import seed_projects
from stats import services as stats_services

CHART_LIBRARY = "/static/vendor/echarts/echarts.custom.min.js"
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>")


def _external_scripts(html: str) -> dict[str, str]:
    """src -> the tag's other attributes, for every <script src=...> of the page."""
    scripts = {}
    for attributes in SCRIPT_TAG.findall(html):
        src = re.search(r'src="([^"]+)"', attributes)
        if src:
            scripts[src.group(1)] = attributes
    return scripts


@pytest.fixture
def dashboard_school(daping):
    seed_projects(daping)
    stats_services.stats_recompute(committee_id=daping.pk)
    return daping


@pytest.mark.parametrize("url_name", ["stats:dashboard_committee", "stats:dashboard_district"])
def test_a_chart_page_names_the_custom_chart_build_for_later_and_defers_its_scripts(
    client, secretary, hongyan, dashboard_school, url_name
):
    officer = seed_district([dashboard_school, hongyan], password=DEMO_PASSWORD).overseers.get()
    client.force_login(officer if url_name == "stats:dashboard_district" else secretary)
    answer = client.get(reverse(url_name))
    assert answer.status_code == 200
    html = answer.content.decode()
    scripts = _external_scripts(html)
    assert f'data-chart-library="{CHART_LIBRARY}"' in scripts["/static/js/dashboard.js"]
    assert not any("echarts" in src for src in scripts)
    for src, attributes in scripts.items():
        assert re.search(r"\bdefer\b", attributes), src
    assert "echarts.min.js" not in html  # the whole 1 MB build is gone
    # The charts' numbers are in the page as tables, whatever the script does.
    assert html.count("data-chart=") >= 1
    assert "<table" in html


def test_pages_without_charts_never_load_the_chart_library(client, secretary, dashboard_school):
    client.force_login(secretary)
    for url in (
        reverse("home"),
        reverse("projects:list"),
        reverse("stats:dashboard_committee_print"),
    ):
        html = client.get(url).content.decode()
        scripts = _external_scripts(html)
        assert scripts, url
        assert "echarts" not in html, url
        assert all(re.search(r"\bdefer\b", attributes) for attributes in scripts.values()), url
