"""The agent's review journey in Chromium: a new review waits on the home page; the agent opens
it, reads how the score adds up, downloads the PDF and acknowledges it. axe checks each page, on a
desktop and on a 360 px phone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from qa_platform.people.models import User
from scorecards.models import Review
from tests.scorecards.test_review_pages import graded_review

from .conftest import LOGINS_BY_KEY, App

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def new_review(app: App) -> Review:
    """A fresh, unacknowledged review of the demo agent's work with a fatal failure."""
    agent = User.objects.get(email=LOGINS_BY_KEY["agent"].email)
    reviewer = User.objects.get(email=LOGINS_BY_KEY["reviewer"].email)
    team = agent.memberships.select_related("team").order_by("-start").first()
    assert team is not None
    return graded_review(
        agent=agent,
        reviewer=reviewer,
        team=team.team,
        ratings={"verify-identity": "0", "greeting": "N/A", "empathy": "4", "contact-reason": "1"},
        comment="Warm and clear, but the identity check was skipped.",
        comments={"empathy": "You named the customer's worry back to them."},
        evidence={"empathy": [{"kind": "quote", "message": 1, "text": "That sounds stressful."}]},
        days_ago=0,
    )


def test_the_agent_reads_downloads_and_acknowledges_a_new_review(
    app: App, new_review: Review, tmp_path: Path
) -> None:
    page = app.page
    app.sign_in(LOGINS_BY_KEY["agent"].email)
    expect(page).to_have_url(app.url("home_agent"))
    app.check_page()

    card = page.get_by_role("region", name=re.compile("Reviews to read"))
    link = card.locator(f'a[href="/quality/reviews/{new_review.pk}/"]')
    expect(link).to_be_visible()
    expect(card).to_contain_text("Fatal")
    link.click()

    expect(page).to_have_url(app.url("scorecards:review", new_review.pk))
    app.check_page()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review of your chat")
    expect(page.locator(".review-fatal")).to_have_text(
        "Final 0 because 'Verifies the customer's identity' failed; the criteria add up to 50.0."
    )
    explanation = page.locator("ol.explanation")
    expect(explanation).to_contain_text("N/A: Greets the customer (left out of both sums)")
    expect(explanation).to_contain_text("(0.0 + 150.0) / 3 = 50.0")
    expect(page.get_by_text("That sounds stressful.")).to_be_visible()
    expect(page.get_by_role("link", name="How is this computed?").first).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    saved = tmp_path / "review.pdf"
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    page.get_by_role("button", name="Acknowledge").click()
    acknowledgement = page.locator("#acknowledgement")
    expect(acknowledgement).to_contain_text("Acknowledged on")
    expect(acknowledgement).to_contain_text("Review acknowledged.")
    expect(page.get_by_role("button", name="Acknowledge")).to_have_count(0)
    app.check_page()
    new_review.refresh_from_db()
    assert new_review.acknowledged_at is not None

    app.visit("scorecards:my_reviews")
    expect(page.get_by_role("heading", name="My reviews")).to_be_visible()
    expect(page.locator(f'a[href="/quality/reviews/{new_review.pk}/"]').first).to_be_visible()


def test_my_reviews_and_a_review_work_on_a_phone(app: App, new_review: Review) -> None:
    page = app.page
    page.set_viewport_size(PHONE)
    app.sign_in(LOGINS_BY_KEY["agent"].email)

    app.visit("scorecards:my_reviews")
    item = page.locator("li.review-card").filter(has=page.locator(f'a[href$="/{new_review.pk}/"]'))
    expect(item).to_be_visible()
    expect(item).to_contain_text("Acknowledge")
    _fits_the_screen(app)

    app.visit("scorecards:review", new_review.pk)
    expect(page.get_by_role("button", name="Acknowledge")).to_be_visible()
    _fits_the_screen(app)


def _fits_the_screen(app: App) -> None:
    """Nothing makes the page scroll sideways at 360 px."""
    width = app.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{app.page.url} is {width}px wide at {PHONE['width']}px"
