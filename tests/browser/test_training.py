"""An agent plays a role-play to its end and reads the debrief; takes a module, fails its
knowledge check, tries again and passes. axe checks every screen on the way."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.training.factories import module_page, scenario_page

from .conftest import LOGINS_BY_KEY, App

pytestmark = pytest.mark.browser


def test_an_agent_plays_a_role_play_to_the_end_and_sees_the_debrief(app: App) -> None:
    scenario = scenario_page("Browser role-play")
    page = app.page
    app.sign_in(LOGINS_BY_KEY["agent"].email)
    app.visit("training:scenario", scenario.pk)
    with page.expect_navigation():
        page.get_by_role("button", name="Start the conversation").click()
    app.check_page()
    expect(page.get_by_text("Customer at greet")).to_be_visible()

    # htmx swaps the conversation: feedback on the reply, then the customer's next line.
    page.get_by_role("button", name="Reply kind").click()
    expect(page.get_by_text("Feedback kind")).to_be_visible()
    expect(page.get_by_text("Customer at middle")).to_be_visible()
    app.check_page()

    page.get_by_role("button", name="Reply fix").click()
    expect(page.get_by_role("heading", name="Outcome: Resolved")).to_be_visible()
    expect(page.get_by_text("Debrief happy")).to_be_visible()
    expect(page.get_by_role("heading", name="Your path")).to_be_visible()
    expect(page.get_by_role("heading", name="The best path")).to_be_visible()
    expect(page.get_by_text("You took the best path.")).to_be_visible()
    app.check_page()

    # Reloading shows the same finished conversation: everything was stored.
    page.reload()
    expect(page.get_by_role("heading", name="Outcome: Resolved")).to_be_visible()


def test_an_agent_fails_a_knowledge_check_then_passes_it(app: App) -> None:
    module = module_page("Browser module", pass_mark=100, attempt_limit=2)
    page = app.page
    app.sign_in(LOGINS_BY_KEY["agent"].email)
    app.visit("training:module", module.pk)
    with page.expect_navigation():
        page.get_by_role("button", name="Start module").click()
    app.check_page()

    page.get_by_label("Option a").check()
    page.get_by_role("button", name="Save answer").click()
    expect(page.get_by_text("Not correct")).to_be_visible()
    page.get_by_label("True", exact=True).check()
    page.get_by_role("button", name="Save answer").click()
    expect(page.get_by_role("button", name="Submit answers")).to_be_visible()
    app.check_page()
    with page.expect_navigation():
        page.get_by_role("button", name="Submit answers").click()
    expect(page.locator(".module-result-line")).to_contain_text("Fail: 50.0%")
    expect(page.get_by_text("1 attempt left.")).to_be_visible()
    app.check_page()

    with page.expect_navigation():
        page.get_by_role("button", name="Try again").click()
    page.get_by_label("Option b").check()
    page.get_by_role("button", name="Save answer").click()
    expect(page.get_by_text("Correct", exact=True)).to_be_visible()
    page.get_by_label("True", exact=True).check()
    page.get_by_role("button", name="Save answer").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Submit answers").click()
    expect(page.locator(".module-result-line")).to_contain_text("Pass: 100.0%")
    app.check_page()

    app.visit("training:my_training")
