"""The grading workspace: open an interaction, rate (htmx and plain), submit, correct.

The demo framework (tests/scorecards/factories.demo_definition) has a fatal yes/no
"verify-identity", an N/A-able 3-point "greeting", a 5-point "empathy" (weight 2, root causes)
and a non-scoring question "contact-reason".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from qa_platform.audit.models import AuditEvent
from qa_platform.people.models import User
from scorecards import framework_def as fd
from scorecards import scoring
from scorecards.models import FrameworkVersion, Interaction, Review, ReviewStatus
from scorecards.services.reviews import RatingInput, rate, start_review, submit_review
from tests.conftest import Org
from tests.people.factories import UserFactory, person_with_role

from .factories import (
    CustomerFeedbackFactory,
    FrameworkFactory,
    InteractionFactory,
    TranscriptFactory,
    chat_messages,
    published_version,
)

HTMX = {"HX-Request": "true"}
COMPLETE = {"verify-identity": "1", "greeting": "3", "empathy": "4", "contact-reason": "1"}
# Session, user, grants, the review, then in the service: lock, ratings, the changed rating, the
# review, and the savepoint pair the test transaction adds. The page itself: at most 15.
RATE_QUERIES = 9
PAGE_QUERIES = 15


# --- Arrange ----------------------------------------------------------------------------------


def big_definition(criteria: int = 30) -> fd.FrameworkDef:
    """`criteria` 5-point criteria in three sections, some with root causes and N/A."""
    per_section = criteria // 3
    sections = []
    for s in range(3):
        count = per_section if s < 2 else criteria - 2 * per_section
        sections.append(
            fd.Section(
                key=f"s{s}",
                title=f"Section {s + 1}",
                weight=None,
                criteria=tuple(
                    fd.Criterion(
                        key=f"c{s}-{i}",
                        title=f"Criterion {s + 1}.{i + 1}",
                        guidance="What good looks like.",
                        scale="five",
                        options=fd.point_scale(5),
                        weight=Decimal(1 + i % 3),
                        na_allowed=i % 4 == 0,
                        na_rule="No such step in this contact." if i % 4 == 0 else "",
                        root_causes=("Knowledge gap", "Process") if i % 2 == 0 else (),
                    )
                    for i in range(count)
                ),
            )
        )
    return fd.FrameworkDef(
        name="Big standard",
        scoring_mode="weighted",
        pass_mark=Decimal(80),
        use_section_weights=False,
        sections=tuple(sections),
    )


@pytest.fixture
def version(db: None) -> FrameworkVersion:
    return published_version()


@pytest.fixture
def interaction(org: Org, agent: User) -> Interaction:
    interaction = InteractionFactory(agent=agent, team=org.team)
    messages = chat_messages(4)
    messages[2]["internal"] = True
    messages[2]["text"] = "Checked the refund rules with billing."
    TranscriptFactory(interaction=interaction, messages=messages)
    return interaction


def workspace_url(interaction: Interaction, **query: Any) -> str:
    url = reverse("scorecards:workspace", args=[interaction.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def rate_url(review: Review) -> str:
    return reverse("scorecards:review_rate", args=[review.pk])


def submit_url(review: Review) -> str:
    return reverse("scorecards:review_submit", args=[review.pk])


def form(defn: fd.FrameworkDef, values: dict[str, str], **extra: Any) -> dict[str, Any]:
    """The whole workspace form as a browser posts it: every criterion listed, chosen radios."""
    data: dict[str, Any] = {"criteria": [c.key for c in defn.criteria]}
    for key, value in values.items():
        data[f"rating-{key}"] = value
    data.update(extra)
    return data


def draft(reviewer: User, interaction: Interaction, version: FrameworkVersion) -> Review:
    return start_review(reviewer=reviewer, interaction=interaction, framework_version=version)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Opening the workspace --------------------------------------------------------------------


def test_a_reviewer_opens_the_workspace_with_the_conversation_feedback_details_and_framework(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    CustomerFeedbackFactory(
        interaction=interaction,
        agent=interaction.agent,
        team=interaction.team,
        csat=2,
        nps=6,
        comment="Took three tries to get a refund.",
    )

    response = client_for(reviewer).get(workspace_url(interaction))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert "Message 1 from the customer." in html
    assert "Internal note — not seen by the customer" in html
    assert "2 of 5" in html and "6 of 10 (detractor)" in html
    assert "Took three tries to get a refund." in html
    assert interaction.source_id in html and "Billing" in html
    assert "Verifies the customer&#x27;s identity" in html
    assert "Fatal" in html
    assert "Start review" in html
    assert 'src="/static/scorecards/workspace.js"' in html
    assert 'nonce="' in html.split('src="/static/scorecards/workspace.js"')[1][:80]


def test_opening_the_workspace_writes_nothing(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    client_for(reviewer).get(workspace_url(interaction))

    assert Review.objects.count() == 0
    assert AuditEvent.objects.filter(action__startswith="review.").count() == 0


def test_starting_a_review_makes_one_draft_and_returns_to_the_workspace(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    client = client_for(reviewer)

    first = client.post(workspace_url(interaction), {"framework": version.pk})
    second = client.post(workspace_url(interaction), {"framework": version.pk})

    review = Review.objects.get()
    assert review.status == ReviewStatus.DRAFT and review.reviewer == reviewer
    assert review.framework_version == version
    assert first.status_code == second.status_code == 302
    assert first["Location"].startswith(workspace_url(interaction))
    page = client.get(first["Location"])
    assert 'id="ws-form"' in page.content.decode()
    assert "Start review" not in page.content.decode()


def test_starting_with_a_framework_that_is_not_in_use_is_refused_with_a_message(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    response = client_for(reviewer).post(
        workspace_url(interaction), {"framework": "999999"}, follow=True
    )

    assert Review.objects.count() == 0
    assert "Choose one of the frameworks in use" in response.content.decode()


def test_with_several_frameworks_in_use_the_reviewer_chooses_and_the_draft_remembers_it(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    other = published_version(big_definition(6), FrameworkFactory(name="Another standard"))
    client = client_for(reviewer)

    page = client.get(workspace_url(interaction))
    assert 'name="framework"' in page.content.decode()
    assert "Another standard (version 1)" in page.content.decode()
    chosen = client.get(workspace_url(interaction, framework=other.pk)).content.decode()
    assert "Criterion 1.1" in chosen

    client.post(workspace_url(interaction), {"framework": other.pk})
    reopened = client.get(workspace_url(interaction)).content.decode()

    assert Review.objects.get().framework_version == other
    assert "Criterion 1.1" in reopened
    assert "Verifies the customer" not in reopened


def test_the_newest_version_of_a_framework_is_used(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    newer = published_version(big_definition(3), version.framework, number=2)

    client_for(reviewer).post(workspace_url(interaction), {"framework": newer.pk})

    assert Review.objects.get().framework_version == newer


def test_without_a_framework_in_use_the_workspace_says_so(
    reviewer: User, interaction: Interaction
) -> None:
    response = client_for(reviewer).get(workspace_url(interaction))

    assert response.status_code == 200
    assert "No framework to grade with" in response.content.decode()


def test_a_call_has_a_player_with_speeds_and_lines_with_their_offsets(
    reviewer: User, org: Org, agent: User, version: FrameworkVersion
) -> None:
    call = InteractionFactory(
        agent=agent, team=org.team, channel="call", recording_url="/media/recordings/call.mp3"
    )
    lines = chat_messages(3)
    for i, line in enumerate(lines):
        line["offset"] = 42 + 30 * i
    TranscriptFactory(interaction=call, messages=lines)

    html = client_for(reviewer).get(workspace_url(call)).content.decode()

    assert '<audio controls preload="metadata" src="/media/recordings/call.mp3"' in html
    for speed in ("0.75", "1.25", "1.5", "2"):
        assert f'<option value="{speed}"' in html
    assert 'data-seek="42' in html and "0:42" in html and "1:12" in html


def test_a_recording_on_another_site_is_linked_not_embedded(
    reviewer: User, org: Org, agent: User, version: FrameworkVersion
) -> None:
    call = InteractionFactory(
        agent=agent, team=org.team, channel="call", recording_url="https://pbx.example/r/1.mp3"
    )

    html = client_for(reviewer).get(workspace_url(call)).content.decode()

    assert "<audio" not in html
    assert 'href="https://pbx.example/r/1.mp3"' in html


def test_odd_imported_transcript_lines_are_shown_without_breaking_the_page(
    reviewer: User, org: Org, agent: User, version: FrameworkVersion
) -> None:
    call = InteractionFactory(agent=agent, team=org.team, channel="call")
    TranscriptFactory(
        interaction=call,
        messages=[
            {"speaker": "bot", "text": "<script>alert(1)</script>", "offset": "inf", "at": "soon"},
            {"speaker": "agent", "text": None, "offset": -3, "at": 12},
            "not a message",
            {"speaker": "customer", "name": "<b>Dana</b>", "text": "Line one\nline two"},
        ],
    )

    response = client_for(reviewer).get(workspace_url(call))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Dana&lt;/b&gt;" in html
    assert "Line one<br>line two" in html


# --- Who may open it --------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(
    client: Client, reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = draft(reviewer, interaction, version)
    login = reverse("login")

    for response in (
        client.get(workspace_url(interaction)),
        client.post(workspace_url(interaction), {"framework": version.pk}),
        client.post(rate_url(review), form(version.defn, {"empathy": "3"})),
        client.post(submit_url(review), form(version.defn, COMPLETE)),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(login)
    assert not review.ratings.exists()


def test_another_teams_interaction_is_not_found(
    other_team_lead: User,
    reviewer: User,
    org: Org,
    interaction: Interaction,
    version: FrameworkVersion,
) -> None:
    elsewhere = InteractionFactory(team=org.other_team)
    review = draft(reviewer, interaction, version)

    assert client_for(other_team_lead).get(workspace_url(interaction)).status_code == 404
    assert client_for(reviewer).get(workspace_url(elsewhere)).status_code == 404
    assert client_for(other_team_lead).post(rate_url(review), {}).status_code == 404
    assert client_for(other_team_lead).post(submit_url(review), {}).status_code == 404


@pytest.mark.parametrize("role", ["agent", "hr", "other_team_agent"])
def test_people_who_do_not_grade_are_refused(
    role: str,
    request: pytest.FixtureRequest,
    reviewer: User,
    interaction: Interaction,
    version: FrameworkVersion,
) -> None:
    person: User = request.getfixturevalue(role)
    review = draft(reviewer, interaction, version)
    client = client_for(person)

    assert client.get(workspace_url(interaction)).status_code == 403
    assert client.post(workspace_url(interaction), {"framework": version.pk}).status_code == 403
    assert client.post(rate_url(review), form(version.defn, {"empathy": "1"})).status_code == 403
    assert client.post(submit_url(review), form(version.defn, COMPLETE)).status_code == 403
    assert Review.objects.count() == 1 and not review.ratings.exists()


def test_nobody_grades_their_own_contact(lead: User, org: Org, version: FrameworkVersion) -> None:
    own = InteractionFactory(agent=lead, team=org.team)

    client = client_for(lead)

    assert client.get(workspace_url(own)).status_code == 403
    assert client.post(workspace_url(own), {"framework": version.pk}).status_code == 403
    assert Review.objects.count() == 0


def test_only_the_author_rates_or_submits_a_draft(
    reviewer: User, qa_manager: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = draft(reviewer, interaction, version)

    client = client_for(qa_manager)

    assert client.post(rate_url(review), form(version.defn, {"empathy": "1"})).status_code == 403
    assert client.post(submit_url(review), form(version.defn, COMPLETE)).status_code == 403
    assert not review.ratings.exists()


# --- Rating -----------------------------------------------------------------------------------


def test_an_htmx_rating_returns_the_score_panel_and_the_row_without_the_page(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = draft(reviewer, interaction, version)

    response = client_for(reviewer).post(
        rate_url(review),
        form(version.defn, {"verify-identity": "1", "empathy": "5"}, changed="empathy"),
        headers=HTMX,
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="score-panel"' in html
    assert 'id="criterion-empathy" data-criterion="empathy"' in html
    assert 'hx-swap-oob="true"' in html
    assert 'id="ws-final">100.0<' in html
    assert "Pass" in html
    assert "2 of 3 rated" in html
    assert {r.criterion_key: r.value for r in review.ratings.all()} == {
        "verify-identity": Decimal(1),
        "empathy": Decimal(5),
    }


def test_a_plain_rating_saves_the_draft_and_returns_to_the_workspace(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = draft(reviewer, interaction, version)
    client = client_for(reviewer)

    response = client.post(
        rate_url(review),
        form(
            version.defn,
            {"greeting": "na", "empathy": "2"},
            **{"comment-empathy": "Talked over the customer.", "comment": "Good start."},
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == workspace_url(interaction, review=review.pk)
    review.refresh_from_db()
    ratings = {r.criterion_key: r for r in review.ratings.all()}
    assert ratings["greeting"].na and ratings["greeting"].value is None
    assert ratings["empathy"].comment == "Talked over the customer."
    assert review.comment == "Good start."
    assert review.raw_score == Decimal(25)
    page = client.get(response["Location"]).content.decode()
    assert "Draft saved." in page
    assert "Talked over the customer." in page and "Good start." in page


def test_the_draft_is_loaded_when_the_workspace_is_reopened(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = draft(reviewer, interaction, version)
    rate(
        review=review,
        by=reviewer,
        ratings={"empathy": RatingInput(value=Decimal(2), comment="Cold tone.")},
    )

    html = client_for(reviewer).get(workspace_url(interaction)).content.decode()

    assert (
        'id="rating-empathy-2" name="rating-empathy" value="2" '
        'data-option="2" data-low="true" checked' in html
    )
    assert "Cold tone." in html
    assert 'id="ws-final">25.0<' in html


def test_a_low_rating_brings_the_root_cause_select_and_a_high_one_clears_it(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = draft(reviewer, interaction, version)
    client = client_for(reviewer)

    low = client.post(
        rate_url(review), form(version.defn, {"empathy": "2"}, changed="empathy"), headers=HTMX
    ).content.decode()
    assert 'name="root_cause-empathy"' in low and "Knowledge gap" in low

    client.post(
        rate_url(review),
        form(version.defn, {"empathy": "2"}, **{"root_cause-empathy": "Behaviour"}),
        headers=HTMX,
    )
    assert review.ratings.get(criterion_key="empathy").root_cause == "Behaviour"

    high = client.post(
        rate_url(review),
        form(
            version.defn, {"empathy": "5"}, changed="empathy", **{"root_cause-empathy": "Behaviour"}
        ),
        headers=HTMX,
    ).content.decode()
    assert 'name="root_cause-empathy"' not in high
    assert review.ratings.get(criterion_key="empathy").root_cause == ""


def test_evidence_is_saved_and_shown_under_the_criterion(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = draft(reviewer, interaction, version)
    quote = '{"kind": "quote", "message": 1, "text": "Message 2 from the agent."}'
    time = '{"kind": "time", "seconds": 83.25}'

    client_for(reviewer).post(
        rate_url(review),
        form(version.defn, {"empathy": "4"}, **{"evidence-empathy": [quote, time]}),
    )

    assert review.ratings.get(criterion_key="empathy").evidence == [
        {"kind": "quote", "message": 1, "text": "Message 2 from the agent."},
        {"kind": "time", "seconds": 83.2},
    ]
    html = client_for(reviewer).get(workspace_url(interaction)).content.decode()
    assert "“Message 2 from the agent.” (message 2)" in html
    assert "At 1:23 in the recording" in html


def test_the_answer_to_a_question_is_kept_but_never_scored(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = draft(reviewer, interaction, version)

    client_for(reviewer).post(
        rate_url(review), form(version.defn, {"empathy": "5", "contact-reason": "2"})
    )

    review.refresh_from_db()
    assert review.answers == {"contact-reason": "Technical"}
    assert review.raw_score == Decimal(100)


def test_a_criterion_left_out_of_the_post_keeps_its_rating(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = draft(reviewer, interaction, version)
    rate(review=review, by=reviewer, ratings={"greeting": RatingInput(value=Decimal(2))})

    client_for(reviewer).post(rate_url(review), {"criteria": ["empathy"], "rating-empathy": "3"})

    assert {r.criterion_key: r.value for r in review.ratings.all()} == {
        "greeting": Decimal(2),
        "empathy": Decimal(3),
    }


def test_na_is_refused_where_the_criterion_does_not_allow_it(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = draft(reviewer, interaction, version)
    client = client_for(reviewer)

    htmx = client.post(
        rate_url(review), form(version.defn, {"empathy": "na"}, changed="empathy"), headers=HTMX
    )
    plain = client.post(rate_url(review), form(version.defn, {"empathy": "na"}))

    assert htmx.status_code == 200
    assert "&#x27;Shows empathy&#x27; cannot be marked N/A." in htmx.content.decode()
    assert plain.status_code == 400
    assert "&#x27;Shows empathy&#x27; cannot be marked N/A." in plain.content.decode()
    assert not review.ratings.exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"rating-empathy": "7"}, "7 is not one of the options for &#x27;Shows empathy&#x27;"),
        ({"rating-empathy": "abc"}, "Choose one of the options for &#x27;Shows empathy&#x27;"),
        ({"rating-empathy": "1e999999"}, "Choose one of the options"),
        ({"rating-empathy": "NaN"}, "Choose one of the options"),
        ({"rating-empathy": "9" * 5000}, "Choose one of the options"),
        (
            {"rating-empathy": "2", "root_cause-empathy": "Hacker"},
            "Choose a root cause from the list",
        ),
        ({"rating-empathy": "4", "evidence-empathy": "{not json"}, "could not be read"),
        (
            {
                "rating-empathy": "4",
                "evidence-empathy": '{"kind": "quote", "message": -1, "text": "x"}',
            },
            "could not be read",
        ),
        (
            {"rating-empathy": "4", "evidence-empathy": '{"kind": "time", "seconds": "Infinity"}'},
            "could not be read",
        ),
        ({"rating-empathy": "4", "comment-empathy": "x" * 5001}, "too long"),
        ({"criteria": ["no-such-thing"], "rating-no-such-thing": "1"}, "There is no criterion"),
    ],
)
def test_a_tampered_post_is_refused_with_a_message_and_saves_nothing(
    extra: dict[str, Any],
    message: str,
    reviewer: User,
    interaction: Interaction,
    version: FrameworkVersion,
) -> None:
    review = draft(reviewer, interaction, version)
    client = client_for(reviewer)
    data = {"criteria": [c.key for c in version.defn.criteria], **extra}

    plain = client.post(rate_url(review), data)
    htmx = client.post(rate_url(review), {**data, "changed": "empathy"}, headers=HTMX)
    submitted = client.post(submit_url(review), data)

    assert plain.status_code == 400 and message in plain.content.decode()
    assert htmx.status_code == 200 and message in htmx.content.decode()
    assert submitted.status_code == 400 and message in submitted.content.decode()
    review.refresh_from_db()
    assert not review.ratings.exists() and review.status == ReviewStatus.DRAFT


# --- Submitting -------------------------------------------------------------------------------


def test_submitting_an_incomplete_review_names_the_missing_criteria_and_keeps_the_draft(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = draft(reviewer, interaction, version)

    response = client_for(reviewer).post(submit_url(review), form(version.defn, {"empathy": "4"}))

    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert (
        '<a href="#criterion-verify-identity">Rate '
        "&#x27;Verifies the customer&#x27;s identity&#x27; before submitting.</a>"
    ) in html
    assert "Rate &#x27;Greets the customer&#x27; or mark it N/A before submitting." in html
    assert 'id="criterion-greeting-error"' in html
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT and review.submitted_at is None
    assert review.ratings.get(criterion_key="empathy").value == Decimal(4)  # the draft was saved


def test_submitting_a_complete_review_stores_its_score_and_goes_to_the_review_page(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = draft(reviewer, interaction, version)
    client = client_for(reviewer)

    response = client.post(submit_url(review), form(version.defn, COMPLETE, comment="Well done."))

    assert response.status_code == 302
    try:
        expected = reverse("scorecards:review", args=[review.pk])
    except Exception:
        expected = workspace_url(interaction, review=review.pk)
    assert response["Location"] == expected
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert review.final_score == Decimal("87.5") and review.passed is True
    assert review.comment == "Well done."
    followed = client.get(response["Location"])
    assert "Review submitted: 87.5, Pass." in followed.content.decode()


def test_submitting_twice_stores_one_review(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = draft(reviewer, interaction, version)
    client = client_for(reviewer)

    first = client.post(submit_url(review), form(version.defn, COMPLETE))
    second = client.post(submit_url(review), form(version.defn, COMPLETE))

    assert first.status_code == second.status_code == 302
    assert Review.objects.filter(status=ReviewStatus.SUBMITTED).count() == 1
    assert AuditEvent.objects.filter(action="review.submitted").count() == 1
    assert AuditEvent.objects.filter(action="review.rating_changed").count() == 0


def test_a_competing_review_is_warned_about_and_needs_confirming(
    reviewer: User, lead: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    lead.full_name = "Maria Reviewer"
    lead.save()
    earlier = draft(lead, interaction, version)
    rate(
        review=earlier,
        by=lead,
        ratings={k: RatingInput(value=Decimal(v)) for k, v in COMPLETE.items()},
    )
    submit_review(review=earlier, by=lead)
    Review.objects.filter(pk=earlier.pk).update(submitted_at=timezone.now() - dt.timedelta(days=2))
    client = client_for(reviewer)

    page = client.get(workspace_url(interaction)).content.decode()
    assert (
        "Maria Reviewer already reviewed this interaction (submitted 2\xa0days ago, 87.5)." in page
    )
    assert "Submitting yours adds a second review." in page

    client.post(workspace_url(interaction), {"framework": version.pk})
    mine = Review.objects.get(reviewer=reviewer)
    refused = client.post(submit_url(mine), form(version.defn, COMPLETE))
    assert refused.status_code == 400
    assert "tick the box to confirm" in refused.content.decode()
    assert Review.objects.get(pk=mine.pk).status == ReviewStatus.DRAFT

    accepted = client.post(submit_url(mine), form(version.defn, COMPLETE, confirm_competing="1"))
    assert accepted.status_code == 302
    assert (
        Review.objects.filter(interaction=interaction, status=ReviewStatus.SUBMITTED).count() == 2
    )


# --- Corrections ------------------------------------------------------------------------------


def submitted(reviewer: User, interaction: Interaction, version: FrameworkVersion) -> Review:
    review = draft(reviewer, interaction, version)
    rate(
        review=review,
        by=reviewer,
        ratings={k: RatingInput(value=Decimal(v)) for k, v in COMPLETE.items()},
    )
    return submit_review(review=review, by=reviewer)


def test_the_author_reopens_a_submitted_review_read_only_with_a_correct_ratings_button(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = submitted(reviewer, interaction, version)

    html = client_for(reviewer).get(workspace_url(interaction)).content.decode()

    assert "Correct ratings" in html
    assert 'id="ws-form"' not in html
    assert "disabled" in html
    assert review.pk


@pytest.mark.parametrize("who", ["reviewer", "qa_manager"])
def test_a_submitted_review_is_corrected_by_its_author_or_a_qa_manager_and_audited(
    who: str,
    request: pytest.FixtureRequest,
    reviewer: User,
    interaction: Interaction,
    version: FrameworkVersion,
) -> None:
    review = submitted(reviewer, interaction, version)
    person: User = request.getfixturevalue(who)
    client = client_for(person)

    page = client.get(workspace_url(interaction, review=review.pk, correct=1)).content.decode()
    assert 'id="ws-form"' in page and "Correcting a submitted review" in page

    response = client.post(
        rate_url(review),
        form(version.defn, {**COMPLETE, "empathy": "2"}, changed="empathy"),
        headers=HTMX,
    )

    assert response.status_code == 200
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert review.final_score == Decimal("62.5")
    event = AuditEvent.objects.get(action="review.rating_changed")
    assert event.actor == person
    assert event.before["value"] == "4" and event.after["value"] == "2"


def test_a_correction_may_not_take_a_rating_away(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = submitted(reviewer, interaction, version)
    values = {k: v for k, v in COMPLETE.items() if k != "empathy"}

    response = client_for(reviewer).post(rate_url(review), form(version.defn, values))

    assert response.status_code == 400
    assert "must keep a rating" in response.content.decode()
    assert review.ratings.get(criterion_key="empathy").value == Decimal(4)


def test_another_reviewer_sees_a_submitted_review_read_only_and_cannot_correct_it(
    reviewer: User, org: Org, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = submitted(reviewer, interaction, version)
    colleague = person_with_role("reviewer", org.support, member_of=org.team)
    client = client_for(colleague)

    page = client.get(workspace_url(interaction, review=review.pk, correct=1)).content.decode()

    assert 'id="ws-form"' not in page and "Correct ratings" not in page
    response = client.post(rate_url(review), form(version.defn, {**COMPLETE, "empathy": "1"}))
    assert response.status_code == 403


# --- Query counts -----------------------------------------------------------------------------


def _big_setup(org: Org, agent: User, reviewer: User) -> tuple[Interaction, Review]:
    version = published_version(big_definition(30), FrameworkFactory(name="Big standard"))
    interaction = InteractionFactory(agent=agent, team=org.team)
    TranscriptFactory(interaction=interaction, messages=chat_messages(200))
    CustomerFeedbackFactory(interaction=interaction, agent=agent, team=org.team)
    review = draft(reviewer, interaction, version)
    rate(
        review=review,
        by=reviewer,
        ratings={
            c.key: RatingInput(value=Decimal(1 + i % 5))
            for i, c in enumerate(version.defn.criteria[:20])
        },
    )
    competitor = UserFactory()
    Review.objects.create(
        interaction=interaction,
        framework_version=version,
        reviewer=competitor,
        agent=agent,
        team=org.team,
        interaction_started_at=interaction.started_at,
        channel="chat",
    )
    return interaction, review


def test_the_workspace_needs_the_same_few_queries_for_a_small_and_a_large_review(
    org: Org,
    agent: User,
    reviewer: User,
    interaction: Interaction,
    version: FrameworkVersion,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(reviewer)
    draft(reviewer, interaction, version)
    client.get(workspace_url(interaction))  # session and grants warm
    with django_assert_max_num_queries(PAGE_QUERIES):
        small = client.get(workspace_url(interaction))
    assert small.status_code == 200

    big, _ = _big_setup(org, agent, reviewer)
    with django_assert_max_num_queries(PAGE_QUERIES):
        large = client.get(workspace_url(big))
    assert large.status_code == 200
    assert large.content.decode().count('class="ws-message ') == 200
    assert large.content.decode().count('data-criterion="c') == 30


def test_the_workspace_preview_before_starting_needs_few_queries(
    reviewer: User,
    interaction: Interaction,
    version: FrameworkVersion,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(reviewer)
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(workspace_url(interaction)).status_code == 200


def test_rating_needs_the_same_few_queries_for_a_small_and_a_large_review(
    org: Org,
    agent: User,
    reviewer: User,
    interaction: Interaction,
    version: FrameworkVersion,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(reviewer)
    small = draft(reviewer, interaction, version)
    with django_assert_max_num_queries(RATE_QUERIES):
        client.post(
            rate_url(small), form(version.defn, {"empathy": "3"}, changed="empathy"), headers=HTMX
        )

    _, review = _big_setup(org, agent, reviewer)
    defn = review.framework_version.defn
    values = {c.key: str(1 + i % 5) for i, c in enumerate(defn.criteria[:20])}
    values[defn.criteria[0].key] = "5"
    with django_assert_max_num_queries(RATE_QUERIES):
        response = client.post(
            rate_url(review), form(defn, values, changed=defn.criteria[0].key), headers=HTMX
        )
    assert response.status_code == 200


def test_scores_shown_match_the_scoring_rules(
    reviewer: User, interaction: Interaction, version: FrameworkVersion
) -> None:
    review = draft(reviewer, interaction, version)
    values = {"verify-identity": "0", "greeting": "2", "empathy": "5"}

    html = (
        client_for(reviewer)
        .post(rate_url(review), form(version.defn, values, changed="verify-identity"), headers=HTMX)
        .content.decode()
    )

    expected = scoring.score_review(
        version.defn,
        {k: scoring.Rating(key=k, value=Decimal(v)) for k, v in values.items()},
    )
    assert f'id="ws-final">{scoring.display(expected.final)}<' in html
    assert f'id="ws-raw">{scoring.display(expected.raw)}<' in html
    assert "Fatal criterion &#x27;Verifies the customer&#x27;s identity&#x27; failed" in html
    for line in expected.explanation():
        assert f"<li>{escape(line)}</li>" in html
