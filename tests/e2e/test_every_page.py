"""Every page of every demo role, on a 375 px touch phone and a 1280 px desktop: no sideways
scroll, no table cell narrower than two characters, no empty choice reading "---------", and
axe-core's WCAG 2.2 A/AA rules (color-contrast and target-size included) without a violation.

The pages are the menu's, then one page of each kind linked from them, two links deep (a
project, an activity, an achievement, a member, a branch, a dashboard, a form …). The demo is
seeded once for the module (with a concluded project in an assessment round and a scored
application, so the ranking and the score table have rows) and served by a live server of the
module's own; the database is emptied afterwards. A screenshot of every page goes to
test-artifacts/pages/.
"""

import io
import re
import shutil
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.management import call_command
from django.test import override_settings
from pytest_django.live_server_helper import LiveServer

from members import roster
from members.models import User
from projects import review_services
from projects import services as project_services
from projects.enums import ProjectStatus
from projects.models import MicroProject
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, _watched_page, log_in
from tests.e2e.page_checks import axe_problems, layout_problems, menu_and_object_pages, page_kind, serve_axe
from tests.projects.workflow_fixtures import full_scores
from yearend import services as assessment_services

ROLES = ["secretary", "committee1", "branch1", "leader1", "teacher1", "district"]
# Reduced motion: the charts are drawn without animation, so each screenshot shows them whole.
WIDTHS = {
    "375": {"viewport": PHONE, "is_mobile": True, "has_touch": True, "reduced_motion": "reduce"},
    "1280": {"viewport": DESKTOP, "reduced_motion": "reduce"},
}
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The pages each role shows (menu first), found by the role's first test and reused by the other width.
_pages_of: dict[str, list[str]] = {}
# Kinds of page whose content depends on who looks: checked for every role that reaches them.
EVERY_ROLE = {"home", "projects:detail", "activities:activity_detail", "activities:achievement_list"}


# The project page as its own group sees it (the action bar), besides the first project the crawl finds.
OWN_PROJECT: dict[str, list[str]] = {}


def _own_projects() -> None:
    """第一党小组's project in progress, for its leader, its teacher and their branch secretary."""
    project = MicroProject.objects.get(
        committee__slug="daping", status=ProjectStatus.IN_PROGRESS, group__name="第一党小组"
    )
    for username in ("leader1", "teacher1", "branch1"):
        OWN_PROJECT[username] = [f"/projects/{project.pk}/"]


def _year_end_and_review() -> None:
    """A concluded project scored in a 2024-2025 assessment round, and the submitted application scored twice."""
    users = {
        user.username: user for user in User.objects.filter(username__in=["secretary", "committee1", "committee2"])
    }
    concluded = MicroProject.objects.filter(
        committee__slug="daping", status=ProjectStatus.IN_PROGRESS, group__name="第五党小组"
    ).get()
    project_services.project_conclude(actor=users["secretary"], project=concluded, comment="按期完成。")
    assessment_round = assessment_services.assessment_round_open(
        actor=users["secretary"], school_year=concluded.school_year
    )
    criteria = list(assessment_round.criteria.order_by("position", "pk"))
    assessment_services.assessment_score_record(
        actor=users["committee1"],
        assessment_round=assessment_round,
        project=concluded,
        scores={criterion.pk: Decimal(criterion.max_score) for criterion in criteria},
        comment="目标全部完成。",
    )
    submitted = MicroProject.objects.filter(committee__slug="daping", status=ProjectStatus.SUBMITTED).first()
    for reviewer in (users["committee2"], users["secretary"]):
        review_services.score_record(
            actor=reviewer, project=submitted, scores=full_scores(submitted), recommendation="approve"
        )


