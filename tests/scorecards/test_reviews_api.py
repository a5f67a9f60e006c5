"""The reviews API: the access-scoped feed (`GET /reviews`) and the all-or-nothing, idempotent
import of historical reviews (`POST /reviews`)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qa_platform.audit.models import AuditEvent
from qa_platform.notifications.models import Notification
from qa_platform.people.models import ApiToken, User
from scorecards.models import Interaction, QualitySettings, Review, ReviewRating
from scorecards.services.review_import import import_reviews
from tests.conftest import Org
from tests.people.factories import ApiTokenFactory, UserFactory
from tests.scorecards.factories import InteractionFactory, published_version
from tests.scorecards.test_review_pages import FATAL, WITH_NA, graded_review

FEED = "/api/v1/reviews"


def bearer(user: User) -> dict[str, str]:
    key = f"qap_reviews_test_{user.pk:06d}"
    if not ApiToken.objects.filter(user=user, name="reviews").exists():
        ApiTokenFactory(user=user, key=key, name="reviews")
    return {"Authorization": f"Bearer {key}"}


def get(user: User, **params: Any) -> Any:
    return Client().get(FEED, params, headers=bearer(user))


def post(user: User, body: Any) -> Any:
    return Client().post(
        FEED,
        data=json.dumps(body, default=str),
        content_type="application/json",
        headers=bearer(user),
    )


# --- The feed ------------------------------------------------------------------------------------


def test_the_feed_lists_visible_reviews_with_ratings_scores_and_references(
    lead: User, agent: User, reviewer: User, other_team_agent: User
) -> None:
    fatal = graded_review(agent=agent, reviewer=reviewer, ratings=FATAL)
    na = graded_review(agent=agent, reviewer=reviewer, ratings=WITH_NA)
    graded_review(agent=other_team_agent, reviewer=UserFactory())
    graded_review(agent=agent, reviewer=reviewer, submit=False)

    response = get(lead)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    items = {item["id"]: item for item in body["items"]}
    assert set(items) == {fatal.pk, na.pk}
    item = items[fatal.pk]
    assert item["ratings"] == {
        "verify-identity": 0,
        "greeting": 3,
        "empathy": 4,
        "contact-reason": 2,
    }
    assert item["raw_score"] == 62.5
    assert item["final_score"] == 0
    assert item["passed"] is False
    assert item["fatal_failed"] is True
    assert item["framework"] == "Support standard"
    assert item["framework_version"] == 1
    assert item["interaction_source"] == fatal.interaction.source
    assert item["interaction_source_id"] == fatal.interaction.source_id
    assert item["agent_email"] == agent.email
    assert item["reviewer_email"] == reviewer.email
    assert item["submitted_at"] is not None
    assert items[na.pk]["ratings"]["greeting"] == "N/A"


def test_the_feed_is_ordered_by_change_and_filters_on_updated_since(
    qa_manager: User, agent: User, reviewer: User
) -> None:
    first = graded_review(agent=agent, reviewer=reviewer)
    second = graded_review(agent=agent, reviewer=reviewer)
    cut = timezone.now()
    Review.objects.filter(pk=first.pk).update(updated_at=cut + dt.timedelta(seconds=5))
    Review.objects.filter(pk=second.pk).update(updated_at=cut - dt.timedelta(days=1))

    everything = get(qa_manager).json()["items"]
    assert [i["id"] for i in everything] == [second.pk, first.pk]
    since = get(qa_manager, updated_since=cut.isoformat()).json()
    assert [i["id"] for i in since["items"]] == [first.pk]
    assert since["count"] == 1


def test_the_feed_pages(qa_manager: User, agent: User, reviewer: User) -> None:
    for _ in range(3):
        graded_review(agent=agent, reviewer=reviewer)
    page_two = get(qa_manager, page=2, page_size=2).json()
    assert page_two["count"] == 3
    assert len(page_two["items"]) == 1
    assert get(qa_manager, page=9).json()["items"] == []
    assert get(qa_manager, page_size=100_000).status_code == 422


def test_an_agent_sees_only_their_own_reviews_and_not_a_hidden_reviewer(
    agent: User, other_team_agent: User, reviewer: User
) -> None:
    settings = QualitySettings.load()
    settings.hide_reviewer_from_agents = True
    settings.save()
    mine = graded_review(agent=agent, reviewer=reviewer)
    graded_review(agent=other_team_agent, reviewer=UserFactory())

    items = get(agent).json()["items"]

    assert [i["id"] for i in items] == [mine.pk]
    assert items[0]["reviewer_email"] is None


def test_the_feed_needs_a_token(org: Org) -> None:
    assert Client().get(FEED).status_code == 401


def test_the_feed_refuses_a_bad_time(qa_manager: User) -> None:
    assert get(qa_manager, updated_since="yesterday").status_code == 422


def test_the_feed_query_count_does_not_grow_with_the_page(
    qa_manager: User, agent: User, reviewer: User, django_assert_max_num_queries: Any
) -> None:
    graded_review(agent=agent, reviewer=reviewer)
    get(qa_manager)  # the token's first use records its time
    with django_assert_max_num_queries(8) as one:
        assert len(get(qa_manager).json()["items"]) == 1
    for _ in range(8):
        graded_review(agent=agent, reviewer=reviewer, version=published_version())
    with django_assert_max_num_queries(8) as many:
        assert len(get(qa_manager).json()["items"]) == 9
    assert len(many.captured_queries) == len(one.captured_queries)


# --- The import ----------------------------------------------------------------------------------


@pytest.fixture
def history(org: Org, agent: User, reviewer: User) -> dict[str, Any]:
    """Two old contacts of the agent and the framework they were graded on elsewhere."""
    version = published_version()
    contacts = [
        InteractionFactory(
            agent=agent,
            team=org.team,
            source="zendesk",
            source_id=f"ZD-{n}",
            started_at=timezone.now() - dt.timedelta(days=60 + n),
        )
        for n in range(2)
    ]
    return {"version": version, "contacts": contacts}


def record(n: int, reviewer: User, **changes: Any) -> dict[str, Any]:
    return {
        "external_id": f"OLD-{n}",
        "framework": "Support standard",
        "version": 1,
        "interaction_source": "zendesk",
        "interaction_source_id": f"ZD-{n}",
        "reviewer_email": reviewer.email.upper(),
        "ratings": {"verify-identity": 1, "greeting": "N/A", "empathy": "4", "contact-reason": 1},
        "comments": {"empathy": "Kind and clear."},
        "comment": "Imported from the old tool.",
        "submitted_at": (timezone.now() - dt.timedelta(days=30)).isoformat(),
        **changes,
    }


def test_a_valid_batch_creates_submitted_reviews_scored_by_our_rules(
    qa_manager: User, agent: User, reviewer: User, history: dict[str, Any]
) -> None:
    response = post(qa_manager, {"reviews": [record(0, reviewer), record(1, reviewer)]})

    assert response.status_code == 200, response.content
    assert response.json() == {"created": 2, "unchanged": 0}
    review = Review.objects.get(external_id="OLD-0")
    assert review.source == "import"
    assert review.status == "submitted"
    assert review.agent == agent
    assert review.reviewer == reviewer
    assert review.interaction == history["contacts"][0]
    assert review.framework_version == history["version"]
    # (100 + 150) / 3 with greeting N/A.
    assert str(review.raw_score) == "83.3333"
    assert review.final_score == review.raw_score
    assert review.passed is True
    assert review.comment == "Imported from the old tool."
    assert review.submitted_at < timezone.now() - dt.timedelta(days=29)
    ratings = {r.criterion_key: r for r in review.ratings.all()}
    assert ratings["greeting"].na is True
    assert str(ratings["empathy"].normalised) == "75.0000"
    assert ratings["empathy"].comment == "Kind and clear."
    assert AuditEvent.objects.filter(action="review.imported").count() == 2
    summary = AuditEvent.objects.get(action="reviews.import")
    assert summary.after == {"created": 2, "unchanged": 0, "rows": 2}
    assert not Notification.objects.filter(recipient=agent).exists()  # old news


def test_imported_reviews_show_on_the_review_page_like_any_other(
    qa_manager: User, agent: User, reviewer: User, history: dict[str, Any], client: Client
) -> None:
    post(
        qa_manager,
        {
            "reviews": [
                record(
                    0, reviewer, ratings={**record(0, reviewer)["ratings"], "verify-identity": 0}
                )
            ]
        },
    )
    review = Review.objects.get(external_id="OLD-0")
    client.force_login(agent)
    content = client.get(reverse("scorecards:review", args=[review.pk])).content.decode()
    assert "Final 0 because" in content


def test_posting_the_same_batch_again_changes_nothing(
    qa_manager: User, reviewer: User, history: dict[str, Any]
) -> None:
    batch = {"reviews": [record(0, reviewer), record(1, reviewer)]}
    post(qa_manager, batch)
    before = list(Review.objects.order_by("pk").values())

    again = post(qa_manager, batch)

    assert again.status_code == 200
    assert again.json() == {"created": 0, "unchanged": 2}
    assert list(Review.objects.order_by("pk").values()) == before
    assert ReviewRating.objects.count() == 8
    assert AuditEvent.objects.filter(action="review.imported").count() == 2


def test_a_batch_with_new_and_known_reviews_creates_only_the_new(
    qa_manager: User, reviewer: User, history: dict[str, Any]
) -> None:
    post(qa_manager, {"reviews": [record(0, reviewer)]})
    response = post(qa_manager, {"reviews": [record(0, reviewer), record(1, reviewer)]})
    assert response.json() == {"created": 1, "unchanged": 1}
    assert Review.objects.count() == 2


BAD_RECORDS = [
    ({"framework": "No such framework"}, "framework", "There is no framework"),
    ({"version": 7}, "version", "has no version 7"),
    ({"interaction_source_id": "ZD-404"}, "interaction_source_id", "There is no interaction"),
    ({"reviewer_email": "nobody@example.test"}, "reviewer_email", "Nobody has the email"),
    (
        {"ratings": {"verify-identity": 1, "greeting": 3, "empathy": 4, "tone": 2}},
        "ratings.tone",
        "There is no criterion 'tone'",
    ),
    (
        {"ratings": {"verify-identity": 1, "greeting": 3, "empathy": 7}},
        "ratings.empathy",
        "7 is not one of the options",
    ),
    (
        {"ratings": {"verify-identity": "N/A", "greeting": 3, "empathy": 4}},
        "ratings.verify-identity",
        "cannot be marked N/A",
    ),
    ({"ratings": {"verify-identity": 1, "greeting": 3}}, "ratings.empathy", "before submitting"),
    (
        {"ratings": {"verify-identity": 1, "greeting": 3, "empathy": "good"}},
        "ratings.empathy",
        "Give a number or",
    ),
    ({"comments": {"tone": "Nice"}}, "comments.tone", "There is no criterion 'tone'"),
    ({"submitted_at": "next tuesday"}, "submitted_at", "ISO 8601"),
    (
        {"submitted_at": (timezone.now() + dt.timedelta(days=3)).isoformat()},
        "submitted_at",
        "in the future",
    ),
    ({"external_id": "  "}, "external_id", "Give external_id"),
    ({"version": "two"}, "version", "version number"),
]


@pytest.mark.parametrize(("changes", "field", "reason"), BAD_RECORDS)
def test_one_bad_record_refuses_the_whole_batch_naming_its_row_and_field(
    changes: dict[str, Any],
    field: str,
    reason: str,
    qa_manager: User,
    reviewer: User,
    history: dict[str, Any],
) -> None:
    response = post(qa_manager, {"reviews": [record(0, reviewer), record(1, reviewer, **changes)]})

    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert {"row": 2, "field": field} == {k: detail[0][k] for k in ("row", "field")}, detail
    assert reason in detail[0]["reason"]
    assert not Review.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="review").exists()


def test_every_bad_record_is_reported_at_once(
    qa_manager: User, reviewer: User, history: dict[str, Any]
) -> None:
    response = post(
        qa_manager,
        {
            "reviews": [
                record(0, reviewer, version=9),
                record(1, reviewer, reviewer_email="ghost@example.test"),
                record(1, reviewer),
            ]
        },
    )
    detail = response.json()["detail"]
    assert [(d["row"], d["field"]) for d in detail] == [
        (1, "version"),
        (2, "reviewer_email"),
        (3, "external_id"),
    ]


def test_the_agent_cannot_be_their_own_imported_reviewer(
    qa_manager: User, agent: User, reviewer: User, history: dict[str, Any]
) -> None:
    response = post(qa_manager, {"reviews": [record(0, reviewer, reviewer_email=agent.email)]})
    assert response.status_code == 422
    assert response.json()["detail"][0]["reason"] == "Nobody reviews their own contact."


def test_a_qa_manager_imports_only_into_the_teams_they_manage(
    org: Org, reviewer: User, other_team_agent: User, history: dict[str, Any]
) -> None:
    from qa_platform.people.roles import Role
    from tests.people.factories import person_with_role

    sales_qa = person_with_role(Role.QA_MANAGER, org.sales, email="salesqa@example.test")
    response = post(sales_qa, {"reviews": [record(0, reviewer)]})  # a Billing contact
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "interaction_source_id"


def test_wrong_types_are_refused_with_422_and_save_nothing(
    qa_manager: User, reviewer: User, history: dict[str, Any]
) -> None:
    response = post(qa_manager, {"reviews": [record(0, reviewer, version="two")]})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"row": 1, "field": "version", "reason": "Give the framework's version number (1, 2, …)."}
    ]
    nested = post(qa_manager, {"reviews": [record(0, reviewer, ratings=[1, 2])]})
    assert nested.status_code == 422
    assert nested.json()["detail"][0]["field"].startswith("reviews.0.ratings")
    assert post(qa_manager, {"reviews": "everything"}).status_code == 422
    assert post(qa_manager, [record(0, reviewer)]).status_code == 422
    assert not Review.objects.exists()


def test_at_most_10000_reviews_per_call(qa_manager: User, reviewer: User, org: Org) -> None:
    response = post(qa_manager, {"reviews": [record(0, reviewer)] * 10_001})
    assert response.status_code == 422
    assert not Review.objects.exists()
    result = import_reviews(records=[record(0, reviewer)] * 10_001, by=qa_manager)
    assert result.errors[0].reason.startswith("Send at most 10,000")


@pytest.mark.parametrize("role", ["agent", "reviewer", "lead", "hr"])
def test_only_qa_managers_and_administrators_may_import(
    role: str, request: pytest.FixtureRequest, reviewer: User, history: dict[str, Any]
) -> None:
    response = post(request.getfixturevalue(role), {"reviews": [record(0, reviewer)]})
    assert response.status_code == 403
    assert not Review.objects.exists()


def test_an_administrator_may_import(admin: User, reviewer: User, history: dict[str, Any]) -> None:
    response = post(admin, {"reviews": [record(0, reviewer)]})
    assert response.json() == {"created": 1, "unchanged": 0}


def test_the_import_needs_a_token(org: Org) -> None:
    response = Client().post(FEED, data="{}", content_type="application/json")
    assert response.status_code == 401


def test_a_large_import_takes_a_fixed_number_of_queries(
    qa_manager: User, org: Org, agent: User, reviewer: User, django_assert_max_num_queries: Any
) -> None:
    published_version()
    Interaction.objects.bulk_create(
        [
            Interaction(
                source="zendesk",
                source_id=f"BULK-{n}",
                channel="chat",
                agent=agent,
                team=org.team,
                started_at=timezone.now() - dt.timedelta(days=90),
            )
            for n in range(300)
        ]
    )
    records = [
        record(n, reviewer, external_id=f"BULK-{n}", interaction_source_id=f"BULK-{n}")
        for n in range(300)
    ]
    with django_assert_max_num_queries(40):
        result = import_reviews(records=records, by=qa_manager)
    assert result.created == 300
    assert Review.objects.filter(source="import").count() == 300
