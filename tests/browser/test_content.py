"""The library in Chromium: an agent opens it from the navigation, reads a persona, studies the
journey map (diagram and table, on a desktop and a phone), downloads its PDF and searches. axe
checks every page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import LOGINS_BY_KEY, App

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


def test_an_agent_reads_a_persona_and_the_journey_map_and_searches(
    app: App, tmp_path: Path
) -> None:
    page = app.page
    app.sign_in(LOGINS_BY_KEY["agent"].email)

    app.main_nav().get_by_role("link", name="Library").click()
    expect(page).to_have_url(app.url("/library/"))
    app.check_page()
    expect(page.get_by_role("heading", level=1)).to_have_text("Knowledge and training")

    page.get_by_role("link", name="Customer personas").click()
    app.check_page()
    page.get_by_role("link", name="Maya Okafor").click()
    app.check_page()
    expect(page.get_by_role("heading", level=1)).to_have_text("Maya Okafor")
    expect(page.get_by_role("heading", name="Frustrations")).to_be_visible()
    page.get_by_role("link", name="Refund for a damaged delivery").click()

    app.check_page()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Journey map: refund for a damaged delivery"
    )
    diagram = page.locator(".swimlane")
    expect(diagram).to_be_visible()
    expect(diagram).to_contain_text("Line of visibility")
    table = page.get_by_role("table")
    expect(table).to_contain_text("Refund approval queue")
    expect(table).to_contain_text("Very unhappy")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    saved = tmp_path / "journey.pdf"
    download_info.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    search = page.get_by_role("searchbox", name="Search the library")
    search.fill("Okafor")
    search.press("Enter")
    page.wait_for_url("**/library/search/?q=Okafor")
    app.check_page()
    expect(
        page.get_by_role("link", name="Maya Okafor, busy parent shopping online")
    ).to_be_visible()


def test_the_journey_map_works_on_a_phone(app: App) -> None:
    page = app.page
    page.set_viewport_size(PHONE)
    app.sign_in(LOGINS_BY_KEY["agent2"].email)

    app.visit("/library/refund-damaged-delivery/")

    expect(
        page.get_by_role(
            "region", name="Swim-lane diagram; the journey table below has the same content"
        )
    ).to_be_visible()
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page itself must not scroll sideways"
