"""An agent answers a survey on a phone-sized screen: the privacy notice first, a section saved
through htmx, a validation error shown beside its question, the review, submitting, and the
anonymity receipt; axe finds no serious or critical violation on the way."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from qa_platform.engagement.models import Invitation, Response
from qa_platform.people.models import User
from tests.engagement.factories_answer import invite, small_survey

from .conftest import LOGINS_BY_KEY, App

pytestmark = pytest.mark.browser


def test_an_agent_answers_a_survey_on_a_phone_and_opens_the_receipt(app: App) -> None:
    page = app.page
    page.set_viewport_size({"width": 360, "height": 740})
    agent = User.objects.get(email=LOGINS_BY_KEY["agent"].email)
    survey = small_survey()
    invite(survey, agent)
    app.sign_in(agent.email)

    app.visit("home")
    page.get_by_role("link", name="Quick check").click()
    expect(page.get_by_role("heading", name="Your privacy: anonymous survey")).to_be_visible()
    app.check_page()
    page.get_by_role("link", name="Start the survey").click()
    expect(page.locator("#answer-progress")).to_have_text("Section 1 of 2")
    app.check_page()

    group = page.get_by_role("group", name="Question about index.pride?")
    group.get_by_label("Strongly agree").check()
    page.get_by_role("group", name="Question about index.stay?").get_by_label(
        "Agree", exact=True
    ).check()
    page.get_by_role("group", name="Question about enps.score?").get_by_label(
        "9", exact=True
    ).check()
    expect(page.locator("#save-status")).to_contain_text("Saved.")
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#answer-progress")).to_have_text("Section 2 of 2")
    app.check_page()

    # A comment that is too long: the error sits by the question, nothing typed is lost.
    page.get_by_role("group", name="Question about own.shift?").get_by_label("Late").check()
    page.get_by_role("group", name="Question about own.channels?").get_by_label("Chat").check()
    page.get_by_label("Question about comment.other?").evaluate(
        "el => { el.removeAttribute('maxlength'); el.value = 'x'.repeat(5001); }"
    )
    page.get_by_role("button", name="Save and review my answers").click()
    expect(page.get_by_text("5,000 characters or fewer").first).to_be_visible()
    app.check_page()
    page.get_by_label("Question about comment.other?").fill("More breaks, please.")
    page.get_by_role("button", name="Save and review my answers").click()

    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    app.check_page()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", name="Your answers are submitted")).to_be_visible()
    app.check_page()
    assert Invitation.objects.get(survey=survey, person=agent).submitted
    assert Response.objects.get(survey=survey).respondent_id is None

    page.get_by_role("link", name="See your anonymity receipt").click()
    expect(page.get_by_role("heading", name="Anonymity receipt")).to_be_visible()
    expect(page.get_by_text("No link between you and your answers exists")).to_be_visible()
    app.check_page()
