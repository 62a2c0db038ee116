"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

Every page a test opens fails the test on a JavaScript console error, an uncaught page error
or a request to any host but the live server (the portal ships its front end, no CDN).
"""

import gc
import io
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from members import demo

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}


def pytest_collection_modifyitems(config, items):
    """Mark every test under tests/e2e/ (a browser journey is slow too) and run them last, after the fast suite."""
    here = Path(__file__).parent
    browser_tests = [item for item in items if here in item.path.parents]
    for item in browser_tests:
        item.add_marker(pytest.mark.e2e)
        item.add_marker(pytest.mark.slow)
    items[:] = [item for item in items if item not in browser_tests] + browser_tests


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    # The page fixture reads this to take a screenshot when the test body failed.
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session", autouse=True)
def _garbage_collected_between_tests() -> Iterator[None]:
    """No automatic garbage collection while a browser test runs; a full collection after each.

    On SQLite the live server's threads share one in-memory, shared-cache test database. Python's
    cyclic collector can run inside one of Django's SQL functions (date truncation, called by
    SQLite in the middle of a statement) and finalise a dropped connection to that same database:
    sqlite3_close then waits for the mutex its own thread holds, and the run hangs for good (seen
    in the dashboard journey's recompute). Collecting between tests, outside any statement, keeps
    memory flat without that deadlock."""
    gc.disable()
    yield
    gc.enable()


@pytest.fixture(autouse=True)
def _collect_after_each_test() -> Iterator[None]:
    yield
    gc.collect()


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install it with `apt-get install chromium` to run the browser tests"
        if os.environ.get("E2E_REQUIRED") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in the test thread; Django would
    # otherwise refuse the ORM calls that fixtures make from that thread.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@contextmanager
def _watched_page(request, browser, artifacts_dir: Path, tolerated: tuple = (), **context_options) -> Iterator:
    """A page in a fresh context; fails the test on console errors, page errors and outside requests.

    `tolerated` holds compiled patterns of the console errors a test causes on purpose (Chromium
    logs every request a test cuts off as "Failed to load resource").
    """
    context = browser.new_context(locale="zh-CN", **context_options)
    page = context.new_page()
    problems: list[str] = []

    def check_console(msg) -> None:
        where = msg.location.get("url", "")
        if msg.type == "error" and not any(pattern.search(f"{msg.text} ({where})") for pattern in tolerated):
            problems.append(f"console error: {msg.text} ({where})")

    page.on("console", check_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

    def check_host(req) -> None:
        if urlsplit(req.url).hostname not in LOCAL_HOSTS and req.url.startswith(("http:", "https:", "ws:", "wss:")):
            problems.append(f"request to a non-local host: {req.url}")

    page.on("request", check_host)
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(artifacts_dir / "failures" / f"{name}.png"), full_page=True)
    context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def page(request, browser, live_server, artifacts_dir) -> Iterator:
    """A desktop page, 1280 px wide."""
    with _watched_page(request, browser, artifacts_dir, viewport=DESKTOP) as page:
        yield page


@pytest.fixture
def phone_page(request, browser, live_server, artifacts_dir) -> Iterator:
    """A touch-screen phone page, 375 px wide."""
    with _watched_page(request, browser, artifacts_dir, viewport=PHONE, is_mobile=True, has_touch=True) as page:
        yield page


@pytest.fixture
def demo_site(transactional_db, live_server):
    """The demo schools, committed so that the live server's thread sees them."""
    return demo.seed_organisation()


@pytest.fixture
def full_demo(transactional_db, live_server):
    """Everything `make run` seeds: both schools plus the article's projects and applications in review."""
    call_command("seed_demo", "--force", stdout=io.StringIO())


def log_in(page, live_server, username: str, password: str = demo.DEMO_PASSWORD) -> None:
    """Log in through the real login form, as a user would."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
