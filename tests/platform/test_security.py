"""Security baseline: CSP with nonces, production settings that refuse to start half-configured,
error pages that leak nothing, and the bell on every signed-in page."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import get_resolver, reverse

from qa_platform.notifications.services import notify
from qa_platform.people.models import User

ROOT = Path(settings.BASE_DIR)
LEAKS = (
    b"Traceback",
    b"Using the URLconf",
    b"urlpatterns",
    b"SECRET_KEY",
    b"DJANGO_SETTINGS_MODULE",
    b"DEBUG",
    b"qa_platform.urls",
    b"Request Method",
    b"matches the given query",
    b"site-packages",
)


def _directives(response: HttpResponse) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parts = (d.split() for d in header.split(";") if d.strip())
    return {p[0]: p[1:] for p in parts}


def _nonce(response: HttpResponse) -> str:
    nonces = [v for v in _directives(response)["script-src"] if v.startswith("'nonce-")]
    assert len(nonces) == 1
    return nonces[0][len("'nonce-") : -1]


def _assert_leaks_nothing(response: HttpResponse) -> None:
    for leak in LEAKS:
        assert leak not in response.content, leak


# --- Content-Security-Policy ---------------------------------------------------------------------


def test_the_sign_in_page_sends_a_strict_policy_with_a_nonce(db: None, client: Client) -> None:
    response = client.get(reverse("login"))
    directives = _directives(response)
    assert _nonce(response)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize("url", ["/home/agent/", "/notifications/"])
def test_signed_in_app_pages_send_a_strict_policy_with_a_nonce(
    url: str, agent: User, client: Client
) -> None:
    client.force_login(agent)
    response = client.get(url)
    assert response.status_code == 200
    assert _nonce(response)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_the_htmx_script_and_app_js_carry_the_nonce_of_the_header(
    agent: User, client: Client
) -> None:
    client.force_login(agent)
    response = client.get("/home/agent/")
    nonce = _nonce(response)
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    htmx = [s for s in scripts if "htmx" in s]
    app = [s for s in scripts if "js/app" in s]
    assert htmx and app
    for tag in [*htmx, *app]:
        assert f'nonce="{nonce}"' in tag, tag
    assert all("nonce=" in tag for tag in scripts), "every script carries the nonce"


def test_each_response_gets_a_fresh_nonce(agent: User, client: Client) -> None:
    client.force_login(agent)
    assert _nonce(client.get("/home/agent/")) != _nonce(client.get("/home/agent/"))


def test_the_wagtail_admin_gets_the_relaxed_policy(admin: User, client: Client) -> None:
    client.force_login(admin)
    response = client.get("/cms/")
    assert response.status_code == 200
    directives = _directives(response)
    assert "'unsafe-inline'" in directives["script-src"]
    assert "'unsafe-inline'" in directives["style-src"]


# --- production settings -------------------------------------------------------------------------


def _import_production(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, "-c", "import qa_platform.settings.production"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_settings_refuse_to_load_without_a_secret_key() -> None:
    result = _import_production(ALLOWED_HOSTS="qa.example.com", DATABASE_URL="sqlite:///x")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Set the SECRET_KEY environment variable" in result.stderr


@pytest.mark.parametrize("hosts", [None, ""])
def test_production_settings_refuse_to_load_without_allowed_hosts(hosts: str | None) -> None:
    env = {"SECRET_KEY": "x" * 50, "DATABASE_URL": "sqlite:///x"}
    if hosts is not None:
        env["ALLOWED_HOSTS"] = hosts
    result = _import_production(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Set the ALLOWED_HOSTS environment variable" in result.stderr


def test_production_settings_load_when_every_value_is_given() -> None:
    result = _import_production(
        SECRET_KEY="x" * 50, ALLOWED_HOSTS="qa.example.com", DATABASE_URL="sqlite:///x"
    )
    assert result.returncode == 0, result.stderr


# --- error pages ---------------------------------------------------------------------------------


def test_an_unknown_url_gets_the_friendly_404_page_when_signed_out(
    db: None, client: Client
) -> None:
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    _assert_leaks_nothing(response)


def test_an_unknown_url_gets_the_friendly_404_page_when_signed_in(
    agent: User, client: Client
) -> None:
    client.force_login(agent)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b'id="notification-bell"' in response.content
    _assert_leaks_nothing(response)


def test_a_404_raised_by_a_view_does_not_show_its_message(
    agent: User, other_team_agent: User, client: Client
) -> None:
    theirs = notify(recipient=other_team_agent, kind="t", title="Private title", email=False)
    client.force_login(agent)
    response = client.post(reverse("notifications:read", args=[theirs.pk]))
    assert response.status_code == 404
    assert b"Private title" not in response.content
    _assert_leaks_nothing(response)


def test_the_403_page_is_friendly_when_signed_in(agent: User, client: Client) -> None:
    client.force_login(agent)
    response = client.get(reverse("audit:list"))
    assert response.status_code == 403
    assert b"You do not have access to this page" in response.content
    _assert_leaks_nothing(response)


def _error_page(status: int, exc: Exception) -> HttpResponse:
    request = RequestFactory().get("/somewhere/")
    request.user = AnonymousUser()
    handler = get_resolver().resolve_error_handler(status)
    return handler(request, exc)


def test_the_403_page_is_friendly_when_signed_out(db: None) -> None:
    response = _error_page(403, PermissionDenied("internal reason: role check failed"))
    assert response.status_code == 403
    assert b"You do not have access to this page" in response.content
    assert b"internal reason" not in response.content
    _assert_leaks_nothing(response)


def test_the_404_page_does_not_echo_the_exception(db: None) -> None:
    response = _error_page(404, Http404("No User matches the given query"))
    assert response.status_code == 404
    _assert_leaks_nothing(response)


def test_the_500_page_renders_without_a_database() -> None:
    html = render_to_string("500.html")
    assert "Something went wrong" in html
    for leak in LEAKS:
        assert leak.decode() not in html


def test_the_500_handler_returns_the_friendly_page_without_a_database() -> None:
    request = RequestFactory().get("/")
    response = get_resolver().resolve_error_handler(500)(request)
    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    _assert_leaks_nothing(response)


# --- the bell ------------------------------------------------------------------------------------


def test_a_signed_in_persons_pages_have_a_bell_with_the_unread_count(
    agent: User, client: Client
) -> None:
    for title in ("One", "Two", "Three"):
        notify(recipient=agent, kind="t", title=title, email=False)
    client.force_login(agent)
    html = client.get("/home/agent/").content.decode()
    assert 'id="notification-bell"' in html
    assert "Notifications, 3 unread" in html
    assert '<span class="badge" aria-hidden="true">3</span>' in html


def test_the_sign_in_page_has_no_bell(db: None, client: Client) -> None:
    assert b"notification-bell" not in client.get(reverse("login")).content
