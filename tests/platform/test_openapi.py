"""The OpenAPI document at /api/v1/openapi.json: every reference in it resolves.

Integrators generate clients from it; a `$ref` that points nowhere breaks their generators and
the interactive docs at /api/v1/docs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from qa_platform.people.models import User


def refs(node: Any, where: str = "#") -> Iterator[tuple[str, str]]:
    """(where, reference) for every "$ref" anywhere in the document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield where, value
            else:
                yield from refs(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from refs(value, f"{where}/{i}")


def resolve(document: dict[str, Any], ref: str) -> Any:
    """The node a local JSON pointer ("#/components/schemas/X") names; KeyError when none."""
    if not ref.startswith("#/"):
        raise KeyError(f"not a local reference: {ref}")
    node: Any = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


@pytest.fixture
def document(client: Client, admin: User) -> dict[str, Any]:
    client.force_login(admin)
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    found: dict[str, Any] = response.json()
    return found


def test_every_reference_in_the_openapi_document_resolves(document: dict[str, Any]) -> None:
    found = list(refs(document))
    assert found, "the document has references (the response schemas use components)"
    broken = []
    for where, ref in found:
        try:
            resolve(document, ref)
        except (KeyError, IndexError, ValueError):
            broken.append(f"{where}: {ref}")
    assert broken == []


def test_the_import_endpoints_are_in_the_document(document: dict[str, Any]) -> None:
    paths = document["paths"]
    assert "post" in paths["/api/v1/interactions"]
    assert "post" in paths["/api/v1/customer-feedback"]
    assert {"get", "post"} <= set(paths["/api/v1/reviews"])
    parameters = {p["name"] for p in paths["/api/v1/reviews"]["get"]["parameters"]}
    assert {"updated_since", "page", "page_size"} <= parameters


def test_a_broken_reference_would_be_found() -> None:
    document = {"a": {"$ref": "#/components/schemas/Missing"}, "components": {"schemas": {}}}
    with pytest.raises(KeyError):
        resolve(document, next(refs(document))[1])
