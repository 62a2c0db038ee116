"""The dashboards' links: each pattern reversed once, the ids filled in, the same URL Django writes."""

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from stats.dashboard_links import dashboard_link, project_link


@pytest.mark.parametrize("pk", [1, 42, 2147483519, 10**12])
def test_a_project_link_is_the_url_django_reverses(pk):
    assert project_link(pk) == reverse("projects:detail", args=[pk])


def test_dashboard_links_carry_the_level_the_scope_and_the_year():
    assert dashboard_link("branch", 7, "2025-2026") == reverse("stats:dashboard_branch", args=[7]) + "?year=2025-2026"
    assert dashboard_link("group", 12, printable=True) == reverse("stats:dashboard_group_print", args=[12])
    assert dashboard_link("committee") == reverse("stats:dashboard_committee")


def test_links_follow_the_script_prefix_the_portal_is_served_under():
    project_link(3)  # the pattern is remembered without a prefix first
    set_script_prefix("/dangjian/")
    try:
        assert project_link(3) == "/dangjian/projects/3/" == reverse("projects:detail", args=[3])
        assert dashboard_link("branch", 5).startswith("/dangjian/")
    finally:
        clear_script_prefix()
    assert project_link(3) == "/projects/3/"
