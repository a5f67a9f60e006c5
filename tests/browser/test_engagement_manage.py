"""HR builds a survey from a template, adds their own question in place (htmx), picks the
population, previews it and launches it; axe finds no serious or critical violation on the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import LOGINS_BY_KEY, App

pytestmark = pytest.mark.browser


def test_hr_builds_and_launches_a_survey(app: App) -> None:
    page = app.page
    app.sign_in(LOGINS_BY_KEY["hr"].email)

    app.visit("engagement:manage_create")
    page.get_by_label("Title").fill("Browser pulse")
    page.get_by_label("Pulse").check()
    page.get_by_role("button", name="Create survey").click()
    expect(page.get_by_role("heading", name="Browser pulse", level=1)).to_be_visible()
    app.check_page()

    # Adding an own question swaps the questions block in place.
    page.evaluate("window.__builderMarker = 'still here'")
    page.locator("#id_text").fill("Which channel do you work on most?")
    page.get_by_label("Answered with").select_option("single_choice")
    page.locator("#id_options").fill("Phone\nChat\nEmail")
    with page.expect_response(lambda r: "/questions/own/" in r.url):
        page.get_by_role("button", name="Add your question").click()
    expect(page.locator("#questions")).to_contain_text("Which channel do you work on most?")
    assert page.evaluate("window.__builderMarker") == "still here"
    app.check_page()

    # Population: the first team with members.
    page.get_by_role("link", name="Choose teams").click()
    expect(page.get_by_role("heading", name="Who is invited", level=1)).to_be_visible()
    app.check_page()
    page.locator("input[name=teams]").first.check()
    page.get_by_role("button", name="Save population").click()
    expect(page.get_by_text("Population saved.")).to_be_visible()

    page.get_by_role("link", name="Set the schedule").click()
    page.get_by_label("Closes").fill("2031-01-31T17:00")
    page.get_by_label("Remind non-respondents").fill("7, 2")
    page.get_by_role("button", name="Save schedule").click()
    expect(page.get_by_text("Schedule saved.")).to_be_visible()

    page.get_by_role("link", name="Preview as respondent").click()
    expect(page.get_by_role("heading", name="Your privacy: anonymous survey")).to_be_visible()
    app.check_page()
    page.go_back()

    page.get_by_role("link", name="Launch…").click()
    expect(page.get_by_text("From launch on, these cannot change:")).to_be_visible()
    app.check_page()
    page.get_by_role("button", name="Launch and lock the survey").click()
    expect(
        page.get_by_text(re.compile(r"Launched\. \d+ people have been invited\."))
    ).to_be_visible()
    expect(page.get_by_text("Locked since launch.")).to_be_visible()
    expect(page.get_by_role("button", name="Save settings")).to_have_count(0)
    app.check_page()
