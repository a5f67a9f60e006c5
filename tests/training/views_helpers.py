"""Helpers for the training view tests (training-views)."""

from __future__ import annotations

import itertools
from typing import Any

from django.test import Client

from tests.training.factories import publish, training_index
from training.pages import LearningPathPage
from training.services import answer_question, start_attempt, submit_module_attempt

HTMX = {"HX-Request": "true"}
_slugs = itertools.count(1)


def make_path(title: str, items: list[tuple[Any, list[Any], bool]]) -> LearningPathPage:
    """A published learning path whose items are the given pages (page objects in the stream)."""
    page = LearningPathPage(
        title=title,
        slug=f"{title.lower().replace(' ', '-')}-{next(_slugs)}",
        certificate=True,
        validity_months=12,
        items=[
            ("item", {"page": item, "prerequisites": list(prereqs), "required": required})
            for item, prereqs, required in items
        ],
    )
    training_index().add_child(instance=page)
    return publish(page)  # type: ignore[return-value]


def pass_default_module(person: Any, page: Any, *, practice: bool = False) -> Any:
    """Answer the factories' default module (window=b, receipt=true) right and submit."""
    attempt = start_attempt(person=person, page=page, practice=practice)
    answer_question(attempt=attempt, key="window", raw="b")
    answer_question(attempt=attempt, key="receipt", raw="true")
    return submit_module_attempt(attempt=attempt)


def body_of(client: Client, url: str, **kwargs: Any) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.status_code
    return response.content.decode()
