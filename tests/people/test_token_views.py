"""API tokens: the list, issuing (the key shown once) and revoking."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qa_platform.audit.models import AuditEvent
from qa_platform.people.models import ApiToken, User
from qa_platform.people.roles import Role
from qa_platform.people.tokens import user_for_token
from tests.conftest import Org, signed_in
from tests.people.factories import ApiTokenFactory, UserFactory, person_with_role

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
TOKENS = reverse("people:tokens")
CREATE = reverse("people:token_create")
MAX_QUERIES = 15


def revoke_url(token: ApiToken) -> str:
    return reverse("people:token_revoke", args=[token.pk])


@pytest.fixture
def support_admin(org: Org) -> User:
    """An administrator of the Support department only (not a superuser)."""
    return person_with_role(Role.ADMIN, org.support, email="support-admin@example.test")


# ---------------------------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------------------------


def test_an_admin_sees_tokens_with_owner_prefix_and_status_but_never_the_key(
    client: Client, admin: User, agent: User
) -> None:
    token = ApiTokenFactory(user=agent, name="HR nightly sync", key="qap_secret_key_123456")
    ApiTokenFactory(user=agent, name="Old script", revoked_at="2026-01-01T00:00:00Z")

    html = signed_in(client, admin).get(TOKENS).content.decode()

    assert "HR nightly sync" in html
    assert "Ada Agent" in html
    assert f"{token.prefix}…" in html
    assert "qap_secret_key_123456" not in html
    assert token.key_hash not in html
    assert ">Active<" in html and ">Revoked<" in html
    assert "Never" in html


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, org: Org) -> None:
    for url in (TOKENS, CREATE):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["agent", "reviewer", "lead", "qa_manager", "hr"])
def test_only_admins_manage_api_tokens(client: Client, role: str, request: Any) -> None:
    user = request.getfixturevalue(role)
    client = signed_in(client, user)
    token = ApiTokenFactory(user=user)

    assert client.get(TOKENS).status_code == 403
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, {"owner": user.pk, "name": "Mine"}).status_code == 403
    assert client.post(revoke_url(token)).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.count() == 1


def test_a_department_admin_sees_only_tokens_of_people_in_their_department(
    client: Client, org: Org, support_admin: User, agent: User, other_team_agent: User
) -> None:
    ApiTokenFactory(user=agent, name="Billing export")
    ApiTokenFactory(user=other_team_agent, name="Sales export")

    html = signed_in(client, support_admin).get(TOKENS).content.decode()

    assert "Billing export" in html
    assert "Sales export" not in html


def test_the_token_list_for_htmx_is_only_the_fragment(client: Client, admin: User) -> None:
    response = signed_in(client, admin).get(TOKENS, headers=HTMX)

    assert "<html" not in response.content.decode()
    assert 'id="tokens"' in response.content.decode()


def test_the_token_list_needs_the_same_few_queries_for_one_token_or_many(
    client: Client, org: Org, admin: User, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(client, admin)
    ApiTokenFactory(user=admin)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(TOKENS)
        return len(ctx.captured_queries)

    one = count()
    for _ in range(30):
        ApiTokenFactory(user=UserFactory())
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(TOKENS)
    assert count() == one


# ---------------------------------------------------------------------------------------------
# Issuing
# ---------------------------------------------------------------------------------------------


def test_issuing_a_token_shows_the_key_once_and_stores_only_its_hash(
    client: Client, admin: User, agent: User
) -> None:
    client = signed_in(client, admin)
    assert "Issue token</button>" in client.get(CREATE).content.decode()

    response = client.post(CREATE, {"owner": agent.pk, "name": "HR nightly sync"})

    assert response.status_code == 200
    key = response.context["key"]
    html = response.content.decode()
    assert key in html
    assert "Copy this key now" in html
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.created_by) == (agent, "HR nightly sync", admin)
    assert key not in (token.key_hash, token.prefix) and key.startswith(token.prefix)
    assert user_for_token(key) == agent
    assert key not in client.get(TOKENS).content.decode()
    assert AuditEvent.objects.filter(action="api_token.issue", object_id=str(agent.pk)).exists()


def test_the_owner_can_be_chosen_from_a_persons_page(
    client: Client, admin: User, agent: User
) -> None:
    html = signed_in(client, admin).get(CREATE, {"owner": agent.pk}).content.decode()

    assert f'<option value="{agent.pk}" selected>' in html


@pytest.mark.parametrize("owner", ["", "abc", "999999", "-1"])
def test_issuing_without_a_valid_owner_is_a_form_error(
    client: Client, admin: User, owner: str
) -> None:
    response = signed_in(client, admin).post(CREATE, {"owner": owner, "name": "x"})

    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_deactivated_people_cannot_be_given_a_token(
    client: Client, org: Org, admin: User, agent: User
) -> None:
    User.objects.filter(pk=agent.pk).update(is_active=False)

    response = signed_in(client, admin).post(CREATE, {"owner": agent.pk, "name": "x"})

    assert "owner" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_a_department_admin_cannot_issue_a_token_for_someone_outside_it(
    client: Client, support_admin: User, other_team_agent: User
) -> None:
    response = signed_in(client, support_admin).post(
        CREATE, {"owner": other_team_agent.pk, "name": "x"}
    )

    assert "owner" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_issuing_a_token_without_a_name_is_a_form_error(
    client: Client, admin: User, agent: User
) -> None:
    response = signed_in(client, admin).post(CREATE, {"owner": agent.pk, "name": "   "})

    assert "name" in response.context["form"].errors
    assert "Please fix" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_issuing_over_htmx_returns_the_key_as_a_fragment(
    client: Client, admin: User, agent: User
) -> None:
    response = signed_in(client, admin).post(
        CREATE, {"owner": agent.pk, "name": "Script"}, headers=HTMX
    )
    html = response.content.decode()

    assert "<html" not in html
    assert 'id="token-result"' in html
    assert response.context["key"] in html


# ---------------------------------------------------------------------------------------------
# Revoking
# ---------------------------------------------------------------------------------------------


def test_an_admin_revokes_a_token_which_then_stops_working(
    client: Client, admin: User, agent: User
) -> None:
    token = ApiTokenFactory(user=agent, key="qap_revoke_me_000001")
    assert user_for_token("qap_revoke_me_000001") == agent

    response = signed_in(client, admin).post(revoke_url(token), follow=True)

    assert response.redirect_chain[-1][0] == TOKENS
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert user_for_token("qap_revoke_me_000001") is None
    assert "no longer works" in response.content.decode()
    assert AuditEvent.objects.filter(action="api_token.revoke").exists()


def test_revoking_a_token_needs_a_post(client: Client, admin: User, agent: User) -> None:
    token = ApiTokenFactory(user=agent)

    assert signed_in(client, admin).get(revoke_url(token)).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_over_htmx_returns_the_updated_list_fragment(
    client: Client, admin: User, agent: User
) -> None:
    token = ApiTokenFactory(user=agent, name="Nightly")

    response = signed_in(client, admin).post(revoke_url(token), headers=HTMX)
    html = response.content.decode()

    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="tokens"' in html
    assert ">Revoked<" in html
    assert "Revoked the token “Nightly”" in html


def test_a_department_admin_gets_not_found_for_tokens_outside_their_department(
    client: Client, support_admin: User, other_team_agent: User
) -> None:
    token = ApiTokenFactory(user=other_team_agent)

    assert signed_in(client, support_admin).post(revoke_url(token)).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_an_unknown_token_is_not_found(client: Client, admin: User) -> None:
    response = signed_in(client, admin).post(reverse("people:token_revoke", args=[999_999]))

    assert response.status_code == 404
