"""Authoring in Wagtail: the add forms open under the right parents, and previews render the
real front-end templates."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from content.models import PersonaPage
from qa_platform.people.models import User
from tests.content.factories import journey_map, library_home, persona, persona_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db: None) -> User:
    return User.objects.create_superuser("editor@example.test", "pw", full_name="Eddie Editor")


@pytest.mark.parametrize(
    "model", ["standardpage", "cxstandardspage", "journeymappage", "playbookpage"]
)
def test_an_editor_opens_the_add_form_of_each_library_page_type(
    client: Client, editor: User, model: str
) -> None:
    client.force_login(editor)

    response = client.get(
        reverse("wagtailadmin_pages:add", args=["content", model, library_home().pk])
    )

    assert response.status_code == 200


def test_an_editor_adds_a_persona_under_the_persona_index(client: Client, editor: User) -> None:
    client.force_login(editor)

    response = client.get(
        reverse("wagtailadmin_pages:add", args=["content", "personapage", persona_index().pk])
    )

    assert response.status_code == 200
    assert "Who they are: age range" in response.content.decode()  # help text is shown


def test_a_persona_cannot_be_added_directly_under_the_library_home(
    client: Client, editor: User
) -> None:
    client.force_login(editor)

    response = client.get(
        reverse("wagtailadmin_pages:add", args=["content", "personapage", library_home().pk])
    )

    assert response.status_code in (302, 403)  # Wagtail refuses with a message
    assert not PersonaPage.objects.exists()


def test_previews_render_the_front_end_templates(client: Client, editor: User) -> None:
    client.force_login(editor)
    admin_request = RequestFactory().get(
        "/cms/", HTTP_COOKIE=f"sessionid={client.cookies['sessionid'].value}"
    )
    for page, expected in (
        (journey_map(), 'class="swimlane"'),
        (persona(), "Preferred channels"),
    ):
        response = page.make_preview_request(original_request=admin_request)
        response.render()

        assert response.status_code == 200
        assert expected in response.content.decode()
    assert PersonaPage.objects.count() == 1
