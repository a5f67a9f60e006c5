"""My training, the path page and the agent home's "Training due" panel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qa_platform.people.models import User
from tests.conftest import signed_in
from tests.training.factories import AssignmentFactory, module_page, scenario_page
from tests.training.views_helpers import make_path, pass_default_module

pytestmark = pytest.mark.django_db

URL = "/training/"


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_agent_sees_assigned_items_with_status_and_due_date(client: Client, agent: User) -> None:
    today = timezone.localdate()
    late = module_page("Late module")
    fresh = scenario_page("Fresh role-play")
    AssignmentFactory(person=agent, page=late, due_at=today - dt.timedelta(days=2))
    AssignmentFactory(person=agent, page=fresh, due_at=today + dt.timedelta(days=5))
    response = signed_in(client, agent).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Late module" in body and "Fresh role-play" in body
    assert "Overdue" in body and "Assigned" in body
    assert f"/training/modules/{late.pk}/" in body
    assert f"/training/scenarios/{fresh.pk}/" in body
    # Overdue comes first.
    assert body.index("Late module") < body.index("Fresh role-play")


def test_completed_module_shows_completed(client: Client, agent: User) -> None:
    page = module_page("Done module")
    AssignmentFactory(person=agent, page=page)
    pass_default_module(agent, page)
    body = signed_in(client, agent).get(URL).content.decode()
    assert "Completed" in body


def test_library_lists_live_material_not_assigned(client: Client, agent: User) -> None:
    assigned = module_page("Assigned one")
    module_page("Optional one")
    AssignmentFactory(person=agent, page=assigned)
    body = signed_in(client, agent).get(URL).content.decode()
    library = body[body.index('id="library-heading"') :]
    assert "Optional one" in library
    assert "Assigned one" not in library


def test_path_progress_counts_items_done(client: Client, agent: User) -> None:
    first = module_page("Path item one")
    second = scenario_page("Path item two")
    path = make_path("Onboarding", [(first, [], True), (second, [first], True)])
    AssignmentFactory(person=agent, page=path)
    pass_default_module(agent, first)
    body = signed_in(client, agent).get(URL).content.decode()
    assert "1 of 2 items done" in body
    response = client.get(reverse("training:path", args=[path.pk]))
    assert response.status_code == 200
    assert "1 of 2 items done" in response.content.decode()


def test_htmx_request_gets_the_assigned_fragment(client: Client, agent: User) -> None:
    response = signed_in(client, agent).get(URL, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'id="training-assigned"' in response.content


def test_unpublished_path_is_not_found(client: Client, agent: User) -> None:
    first = module_page("Item")
    path = make_path("Hidden path", [(first, [], True)])
    path.unpublish()
    assert signed_in(client, agent).get(reverse("training:path", args=[path.pk])).status_code == 404


@pytest.mark.parametrize("count", [1, 8])
def test_my_training_query_count_does_not_grow(
    client: Client, agent: User, count: int, django_assert_max_num_queries: object
) -> None:
    pages = [module_page(f"Module {i}") for i in range(count)]
    for page in pages:
        AssignmentFactory(person=agent, page=page)
    path = make_path("A path", [(pages[0], [], True)])
    AssignmentFactory(person=agent, page=path)
    signed_in(client, agent)
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        response = client.get(URL)
    assert response.status_code == 200


def test_agent_home_shows_training_due(client: Client, agent: User) -> None:
    page = module_page("Due soon module")
    AssignmentFactory(person=agent, page=page)
    body = signed_in(client, agent).get(reverse("home_agent")).content.decode()
    assert "Training due" in body
    assert "Due soon module" in body


def test_navigation_offers_my_training_to_everyone_and_reports_to_leads(
    client: Client, agent: User, lead: User
) -> None:
    body = signed_in(client, agent).get(URL).content.decode()
    assert 'href="/training/"' in body
    assert "Training reports" not in body
    body = signed_in(Client(), lead).get(URL).content.decode()
    assert "Training reports" in body


def test_agent_finds_their_certificate_on_my_training_and_downloads_it(
    client: Client, agent: User, other_team_agent: User
) -> None:
    from training.services import issue_certificate

    path = make_path("Complaint handling", [(module_page("First steps"), [], True)])
    certificate = issue_certificate(person=agent, path=path)
    signed_in(client, agent)

    response = client.get(URL)
    page = response.content.decode()
    assert "Your certificates" in page
    assert certificate.code in page
    assert reverse("verify_certificate", args=[certificate.code]) in page
    pdf = client.get(reverse("training:certificate_pdf", args=[certificate.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"

    signed_in(client, other_team_agent)
    assert "Your certificates" not in client.get(URL).content.decode()
    assert client.get(reverse("training:certificate_pdf", args=[certificate.pk])).status_code == 404
