"""Reviews as people read them: my reviews, a review's page with its arithmetic, acknowledging it,
the agent home's "Reviews to read" card, and the reviews list for leads and QA managers."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qa_platform.audit.models import AuditEvent
from qa_platform.people.models import Team, User
from qa_platform.people.roles import Role
from scorecards import framework_def as fd
from scorecards.models import FrameworkVersion, QualitySettings, Review
from scorecards.services.reviews import RatingInput, rate, submit_review
from tests.conftest import Org
from tests.people.factories import MembershipFactory, RoleGrantFactory, UserFactory
from tests.scorecards.factories import (
    FrameworkFactory,
    InteractionFactory,
    ReviewFactory,
    demo_definition,
    published_version,
)

HTMX = {"HX-Request": "true"}

# verify-identity yes (100 x 1), greeting 3 of 1-3 (100 x 1), empathy 4 of 1-5 (75 x 2): 350 / 4.
PASSING = {"verify-identity": "1", "greeting": "3", "empathy": "4", "contact-reason": "2"}
# The same with identity not verified: raw (0 + 100 + 150) / 4 = 62.5, final 0 (fatal).
FATAL = {**PASSING, "verify-identity": "0"}
# Greeting N/A: (100 + 150) / 3 = 83.3.
WITH_NA = {**PASSING, "greeting": "N/A"}


def graded_review(
    *,
    agent: User,
    reviewer: User,
    team: Team | None = None,
    ratings: Mapping[str, str] = PASSING,
    version: FrameworkVersion | None = None,
    comment: str = "",
    comments: Mapping[str, str] | None = None,
    evidence: Mapping[str, list[dict[str, Any]]] | None = None,
    root_causes: Mapping[str, str] | None = None,
    submit: bool = True,
    days_ago: int = 2,
    channel: str = "chat",
) -> Review:
    """A review graded through the services: rated, and submitted unless `submit=False`."""
    if team is None:
        team = agent.memberships.select_related("team").first().team  # type: ignore[union-attr]
    interaction = InteractionFactory(
        agent=agent,
        team=team,
        channel=channel,
        started_at=timezone.now() - dt.timedelta(days=days_ago),
    )
    review = ReviewFactory(
        interaction=interaction,
        reviewer=reviewer,
        framework_version=version or published_version(),
    )
    entered = {
        key: RatingInput(
            value=None if value == "N/A" else Decimal(value),
            na=value == "N/A",
            comment=(comments or {}).get(key, ""),
            root_cause=(root_causes or {}).get(key, ""),
            evidence=(evidence or {}).get(key, []),
        )
        for key, value in ratings.items()
    }
    rate(review=review, by=reviewer, ratings=entered, comment=comment)
    if submit:
        submit_review(review=review, by=reviewer)
    review.refresh_from_db()
    return review


def page(client: Client, user: User, url: str, **kwargs: Any) -> Any:
    client.force_login(user)
    return client.get(url, **kwargs)


def text_of(response: Any) -> str:
    return html.unescape(response.content.decode())


# --- My reviews --------------------------------------------------------------------------------


def test_my_reviews_lists_the_agents_own_submitted_reviews_unacknowledged_first(
    agent: User, other_team_agent: User, reviewer: User, client: Client
) -> None:
    old_pending = graded_review(agent=agent, reviewer=reviewer, days_ago=9)
    acknowledged = graded_review(agent=agent, reviewer=reviewer, ratings=FATAL, days_ago=1)
    Review.objects.filter(pk=acknowledged.pk).update(acknowledged_at=timezone.now())
    draft = graded_review(agent=agent, reviewer=reviewer, submit=False)
    someone_else = graded_review(agent=other_team_agent, reviewer=UserFactory())

    response = page(client, agent, reverse("scorecards:my_reviews"))

    assert response.status_code == 200
    shown = [r.pk for r in response.context["reviews"]]
    assert shown == [old_pending.pk, acknowledged.pk]
    assert draft.pk not in shown and someone_else.pk not in shown
    content = text_of(response)
    assert "2 reviews, 1 to acknowledge" in content
    assert "87.5" in content and "Pass" in content
    assert "Fatal" in content and "Fail" in content
    assert "Read and acknowledge" in content
    assert "is-pending" in content


def test_my_reviews_shows_an_empty_state_without_reviews(agent: User, client: Client) -> None:
    response = page(client, agent, reverse("scorecards:my_reviews"))
    assert response.status_code == 200
    assert "No reviews yet" in response.content.decode()


def test_my_reviews_sends_anonymous_people_to_sign_in(client: Client, org: Org) -> None:
    response = client.get(reverse("scorecards:my_reviews"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_my_reviews_is_for_agents_only(lead: User, client: Client) -> None:
    assert page(client, lead, reverse("scorecards:my_reviews")).status_code == 403


def test_my_reviews_answers_htmx_with_the_results_fragment(
    agent: User, reviewer: User, client: Client
) -> None:
    graded_review(agent=agent, reviewer=reviewer)
    response = page(client, agent, reverse("scorecards:my_reviews"), headers=HTMX)
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert 'id="my-review-results"' in content


def test_my_reviews_query_count_does_not_grow_with_the_reviews(
    agent: User, reviewer: User, django_assert_max_num_queries: Any
) -> None:
    version = published_version()
    client = Client()
    client.force_login(agent)
    graded_review(agent=agent, reviewer=reviewer, version=version)
    with django_assert_max_num_queries(12) as one:
        assert client.get(reverse("scorecards:my_reviews")).status_code == 200
    for _ in range(12):
        graded_review(agent=agent, reviewer=reviewer, version=published_version())
    with django_assert_max_num_queries(12) as many:
        assert client.get(reverse("scorecards:my_reviews")).status_code == 200
    assert len(many.captured_queries) == len(one.captured_queries)


# --- A review's page ---------------------------------------------------------------------------


def test_the_agent_reads_the_score_the_pass_mark_and_the_arithmetic(
    agent: User, reviewer: User, client: Client
) -> None:
    review = graded_review(
        agent=agent,
        reviewer=reviewer,
        comment="A warm, careful contact.",
        comments={"empathy": "You named the customer's worry back to them."},
        root_causes={"empathy": "Behaviour"},
    )

    response = page(client, agent, reverse("scorecards:review", args=[review.pk]))

    assert response.status_code == 200
    content = text_of(response)
    assert "Review of your chat on" in content
    assert "87.5" in content
    assert "Passed: 87.5 is at or above the pass mark of 80." in content
    # Each criterion: rating label and value, weight, its normalised score.
    assert "Verifies the customer's identity" in content and "Yes" in content
    assert "Good" in content and "(value 4 on a scale of 1\u20135)" in content
    assert "75.0 \u00d7 2 = 150.0" in content
    # The arithmetic lines from the scoring rules, word for word.
    for line in review_score_lines(review):
        assert line in content
    assert "(100.0 + 100.0 + 150.0) / 4 = 87.5" in content
    assert "Contact reason" in content and "Technical" in content  # the question's answer
    assert "You named the customer's worry back to them." in content
    assert "Behaviour" in content
    assert "A warm, careful contact." in content
    assert "Support standard, version 1" in content
    assert reviewer.get_full_name() in content
    assert 'href="/quality/how-scores-work/"' in content
    assert reverse("scorecards:review_pdf", args=[review.pk]) in content
    assert "Acknowledge" in content


def review_score_lines(review: Review) -> list[str]:
    from scorecards.services.reviews import score_of

    return score_of(review).explanation()


def test_a_fatal_failure_shows_the_final_zero_and_the_raw_score_it_overrode(
    agent: User, reviewer: User, client: Client
) -> None:
    review = graded_review(agent=agent, reviewer=reviewer, ratings=FATAL)

    content = text_of(page(client, agent, reverse("scorecards:review", args=[review.pk])))

    assert (
        "Final 0 because 'Verifies the customer's identity' failed; the criteria add up to 62.5."
        in content
    )
    assert "Not passed: 0.0 is below the pass mark of 80." in content
    assert "Fatal" in content and "Fail" in content
    assert "Failed: the final score is 0 whatever the other criteria add up to." in content


def test_an_na_criterion_is_shown_as_left_out_of_both_sums(
    agent: User, reviewer: User, client: Client
) -> None:
    review = graded_review(agent=agent, reviewer=reviewer, ratings=WITH_NA)

    content = text_of(page(client, agent, reverse("scorecards:review", args=[review.pk])))

    assert "N/A: Greets the customer (left out of both sums)" in content
    assert "Marked N/A and left out of the score: Greets the customer." in content
    assert "(100.0 + 150.0) / 3 = 83.3" in content


def test_points_mode_shows_points_instead_of_weights(
    agent: User, reviewer: User, client: Client
) -> None:
    version = published_version(demo_definition(mode="points"))
    review = graded_review(agent=agent, reviewer=reviewer, version=version)

    content = text_of(page(client, agent, reverse("scorecards:review", args=[review.pk])))

    assert "Points" in content
    assert "7.5 points earned" in content  # empathy: 75% of 10 points
    assert "(5.0 + 5.0 + 7.5) / 20 points \u00d7 100 = 87.5" in content


def test_quoted_evidence_and_recording_times_are_shown(
    agent: User, reviewer: User, client: Client
) -> None:
    review = graded_review(
        agent=agent,
        reviewer=reviewer,
        evidence={
            "empathy": [
                {"kind": "quote", "message": 2, "text": "I understand how worrying that is."},
                {"kind": "time", "seconds": 125},
                {"kind": "nonsense"},
            ]
        },
    )

    content = text_of(page(client, agent, reverse("scorecards:review", args=[review.pk])))

    assert "I understand how worrying that is." in content
    assert "message 3" in content
    assert "at 2:05 in the recording" in content


def test_a_review_is_always_shown_under_its_own_framework_version(
    agent: User, reviewer: User, client: Client
) -> None:
    framework = FrameworkFactory(name="Support standard")
    v1 = published_version(demo_definition(), framework=framework, number=1)
    review = graded_review(agent=agent, reviewer=reviewer, version=v1)
    # Version 2 doubles the weight of empathy; the old review keeps version 1's arithmetic.
    heavier = demo_definition()
    empathy = heavier.criterion("empathy")
    sections = tuple(
        fd.Section(
            key=s.key,
            title=s.title,
            weight=s.weight,
            criteria=tuple(
                fd.Criterion(**{**c.__dict__, "weight": Decimal(4)}) if c is empathy else c
                for c in s.criteria
            ),
        )
        for s in heavier.sections
    )
    published_version(
        fd.FrameworkDef(**{**heavier.__dict__, "sections": sections}), framework=framework, number=2
    )

    content = text_of(page(client, agent, reverse("scorecards:review", args=[review.pk])))

    assert "Support standard, version 1" in content
    assert "(100.0 + 100.0 + 150.0) / 4 = 87.5" in content


def test_the_reviewer_name_is_hidden_from_the_agent_when_the_organisation_says_so(
    agent: User, reviewer: User, lead: User, client: Client
) -> None:
    settings = QualitySettings.load()
    settings.hide_reviewer_from_agents = True
    settings.save()
    review = graded_review(agent=agent, reviewer=reviewer)
    url = reverse("scorecards:review", args=[review.pk])

    as_agent = text_of(page(client, agent, url))
    assert "A QA reviewer" in as_agent
    assert reviewer.get_full_name() not in as_agent

    as_lead = text_of(page(Client(), lead, url))
    assert reviewer.get_full_name() in as_lead
    assert "A QA reviewer" not in as_lead


@pytest.mark.parametrize("role", ["lead", "reviewer", "qa_manager", "admin"])
def test_quality_roles_of_the_team_see_the_review_without_an_acknowledge_button(
    role: str, request: pytest.FixtureRequest, agent: User, reviewer: User, client: Client
) -> None:
    review = graded_review(agent=agent, reviewer=UserFactory())
    response = page(
        client, request.getfixturevalue(role), reverse("scorecards:review", args=[review.pk])
    )
    assert response.status_code == 200
    content = text_of(response)
    assert f"Review of {agent.get_full_name()}'s chat" in content
    assert "Not acknowledged yet" in content
    assert reverse("scorecards:review_acknowledge", args=[review.pk]) not in content


@pytest.mark.parametrize("role", ["other_team_lead", "other_team_agent", "hr"])
def test_people_outside_the_reviews_team_get_404(
    role: str, request: pytest.FixtureRequest, agent: User, reviewer: User, client: Client
) -> None:
    review = graded_review(agent=agent, reviewer=reviewer)
    user = request.getfixturevalue(role)
    assert page(client, user, reverse("scorecards:review", args=[review.pk])).status_code == 404
    assert page(client, user, reverse("scorecards:review_pdf", args=[review.pk])).status_code == 404


def test_the_agent_cannot_open_a_draft_of_their_own_review(
    agent: User, reviewer: User, client: Client
) -> None:
    draft = graded_review(agent=agent, reviewer=reviewer, submit=False)
    assert page(client, agent, reverse("scorecards:review", args=[draft.pk])).status_code == 404


def test_the_review_page_sends_anonymous_people_to_sign_in(
    agent: User, reviewer: User, client: Client
) -> None:
    review = graded_review(agent=agent, reviewer=reviewer)
    response = client.get(reverse("scorecards:review", args=[review.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_review_page_answers_htmx_with_the_review_fragment(
    agent: User, reviewer: User, client: Client
) -> None:
    review = graded_review(agent=agent, reviewer=reviewer)
    response = page(client, agent, reverse("scorecards:review", args=[review.pk]), headers=HTMX)
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert 'id="review"' in content and "87.5" in content


def test_the_review_page_query_count_does_not_grow_with_the_criteria(
    agent: User, reviewer: User, django_assert_max_num_queries: Any
) -> None:
    small = graded_review(agent=agent, reviewer=reviewer)
    big_version = published_version(fifteen_criteria())
    big = graded_review(
        agent=agent,
        reviewer=reviewer,
        version=big_version,
        ratings={f"c{i}": str(1 + i % 5) for i in range(15)},
    )
    QualitySettings.load()  # the settings row exists in any running organisation
    client = Client()
    client.force_login(agent)
    with django_assert_max_num_queries(12) as one:
        assert client.get(reverse("scorecards:review", args=[small.pk])).status_code == 200
    with django_assert_max_num_queries(12) as many:
        assert client.get(reverse("scorecards:review", args=[big.pk])).status_code == 200
    assert len(many.captured_queries) == len(one.captured_queries)


def fifteen_criteria() -> fd.FrameworkDef:
    """Three sections of five 5-point criteria (the PDF bench uses the same shape)."""
    return fd.FrameworkDef(
        name="Fifteen",
        scoring_mode="weighted",
        pass_mark=Decimal(75),
        use_section_weights=False,
        sections=tuple(
            fd.Section(
                key=f"s{s}",
                title=f"Section {s + 1}",
                weight=None,
                criteria=tuple(
                    fd.Criterion(
                        key=f"c{s * 5 + i}",
                        title=f"Criterion {s * 5 + i + 1}",
                        guidance="",
                        scale="five",
                        options=fd.point_scale(5),
                        weight=Decimal(1 + i % 3),
                    )
                    for i in range(5)
                ),
            )
            for s in range(3)
        ),
    )


# --- Acknowledging -----------------------------------------------------------------------------


def test_the_agent_acknowledges_and_is_sent_back_with_a_toast(
    agent: User, reviewer: User, client: Client
) -> None:
    review = graded_review(agent=agent, reviewer=reviewer)
    client.force_login(agent)

    response = client.post(reverse("scorecards:review_acknowledge", args=[review.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("scorecards:review", args=[review.pk])
    review.refresh_from_db()
    assert review.acknowledged_at is not None
    assert AuditEvent.objects.filter(
        action="review.acknowledged", object_id=str(review.pk)
    ).exists()
    after = text_of(client.get(response["Location"]))
    assert "Review acknowledged." in after
    assert "Acknowledged on" in after
    assert reverse("scorecards:review_acknowledge", args=[review.pk]) not in after


def test_acknowledging_with_htmx_returns_the_acknowledged_fragment(
    agent: User, reviewer: User, client: Client
) -> None:
    review = graded_review(agent=agent, reviewer=reviewer)
    client.force_login(agent)

    response = client.post(reverse("scorecards:review_acknowledge", args=[review.pk]), headers=HTMX)

    content = text_of(response)
    assert response.status_code == 200
    assert "<html" not in content
    assert 'id="acknowledgement"' in content
    assert "Acknowledged on" in content
    assert "Review acknowledged." in content


def test_a_second_acknowledgement_keeps_the_first_time(
    agent: User, reviewer: User, client: Client
) -> None:
    review = graded_review(agent=agent, reviewer=reviewer)
    client.force_login(agent)
    url = reverse("scorecards:review_acknowledge", args=[review.pk])
    client.post(url)
    first = Review.objects.get(pk=review.pk).acknowledged_at
    Review.objects.filter(pk=review.pk).update(acknowledged_at=first - dt.timedelta(hours=1))

    response = client.post(url)

    assert response.status_code == 302
    assert Review.objects.get(pk=review.pk).acknowledged_at == first - dt.timedelta(hours=1)
    assert AuditEvent.objects.filter(action="review.acknowledged").count() == 1
    assert "You had already acknowledged this review." in text_of(client.get(response["Location"]))


@pytest.mark.parametrize("role", ["lead", "reviewer", "qa_manager"])
def test_only_the_agent_may_acknowledge_others_who_see_the_review_get_403(
    role: str, request: pytest.FixtureRequest, agent: User, reviewer: User, client: Client
) -> None:
    review = graded_review(agent=agent, reviewer=reviewer)
    client.force_login(request.getfixturevalue(role))
    response = client.post(reverse("scorecards:review_acknowledge", args=[review.pk]))
    assert response.status_code == 403
    assert Review.objects.get(pk=review.pk).acknowledged_at is None


def test_acknowledging_another_teams_review_is_404(
    agent: User, other_team_agent: User, reviewer: User, client: Client
) -> None:
    review = graded_review(agent=agent, reviewer=reviewer)
    client.force_login(other_team_agent)
    response = client.post(reverse("scorecards:review_acknowledge", args=[review.pk]))
    assert response.status_code == 404


def test_acknowledging_needs_sign_in_and_a_post(
    agent: User, reviewer: User, client: Client
) -> None:
    review = graded_review(agent=agent, reviewer=reviewer)
    url = reverse("scorecards:review_acknowledge", args=[review.pk])
    anonymous = client.post(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))
    client.force_login(agent)
    assert client.get(url).status_code == 405
    assert Review.objects.get(pk=review.pk).acknowledged_at is None


# --- The agent's home ----------------------------------------------------------------------------


def test_the_agent_home_lists_reviews_to_read_with_their_score(
    agent: User, reviewer: User, client: Client
) -> None:
    to_read = graded_review(agent=agent, reviewer=reviewer, ratings=FATAL)
    read = graded_review(agent=agent, reviewer=reviewer)
    Review.objects.filter(pk=read.pk).update(acknowledged_at=timezone.now())

    response = page(client, agent, reverse("home_agent"))

    assert [r.pk for r in response.context["reviews_to_read"]] == [to_read.pk]
    content = text_of(response)
    assert "Reviews to read" in content
    assert "1 new" in content
    assert reverse("scorecards:review", args=[to_read.pk]) in content
    assert "Fatal" in content
    assert reverse("scorecards:my_reviews") in content


def test_the_agent_home_shows_five_reviews_to_read_and_how_many_more(
    agent: User, reviewer: User, client: Client
) -> None:
    for days in range(7):
        graded_review(agent=agent, reviewer=reviewer, days_ago=days + 1)

    response = page(client, agent, reverse("home_agent"))

    assert len(response.context["reviews_to_read"]) == 5
    content = text_of(response)
    assert "7 new" in content
    assert "and 2 more to read." in content


def test_the_agent_home_says_when_there_is_nothing_to_read(agent: User, client: Client) -> None:
    content = text_of(page(client, agent, reverse("home_agent")))
    assert "No reviews to read" in content


# --- The reviews list (leads, QA managers, administrators) ---------------------------------------


@pytest.fixture
def team_reviews(org: Org, agent: User, reviewer: User, other_team_agent: User) -> list[Review]:
    return [
        graded_review(agent=agent, reviewer=reviewer, days_ago=3),
        graded_review(agent=agent, reviewer=reviewer, ratings=FATAL, days_ago=20),
        graded_review(agent=other_team_agent, reviewer=UserFactory(), days_ago=3),
    ]


def test_a_lead_lists_the_reviews_of_their_team_only(
    lead: User, team_reviews: list[Review], client: Client
) -> None:
    response = page(client, lead, reverse("scorecards:reviews"))
    assert response.status_code == 200
    shown = list(response.context["reviews"])
    assert {r.pk for r in shown} == {team_reviews[0].pk, team_reviews[1].pk}
    assert shown[0].submitted_at >= shown[1].submitted_at  # newest first
    content = text_of(response)
    assert "2 reviews" in content
    assert reverse("scorecards:review", args=[team_reviews[0].pk]) in content
    assert "Export CSV" in content


def test_a_qa_manager_lists_every_team_and_filters_them(
    qa_manager: User, org: Org, team_reviews: list[Review], client: Client
) -> None:
    url = reverse("scorecards:reviews")
    client.force_login(qa_manager)
    assert len(client.get(url).context["reviews"]) == 3
    by_team = client.get(url, {"team": org.other_team.pk})
    assert [r.pk for r in by_team.context["reviews"]] == [team_reviews[2].pk]
    failed = client.get(url, {"result": "fatal"})
    assert [r.pk for r in failed.context["reviews"]] == [team_reviews[1].pk]
    recent = client.get(url, {"start": (timezone.localdate() - dt.timedelta(days=7)).isoformat()})
    assert {r.pk for r in recent.context["reviews"]} == {team_reviews[0].pk, team_reviews[2].pk}
    by_agent = client.get(url, {"agent": "Ada"})
    assert {r.pk for r in by_agent.context["reviews"]} == {team_reviews[0].pk, team_reviews[1].pk}
    unacknowledged = client.get(url, {"acknowledged": "no", "result": "passed"})
    assert len(unacknowledged.context["reviews"]) == 2
    export = client.get(url, {"team": org.other_team.pk, "result": "passed"})
    expected = f"{reverse('scorecards:reviews_export')}?team={org.other_team.pk}&amp;result=passed"
    assert expected in export.content.decode()


def test_bad_filters_are_ignored_not_an_error(
    qa_manager: User, team_reviews: list[Review], client: Client
) -> None:
    response = page(
        client,
        qa_manager,
        reverse("scorecards:reviews"),
        data={
            "team": "x",
            "start": "31/02/2026",
            "framework": "99999",
            "result": "??",
            "page": "9",
        },
    )
    assert response.status_code == 200
    assert len(response.context["reviews"]) == 3


@pytest.mark.parametrize("role", ["agent", "reviewer", "hr"])
def test_the_reviews_list_is_for_leads_and_qa_managers(
    role: str, request: pytest.FixtureRequest, client: Client
) -> None:
    user = request.getfixturevalue(role)
    assert page(client, user, reverse("scorecards:reviews")).status_code == 403


def test_the_reviews_list_sends_anonymous_people_to_sign_in(org: Org, client: Client) -> None:
    response = client.get(reverse("scorecards:reviews"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_reviews_list_answers_htmx_with_the_results_fragment(
    lead: User, team_reviews: list[Review], client: Client
) -> None:
    response = page(client, lead, reverse("scorecards:reviews"), headers=HTMX)
    content = response.content.decode()
    assert "<html" not in content
    assert 'id="review-results"' in content


def test_the_reviews_list_query_count_does_not_grow_with_the_rows(
    org: Org, qa_manager: User, agent: User, reviewer: User, django_assert_max_num_queries: Any
) -> None:
    client = Client()
    client.force_login(qa_manager)
    graded_review(agent=agent, reviewer=reviewer)
    with django_assert_max_num_queries(14) as one:
        assert client.get(reverse("scorecards:reviews")).status_code == 200
    for _ in range(3):
        other = UserFactory()
        MembershipFactory(user=other, team=org.sibling_team)
        RoleGrantFactory(user=other, role=Role.AGENT, team=org.sibling_team)
        for _ in range(5):
            graded_review(agent=other, reviewer=reviewer, version=published_version())
    with django_assert_max_num_queries(14) as many:
        assert client.get(reverse("scorecards:reviews")).status_code == 200
    assert len(many.captured_queries) == len(one.captured_queries)
