"""Library search: live pages only, the live text only, and never a page the person may not open."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.models import PageViewRestriction

from content.models import PersonaPage
from qa_platform.people.models import User
from tests.conftest import signed_in
from tests.content.factories import journey_map, persona, persona_index

pytestmark = pytest.mark.django_db

SEARCH = "/library/search/"


def titles(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [r["title"] for r in response.context["results"]]


def test_search_finds_a_persona_by_name_and_by_what_they_say(client: Client, agent: User) -> None:
    page = persona(name="Maya Okafor", quotes="Where is my blender?")
    signed_in(client, agent)

    by_name = client.get(SEARCH, {"q": "Okafor"})
    by_quote = client.get(SEARCH, {"q": "blender"})

    assert by_name.status_code == 200
    assert titles(by_name) == [page.title]
    assert titles(by_quote) == [page.title]
    assert by_name.context["results"][0]["url"] == "/library/personas/maya-okafor/"
    assert by_name.context["results"][0]["kind"] == "Persona"
    assert "1 result for" in by_name.content.decode()


def test_search_finds_touchpoints_inside_a_journey_map(client: Client, agent: User) -> None:
    page = journey_map()

    response = signed_in(client, agent).get(SEARCH, {"q": "approval queue"})

    assert titles(response) == [page.title]


def test_search_leaves_out_pages_that_were_never_published(client: Client, agent: User) -> None:
    draft = PersonaPage(title="Draft Dora", slug="dora", name="Draft Dora", role_description="x")
    persona_index().add_child(instance=draft)
    draft.unpublish()

    response = signed_in(client, agent).get(SEARCH, {"q": "Dora"})

    assert titles(response) == []
    assert "Nothing found" in response.content.decode()


def test_search_matches_the_live_text_not_an_unpublished_draft(client: Client, agent: User) -> None:
    page = persona(name="Maya Okafor")
    page.role_description = "Secretly a zeppelin pilot."
    page.save_revision()  # a draft: not published

    response = signed_in(client, agent).get(SEARCH, {"q": "zeppelin"})

    assert titles(response) == []


def test_search_leaves_out_pages_restricted_to_a_group_the_person_is_not_in(
    client: Client, agent: User, lead: User
) -> None:
    page = persona(name="Maya Okafor")
    group = Group.objects.create(name="Library insiders")
    lead.groups.add(group)
    restriction = PageViewRestriction.objects.create(
        page=page.get_parent(), restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(group)

    outsider = signed_in(client, agent).get(SEARCH, {"q": "Okafor"})
    client.logout()
    insider = signed_in(client, lead).get(SEARCH, {"q": "Okafor"})

    assert titles(outsider) == []
    assert titles(insider) == [page.title]


def test_search_leaves_out_password_protected_pages_until_the_password_is_given(
    client: Client, agent: User
) -> None:
    page = persona(name="Maya Okafor")
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="open sesame"
    )

    response = signed_in(client, agent).get(SEARCH, {"q": "Okafor"})

    assert titles(response) == []


def test_an_empty_search_asks_what_to_look_for(client: Client, agent: User) -> None:
    response = signed_in(client, agent).get(SEARCH, {"q": "   "})

    assert response.status_code == 200
    assert "Type what you are looking for" in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(SEARCH, {"q": "maya"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("n", [1, 15])
def test_search_takes_a_fixed_number_of_queries(
    client: Client,
    agent: User,
    django_assert_max_num_queries,
    n: int,  # type: ignore[no-untyped-def]
) -> None:
    for i in range(n):
        persona(name=f"Shopper {i}", slug=f"shopper-{i}", quotes="Where is my parcel?")
    signed_in(client, agent)
    client.get(SEARCH, {"q": "parcel"})

    with django_assert_max_num_queries(12):
        response = client.get(SEARCH, {"q": "parcel"})

    assert len(response.context["results"]) == n
