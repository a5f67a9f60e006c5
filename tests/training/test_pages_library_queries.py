"""How many queries the library's pages take (Wagtail serves them at /library/...): the library
home finds a deep page by its URL path and each page reads its view restrictions in one query, so
the count does not grow with the page's depth nor with its blocks and questions."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from tests.training.factories_pages import module_page, single_choice, training_index
from training.pages import ModulePage

pytestmark = pytest.mark.django_db

# Session, person, site and its root page, the page by its URL path and its type, view restrictions,
# breadcrumbs, the app shell's role grants and unread notifications (Wagtail alone took 13).
MODULE_PAGE_QUERIES = 10


def _large_module(parent: Any, title: str = "Large") -> ModulePage:
    body: list[dict[str, Any]] = []
    for number in range(10):
        body.append({"type": "rich_text", "value": f"<p>Paragraph {number}.</p>"})
        body.append(single_choice(f"check-{number}"))
    return module_page(parent, title=title, body=body)


def _queries(client: Client, url: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return len(captured.captured_queries), response


def test_a_module_with_20_blocks_and_10_questions_is_served_within_the_query_budget(
    agent_client: Client,
) -> None:
    page = _large_module(training_index())
    agent_client.get(page.url)  # content types cached, as in a running process

    count, response = _queries(agent_client, page.url)

    assert response.status_code == 200
    assert response.content.decode().count("Start the module to answer") == 10
    assert count <= MODULE_PAGE_QUERIES


def test_a_deeper_module_takes_no_more_queries_than_a_shallow_one(agent_client: Client) -> None:
    shallow = _large_module(training_index(), title="Shallow")
    nested = training_index("Nested", parent=training_index("Outer"))
    deep = _large_module(nested, title="Deep")
    agent_client.get(shallow.url)

    shallow_count, _ = _queries(agent_client, shallow.url)
    deep_count, response = _queries(agent_client, deep.url)

    assert response.status_code == 200
    assert deep.url == "/library/outer/nested/deep/"
    assert deep_count == shallow_count


def test_a_restriction_on_an_ancestor_still_applies_to_a_deep_page(agent_client: Client) -> None:
    outer = training_index("Private")
    page = _large_module(training_index("Inner", parent=outer), title="Hidden")
    PageViewRestriction.objects.create(page=outer, restriction_type=PageViewRestriction.GROUPS)

    response = agent_client.get(page.url)

    assert response.status_code in (302, 403)
    assert "Paragraph 0." not in response.content.decode()


def test_a_missing_page_under_a_deep_path_is_not_found(agent_client: Client) -> None:
    index = training_index()
    _large_module(index)

    response = agent_client.get("/library/training/no-such-module/")

    assert response.status_code == 404


def test_an_unpublished_deep_page_is_not_found(agent_client: Client) -> None:
    page = _large_module(training_index())
    page.unpublish()

    response = agent_client.get("/library/training/large/")

    assert response.status_code == 404