@pytest.fixture(scope="module")
def module_media(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("every-page-media")


@pytest.fixture
def media_root(settings, module_media) -> Path:
    """The module's seeded files, for every test of the module (instead of a per-test folder)."""
    settings.MEDIA_ROOT = module_media
    return module_media


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, module_media) -> str:
    """`make run`'s demo plus a year's end and a scored application, served by a live server of this module."""
    shutil.rmtree(ARTIFACTS / "pages", ignore_errors=True)  # this run's screenshots only
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS, MEDIA_ROOT=module_media):
        call_command("seed_demo", "--force", stdout=io.StringIO())
        _year_end_and_review()
        _own_projects()
        server = LiveServer("localhost")
        try:
            yield server.url
        finally:
            server.stop()
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def transactional_db(site) -> None:
    """pytest-django's transactional_db, replaced in this module: the tests share the module's
    committed demo instead of emptying the database after each one (the module's fixture does that
    once, at the end). Its name is what makes pytest-django create the test database."""


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("username", ROLES)
def test_every_page_reads_and_passes_wcag_22_aa(
    request, browser, artifacts_dir, transactional_db, site, media_root, username, width
):
    shots = artifacts_dir / "pages"
    shots.mkdir(exist_ok=True)
    with _watched_page(request, browser, artifacts_dir, **WIDTHS[width]) as page:
        serve_axe(page.context, site)
        log_in(page, SimpleNamespace(url=site), username)
        assert not page.url.endswith("/accounts/login/"), f"{username} could not log in"
        if username not in _pages_of:
            # A kind of page an earlier role's test covered is not checked again (the menu's pages are).
            seen = {page_kind(path) for pages in _pages_of.values() for path in pages} - EVERY_ROLE
            found = menu_and_object_pages(page, site, seen=seen)
            _pages_of[username] = found + [path for path in OWN_PROJECT.get(username, []) if path not in found]
        paths = _pages_of[username]
        problems = []
        for path in paths:
            response = page.goto(f"{site}{path}")
            name = f"{username} at {width} px: {path}"
            assert response is not None and response.ok, f"{name} answered {response and response.status}"
            problems += layout_problems(page, name) + axe_problems(page, site, name)
            slug = re.sub(r"[^\w-]+", "_", path.strip("/")) or "home"
            page.screenshot(path=str(shots / f"{username}-{width}-{slug}.png"), full_page=True)
    assert len(paths) >= 5, f"{username}: only {paths} found from the menu"
    assert not problems, f"{len(problems)} problems on {username}'s pages at {width} px:\n" + "\n".join(
        str(problem) for problem in problems
    )


def _roster_file(path: Path) -> Path:
    """A roster of three rows: a new member, one already on the roster with a new phone, one with errors."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(roster.HEADERS))
    sheet.append(
        ["周一鸣", "男", "数学", "一级教师", "正式党员", "2015-07-01", "第一党支部", "第一党小组", "13800000001"]
    )
    sheet.append(["张玺", "女", "语文", "一级教师", "正式党员", "", "第一党支部", "第一党小组", "13800000002"])
    sheet.append(["", "男", "体育", "", "群众", "昨天", "第九党支部", "第一党小组", ""])
    workbook.save(path)
    return path


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_roster_import_preview_reads_and_passes_wcag_22_aa(
    request, browser, artifacts_dir, transactional_db, site, media_root, tmp_path, width
):
    """The preview only exists after an upload: the secretary uploads a roster with an error row."""
    with _watched_page(request, browser, artifacts_dir, **WIDTHS[width]) as page:
        serve_axe(page.context, site)
        log_in(page, SimpleNamespace(url=site), "secretary")
        page.goto(f"{site}/members/import/")
        page.get_by_test_id("roster-upload").locator("input[type=file]").set_input_files(
            _roster_file(tmp_path / "花名册.xlsx")
        )
        with page.expect_navigation():
            page.get_by_role("button", name="上传并预览").click()
        assert page.url.endswith("/members/import/preview/")
        assert page.get_by_test_id("row-error").count() >= 1
        name = f"secretary at {width} px: the roster import preview"
        problems = layout_problems(page, name) + axe_problems(page, site, name)
        (artifacts_dir / "pages").mkdir(exist_ok=True)
        page.screenshot(path=str(artifacts_dir / "pages" / f"secretary-{width}-roster-preview.png"), full_page=True)
    assert not problems, "\n".join(str(problem) for problem in problems)


def test_focus_is_visible_on_the_phone(request, browser, artifacts_dir, transactional_db, site, media_root):
    """Moving through the leader's home with the keyboard, every focused control shows a ring of 3 px."""
    with _watched_page(request, browser, artifacts_dir, **WIDTHS["375"]) as page:
        log_in(page, SimpleNamespace(url=site), "leader1")
        rings = []
        for _ in range(8):
            page.keyboard.press("Tab")
            rings.append(
                page.evaluate(
                    """() => {
                        const e = document.activeElement, style = getComputedStyle(e);
                        const name = e.textContent.trim().slice(0, 20) || e.getAttribute('aria-label') || e.tagName;
                        return [name, style.outlineStyle, parseFloat(style.outlineWidth)];
                    }"""
                )
            )
    unseen = [ring for ring in rings if ring[1] == "none" or ring[2] < 2]
    assert not unseen, f"focused without a visible ring: {unseen}"
    assert any(text.startswith("记录活动") for text, _style, _width in rings), rings
