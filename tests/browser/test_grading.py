"""A reviewer grades a chat in the workspace with the keyboard only: the running score changes
after each rating, a low rating asks for a root cause, the review is submitted and the reviewer
lands on the review with a confirmation. axe checks the workspace on the way."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qa_platform.people.models import Team, User
from scorecards import framework_def as fd
from scorecards.models import Framework, FrameworkVersion, Interaction, Review, Transcript

from .conftest import LOGINS_BY_KEY, App

pytestmark = pytest.mark.browser


def grading_framework() -> FrameworkVersion:
    defn = fd.FrameworkDef(
        name="Browser test standard",
        scoring_mode="weighted",
        pass_mark=Decimal(80),
        use_section_weights=False,
        sections=(
            fd.Section(
                key="opening",
                title="Opening",
                weight=None,
                criteria=(
                    fd.Criterion(
                        key="verify-identity",
                        title="Verifies the customer's identity",
                        guidance="Two security questions before the account is discussed.",
                        scale="yes_no",
                        options=fd.yes_no_options(),
                        severity="fatal",
                    ),
                    fd.Criterion(
                        key="greeting",
                        title="Greets the customer",
                        guidance="",
                        scale="three",
                        options=fd.point_scale(3),
                        na_allowed=True,
                        na_rule="The customer opened with an urgent safety issue.",
                    ),
                ),
            ),
            fd.Section(
                key="resolution",
                title="Resolution",
                weight=None,
                criteria=(
                    fd.Criterion(
                        key="empathy",
                        title="Shows empathy",
                        guidance="Acknowledges the customer's situation in their words.",
                        scale="five",
                        options=fd.point_scale(5),
                        weight=Decimal(2),
                        root_causes=("Knowledge gap", "Behaviour"),
                    ),
                    fd.Criterion(
                        key="contact-reason",
                        title="Contact reason",
                        guidance="",
                        scale="three",
                        options=(
                            fd.ScaleOption(Decimal(1), "Billing"),
                            fd.ScaleOption(Decimal(2), "Technical"),
                            fd.ScaleOption(Decimal(3), "Other"),
                        ),
                        scoring=False,
                    ),
                ),
            ),
        ),
    )
    framework = Framework.objects.create(name=defn.name, live=True)
    return FrameworkVersion.objects.create(
        framework=framework, number=1, definition=fd.to_json(defn), published_at=timezone.now()
    )


def chat_of_demo_agent() -> Interaction:
    agent = User.objects.get(email=LOGINS_BY_KEY["agent"].email)
    team = Team.objects.get(external_id="T-BILL-EMEA")
    started = timezone.now() - dt.timedelta(days=1)
    interaction = Interaction.objects.create(
        source="browser-test",
        source_id="chat-1",
        channel="chat",
        agent=agent,
        team=team,
        started_at=started,
        duration_seconds=540,
        queue="Billing",
        topic="Double charge",
    )
    lines = [
        ("customer", "Dana", "I was charged twice for March.", False),
        ("agent", "Tom Walsh", "Hello Dana, can you confirm your postcode?", False),
        ("customer", "Dana", "SW1A 1AA.", False),
        ("agent", "Tom Walsh", "Refund needs a supervisor, asked Sam.", True),
        ("agent", "Tom Walsh", "The duplicate is refunded; it shows in 3 days.", False),
    ]
    Transcript.objects.create(
        interaction=interaction,
        messages=[
            {
                "speaker": speaker,
                "name": name,
                "at": (started + dt.timedelta(seconds=40 * i)).isoformat(),
                "offset": None,
                "text": text,
                "internal": internal,
            }
            for i, (speaker, name, text, internal) in enumerate(lines)
        ],
    )
    return interaction


def test_a_reviewer_grades_a_chat_with_the_keyboard_only_and_submits(app: App) -> None:
    version = grading_framework()
    interaction = chat_of_demo_agent()
    page = app.page
    app.sign_in(LOGINS_BY_KEY["reviewer"].email)

    app.visit(f"/quality/interactions/{interaction.pk}/review/?framework={version.pk}")
    expect(page.get_by_text("Internal note — not seen by the customer")).to_be_visible()
    start = page.get_by_role("button", name="Start review")
    start.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    app.check_page()

    # The shortcuts overlay opens with "?" and closes with Escape.
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_hidden()

    final = page.locator("#ws-final")
    expect(page.locator("#rating-verify-identity-1")).to_be_focused()
    expect(final).to_have_text("\u2013")  # not scored yet

    page.keyboard.press("1")  # Yes
    expect(final).to_have_text("100.0")
    expect(page.locator("#rating-greeting-1")).to_be_focused()

    page.keyboard.press("2")  # Meets standard: 50
    expect(final).to_have_text("75.0")
    expect(page.locator("#rating-empathy-1")).to_be_focused()

    page.keyboard.press("2")  # Poor: 25, low, so a root cause is asked for
    expect(final).to_have_text("50.0")
    root_cause = page.get_by_label("Root cause for Shows empathy")
    expect(root_cause).to_be_focused()
    page.keyboard.press("ArrowDown")  # Knowledge gap
    expect(root_cause).to_have_value("Knowledge gap")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Comment on Shows empathy")).to_be_focused()
    page.keyboard.type("Did not acknowledge the double charge.")
    page.keyboard.press("Tab")  # leaving the comment saves it
    page.keyboard.press("j")
    expect(page.locator("#rating-contact-reason-1")).to_be_focused()
    app.check_page()  # with the root-cause select in place

    page.keyboard.press("1")  # Billing: a question, the score stays
    expect(page.locator("#score-panel")).to_contain_text("Contact reason: Billing")
    expect(final).to_have_text("50.0")
    expect(page.locator("#score-panel")).to_contain_text("Fail")

    expect(page.get_by_label("Overall comment")).to_be_focused()
    page.keyboard.type("Friendly, but the fix needs to come with empathy.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save draft")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Submit review")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.locator(".toasts")).to_contain_text("Review submitted: 50.0, Fail.")
    review = Review.objects.get(interaction=interaction)
    assert review.is_submitted and review.final_score == Decimal(50)
    empathy = review.ratings.get(criterion_key="empathy")
    assert empathy.root_cause == "Knowledge gap"
    assert empathy.comment == "Did not acknowledge the double charge."
    assert review.comment == "Friendly, but the fix needs to come with empathy."


def test_a_reviewer_quotes_lines_as_evidence_and_removes_one(app: App) -> None:
    version = grading_framework()
    interaction = chat_of_demo_agent()
    page = app.page
    app.sign_in(LOGINS_BY_KEY["reviewer"].email)
    app.visit(f"/quality/interactions/{interaction.pk}/review/?framework={version.pk}")
    page.get_by_role("button", name="Start review").click()
    page.wait_for_load_state()
    empathy = page.locator("#criterion-empathy")

    empathy.get_by_text("Good", exact=True).click()
    expect(page.locator("#ws-final")).to_have_text("75.0")
    page.get_by_role("button", name="Quote message 5").click()
    page.locator("#message-0").click()  # select a line, then quote it from the criterion
    empathy.get_by_role("button", name="Quote selected line").click()
    evidence = empathy.get_by_role("list", name="Evidence for Shows empathy").get_by_role(
        "listitem"
    )
    expect(evidence).to_have_count(2)
    expect(evidence.first).to_contain_text("The duplicate is refunded; it shows in 3 days.")

    evidence.first.get_by_role("button", name="Remove this evidence").click()
    expect(evidence).to_have_count(1)
    expect(evidence.first).to_contain_text("I was charged twice for March.")
    app.check_page()

    wanted = [{"kind": "quote", "message": 0, "text": "I was charged twice for March."}]
    for _ in range(50):  # each change is saved by its own request; wait for the last one
        review = Review.objects.get(interaction=interaction)
        if review.ratings.get(criterion_key="empathy").evidence == wanted:
            break
        page.wait_for_timeout(100)
    assert review.ratings.get(criterion_key="empathy").evidence == wanted
    page.reload()
    expect(evidence).to_have_count(1)
    expect(evidence.first).to_contain_text("I was charged twice for March.")
