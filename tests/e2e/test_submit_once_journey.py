"""A create form disables its submit button while it posts, so a double tap on a slow phone sends
it once (the one-time id it carries makes a second post harmless anyway), and the button comes
back when the page is shown again from the browser's history."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_the_achievement_form_disables_its_button_while_posting(page, live_server, demo_site):
    log_in(page, live_server, "teacher1")
    page.goto(f"{live_server.url}/activities/achievements/new/")
    form = page.locator("[data-testid=achievement-form]")
    button = form.locator("button[type=submit]")
    expect(button).to_be_enabled()

    # What the browser does first when the form is sent: the submit event (here without the
    # navigation that follows it, which a slow network would hold up).
    form.evaluate("f => f.dispatchEvent(new Event('submit', {bubbles: true, cancelable: true}))")
    expect(button).to_be_disabled()
    assert button.get_attribute("aria-busy") == "true"

    # Back to the page from the browser's history: the button works again.
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))")
    expect(button).to_be_enabled()


def test_a_form_whose_submit_was_cancelled_keeps_its_button(page, live_server, demo_site):
    log_in(page, live_server, "teacher1")
    page.goto(f"{live_server.url}/activities/achievements/new/")
    form = page.locator("[data-testid=achievement-form]")

    form.evaluate(
        "f => { f.addEventListener('submit', e => e.preventDefault(), {once: true});"
        " f.dispatchEvent(new Event('submit', {bubbles: true, cancelable: true})); }"
    )
    page.wait_for_timeout(100)

    expect(form.locator("button[type=submit]")).to_be_enabled()
