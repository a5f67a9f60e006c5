"""The examples in docs/api.md are real: each documented body, posted to its endpoint, gets the
documented answer, and the documented review feed item matches what the feed returns for it."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from qa_platform.people.models import Membership, User
from qa_platform.people.roles import Role
from scorecards.models import CustomerFeedback, Interaction, Review
from tests.conftest import Org
from tests.people.factories import ApiTokenFactory, UserFactory, person_with_role
from tests.scorecards.factories import published_version

DOC = Path(settings.BASE_DIR) / "docs" / "api.md"
EXAMPLE = re.compile(
    r"<!-- example: (?P<method>POST|GET) (?P<path>\S+) -->\s*```json\n(?P<body>.*?)```\s*"
    r"answers `(?P<status>\d{3})`:\s*<!-- answer -->\s*```json\n(?P<answer>.*?)```",
    re.DOTALL,
)
FEED_ITEM = re.compile(r'```json\n(\{"count": 1, .*?)```', re.DOTALL)


def examples() -> list[dict[str, Any]]:
    found = [m.groupdict() for m in EXAMPLE.finditer(DOC.read_text(encoding="utf-8"))]
    return [
        {
            "path": m["path"],
            "body": json.loads(m["body"]),
            "status": int(m["status"]),
            "answer": json.loads(m["answer"]),
        }
        for m in found
    ]


@pytest.fixture
def documented_world(org: Org) -> dict[str, User]:
    """The people and framework the examples name."""
    qa = person_with_role(Role.QA_MANAGER, org.root, email="qa@example.com")
    ada = person_with_role(Role.AGENT, org.team, email="ada@example.com", full_name="Ada Agent")
    grace = person_with_role(Role.REVIEWER, org.root, email="grace@example.com")
    Membership.objects.filter(user__in=[ada, grace]).update(start=dt.date(2020, 1, 1))
    published_version()  # "Support standard", version 1
    ApiTokenFactory(user=qa, key="qap_docs_example_qa", name="docs")
    UserFactory(email="someone@example.com")
    return {"qa": qa, "ada": ada, "grace": grace}


def test_the_document_has_the_three_import_examples() -> None:
    assert [e["path"] for e in examples()] == [
        "/api/v1/interactions",
        "/api/v1/customer-feedback",
        "/api/v1/reviews",
    ]


def test_every_documented_example_gets_the_documented_answer_and_the_feed_item(
    documented_world: dict[str, User],
) -> None:
    client = Client(headers={"Authorization": "Bearer qap_docs_example_qa"})
    for example in examples():
        response = client.post(
            example["path"], json.dumps(example["body"]), content_type="application/json"
        )
        assert response.status_code == example["status"], (example["path"], response.content)
        assert response.json() == example["answer"], example["path"]
    assert Interaction.objects.count() == 2
    assert CustomerFeedback.objects.filter(interaction__source_id="T-100231").count() == 1
    assert Review.objects.count() == 1

    documented = json.loads(FEED_ITEM.search(DOC.read_text(encoding="utf-8"))[1])["items"][0]
    feed = client.get("/api/v1/reviews", {"updated_since": "2026-03-01T00:00:00Z"}).json()
    item = feed["items"][0]
    varying = {"id", "team_id", "updated_at", "interaction_started_at"}
    assert {k: v for k, v in item.items() if k not in varying} == {
        k: v for k, v in documented.items() if k not in varying
    }
    # Sending the same batches again changes nothing.
    for example in examples():
        again = client.post(
            example["path"], json.dumps(example["body"]), content_type="application/json"
        ).json()
        assert again.get("created") == 0 and again.get("unchanged") == len(
            example["body"] if isinstance(example["body"], list) else example["body"]["reviews"]
        )


def test_the_documented_error_format_is_what_a_bad_record_gets(
    documented_world: dict[str, User],
) -> None:
    client = Client(headers={"Authorization": "Bearer qap_docs_example_qa"})
    good = examples()[0]["body"][0]
    body = [good, {**good, "source_id": "T-2", "channel": "fax"}]
    response = client.post(
        "/api/v1/interactions", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "row": 2,
                "field": "channel",
                "reason": "Unknown channel “fax”; use call, chat, email, messaging, social.",
            }
        ]
    }
    assert not Interaction.objects.exists()
