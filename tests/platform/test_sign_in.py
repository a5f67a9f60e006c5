"""Signing in and out, lockout, password change and reset, and the audit events they leave."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from qa_platform.audit.models import AuditEvent
from qa_platform.notifications.tasks import send_email
from qa_platform.people import forms as people_forms
from qa_platform.people.models import User

LOGIN = reverse("login")
LOCKED_OUT = b"Too many failed sign-ins"
WRONG = "not-the-password"


def _sign_in(client: Client, email: str, password: str, ip: str = "127.0.0.1", **kw: Any) -> Any:
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip, **kw)


def _signed_in_as(client: Client) -> int | None:
    return client.session.get("_auth_user_id") and int(client.session["_auth_user_id"])


class TaskSpy:
    """Stands in for a task to record what was enqueued, then enqueues it for real."""

    def __init__(self, task: Any) -> None:
        self.task = task
        self.calls: list[dict[str, Any]] = []

    def enqueue(self, **kwargs: Any) -> Any:
        self.calls.append(kwargs)
        return self.task.enqueue(**kwargs)


def _without_tokens(html: bytes) -> bytes:
    """The page minus its per-response CSRF token and CSP nonce."""
    return re.sub(rb'(X-CSRFToken": "|nonce=")[^"]+', rb"\1", html)


# --- signing in ----------------------------------------------------------------------------------


def test_the_sign_in_page_is_public(db: None, client: Client) -> None:
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert b"Sign in to" in response.content


@pytest.mark.parametrize(("role", "home"), [("admin", "/home/admin/"), ("agent", "/home/agent/")])
def test_signing_in_with_the_right_password_lands_on_the_home_of_the_main_role(
    role: str, home: str, request: pytest.FixtureRequest, client: Client, password: str
) -> None:
    user: User = request.getfixturevalue(role)
    response = _sign_in(client, user.email, password, follow=True)
    assert response.redirect_chain == [("/", 302), (home, 302)]
    assert response.status_code == 200
    assert _signed_in_as(client) == user.pk


def test_the_email_signs_in_whatever_its_case_and_surrounding_spaces(
    agent: User, client: Client, password: str
) -> None:
    _sign_in(client, "  " + agent.email.upper() + " ", password)
    assert _signed_in_as(client) == agent.pk


def test_a_successful_sign_in_is_recorded_in_the_audit_trail(
    agent: User, client: Client, password: str
) -> None:
    _sign_in(client, agent.email, password, ip="198.51.100.4")
    event = AuditEvent.objects.filter(action="auth.login").latest("id")
    assert event.actor == agent
    assert event.ip == "198.51.100.4"


def test_a_wrong_password_shows_the_error_and_writes_an_audit_event_without_the_password(
    agent: User, client: Client
) -> None:
    response = _sign_in(client, agent.email, "s3cret-typo", ip="198.51.100.7")
    assert response.status_code == 200
    assert b"That email and password do not match an active account" in response.content
    assert _signed_in_as(client) is None
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.object_repr == agent.email
    assert event.after == {"email": agent.email}
    assert event.ip == "198.51.100.7"
    assert event.actor is None
    stored = f"{event.before} {event.after} {event.object_repr} {event.actor_label}"
    assert "s3cret-typo" not in stored
    assert "****" not in stored


def test_an_unknown_email_gets_the_same_error_and_is_recorded(db: None, client: Client) -> None:
    response = _sign_in(client, "nobody@example.test", WRONG)
    assert b"That email and password do not match an active account" in response.content
    assert AuditEvent.objects.filter(
        action="auth.login_failed", object_repr="nobody@example.test"
    ).exists()


def test_a_deactivated_person_cannot_sign_in_and_sees_the_generic_message(
    agent: User, client: Client, password: str
) -> None:
    agent.is_active = False
    agent.save()
    response = _sign_in(client, agent.email, password)
    assert response.status_code == 200
    assert _signed_in_as(client) is None
    assert b"That email and password do not match an active account" in response.content
    assert b"deactivated" not in response.content
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 1


def test_a_signed_in_person_opening_the_sign_in_page_goes_home(agent: User, client: Client) -> None:
    client.force_login(agent)
    response = client.get(LOGIN)
    assert response.status_code == 302


@pytest.mark.parametrize(("role", "home"), [("admin", "/home/admin/"), ("agent", "/home/agent/")])
def test_the_root_url_redirects_by_main_role(
    role: str, home: str, request: pytest.FixtureRequest, client: Client
) -> None:
    client.force_login(request.getfixturevalue(role))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == home


def test_pages_need_a_sign_in(db: None, client: Client) -> None:
    response = client.get("/home/agent/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/home/agent/"


# --- lockout -------------------------------------------------------------------------------------


def test_five_failures_for_the_same_email_and_address_lock_the_account_out(
    agent: User, client: Client, password: str
) -> None:
    for attempt in range(1, 5):
        response = _sign_in(client, agent.email, WRONG)
        assert response.status_code == 200, attempt
        assert LOCKED_OUT not in response.content
    fifth = _sign_in(client, agent.email, WRONG)
    assert fifth.status_code == 429
    assert LOCKED_OUT in fifth.content
    sixth = _sign_in(client, agent.email, password)
    assert sixth.status_code == 429
    assert LOCKED_OUT in sixth.content
    assert _signed_in_as(client) is None


def test_a_lockout_is_recorded_once_in_the_audit_trail(
    agent: User, client: Client, password: str
) -> None:
    for _ in range(5):
        _sign_in(client, agent.email, WRONG, ip="192.0.2.50")
    _sign_in(client, agent.email, password, ip="192.0.2.50")
    lockouts = AuditEvent.objects.filter(action="auth.lockout")
    assert lockouts.count() == 1
    assert lockouts.get().object_repr == agent.email
    assert lockouts.get().ip == "192.0.2.50"
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 6
    assert not AuditEvent.objects.filter(action="auth.login").exists()


def test_a_failed_sign_in_with_a_very_long_name_is_refused_without_a_server_error(
    db: None, client: Client
) -> None:
    # Wagtail's sign-in for restricted library pages does not cap the field; the lockout record
    # (a 255-character column, enforced by PostgreSQL) takes the name cut to that length.
    from axes.models import AccessAttempt

    name = "x" * 600 + "@example.com"
    response = client.post(reverse("wagtailcore_login"), {"username": name, "password": WRONG})
    assert response.status_code == 200
    assert AccessAttempt.objects.get().username == name[:255]


def test_failures_from_one_address_do_not_lock_out_another_address(
    agent: User, client: Client, password: str
) -> None:
    for _ in range(5):
        _sign_in(client, agent.email, WRONG, ip="192.0.2.10")
    assert LOCKED_OUT in _sign_in(client, agent.email, password, ip="192.0.2.10").content
    response = _sign_in(client, agent.email, password, ip="192.0.2.11")
    assert response.status_code == 302
    assert _signed_in_as(client) == agent.pk


def test_failures_for_one_email_do_not_lock_out_another_person_at_the_same_address(
    agent: User, lead: User, client: Client, password: str
) -> None:
    for _ in range(5):
        _sign_in(client, agent.email, WRONG)
    response = _sign_in(client, lead.email, password)
    assert response.status_code == 302
    assert _signed_in_as(client) == lead.pk


def test_four_failures_then_the_right_password_signs_in_and_resets_the_count(
    agent: User, client: Client, password: str
) -> None:
    for _ in range(4):
        _sign_in(client, agent.email, WRONG)
    assert _sign_in(client, agent.email, password).status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        _sign_in(client, agent.email, WRONG)
    assert _sign_in(client, agent.email, password).status_code == 302


# --- signing out and changing the password -------------------------------------------------------


def test_signing_out_is_a_post_and_ends_the_session(agent: User, client: Client) -> None:
    client.force_login(agent)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert _signed_in_as(client) is None
    assert client.get("/home/agent/").status_code == 302


def test_signing_out_with_a_get_does_nothing(agent: User, client: Client) -> None:
    client.force_login(agent)
    assert client.get(reverse("logout")).status_code == 405
    assert _signed_in_as(client) == agent.pk


def test_a_person_can_change_their_password(agent: User, client: Client, password: str) -> None:
    client.force_login(agent)
    url = reverse("password_change")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "old_password": password,
            "new_password1": "a-much-better-passphrase",
            "new_password2": "a-much-better-passphrase",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    agent.refresh_from_db()
    assert agent.check_password("a-much-better-passphrase")
    assert _signed_in_as(client) == agent.pk  # the session survives the change


def test_a_wrong_old_password_re_renders_the_form_with_an_error(
    agent: User, client: Client, password: str
) -> None:
    client.force_login(agent)
    response = client.post(
        reverse("password_change"),
        {"old_password": WRONG, "new_password1": "x-new-pass-1", "new_password2": "x-new-pass-1"},
    )
    assert response.status_code == 200
    assert b"error-summary" in response.content
    agent.refresh_from_db()
    assert agent.check_password(password)


# --- password reset ------------------------------------------------------------------------------


def test_asking_for_a_reset_sends_an_email_through_the_task(
    agent: User, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = TaskSpy(send_email)
    monkeypatch.setattr(people_forms, "send_email", spy)
    response = client.post(reverse("password_reset"), {"email": agent.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert [call["to"] for call in spy.calls] == [agent.email]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [agent.email]
    assert "Reset your" in mail.outbox[0].subject
    assert "\n" not in mail.outbox[0].subject


def test_the_reset_link_sets_a_new_password(agent: User, client: Client) -> None:
    client.post(reverse("password_reset"), {"email": agent.email})
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", mail.outbox[0].body)
    assert link is not None
    response = client.get(link.group(1), follow=True)
    assert response.status_code == 200
    assert b"Choose a new password" in response.content
    set_password_url = response.redirect_chain[-1][0]
    response = client.post(
        set_password_url,
        {"new_password1": "brand-new-passphrase", "new_password2": "brand-new-passphrase"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_complete")
    agent.refresh_from_db()
    assert agent.check_password("brand-new-passphrase")
    assert _sign_in(client, agent.email, "brand-new-passphrase").status_code == 302


def test_a_used_reset_link_no_longer_works(agent: User, client: Client) -> None:
    client.post(reverse("password_reset"), {"email": agent.email})
    path = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)  # type: ignore[union-attr]
    target = client.get(path, follow=True).redirect_chain[-1][0]
    client.post(target, {"new_password1": "brand-new-pass-1", "new_password2": "brand-new-pass-1"})
    response = client.get(path, follow=True)
    assert b"This link no longer works" in response.content


def test_an_unknown_email_gets_the_same_check_your_email_page_and_no_email(
    agent: User, client: Client
) -> None:
    known = client.post(reverse("password_reset"), {"email": agent.email}, follow=True)
    mail.outbox.clear()
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.test"}, follow=True)
    assert unknown.redirect_chain == known.redirect_chain
    assert unknown.status_code == known.status_code == 200
    assert b"Check your email" in unknown.content
    assert _without_tokens(unknown.content) == _without_tokens(known.content)
    assert mail.outbox == []


def test_a_deactivated_person_gets_no_reset_email(agent: User, client: Client) -> None:
    agent.is_active = False
    agent.save()
    response = client.post(reverse("password_reset"), {"email": agent.email})
    assert response.status_code == 302
    assert mail.outbox == []
