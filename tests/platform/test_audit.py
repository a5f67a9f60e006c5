"""The audit trail: append-only rows, an administrators-only page to filter them, no edit path."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from qa_platform.audit import views as audit_views
from qa_platform.audit.models import AppendOnlyError, AuditEvent
from qa_platform.audit.services import record
from qa_platform.audit.views import Change, changes
from qa_platform.people.models import User
from tests.conftest import Org

URL = reverse("audit:list")


def _event(**kwargs: Any) -> AuditEvent:
    defaults: dict[str, Any] = {"action": "role.grant", "object_repr": "Someone"}
    return record(**{**defaults, **kwargs})


# --- append-only ---------------------------------------------------------------------------------


def test_audit_events_cannot_be_changed_through_a_queryset_update(db: None) -> None:
    _event()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(action="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(action="role.grant").update(object_repr="x")
    assert AuditEvent.objects.get().action == "role.grant"


def test_audit_events_cannot_be_deleted_through_a_queryset_delete(db: None) -> None:
    _event()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(action="role.grant").delete()
    assert AuditEvent.objects.count() == 1


def test_audit_events_cannot_be_bulk_updated(db: None) -> None:
    event = _event()
    event.action = "tampered"
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["action"])


def test_an_audit_event_cannot_be_saved_again_after_it_was_created(db: None) -> None:
    event = _event()
    event.action = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    fresh = AuditEvent.objects.get(pk=event.pk)
    with pytest.raises(AppendOnlyError):
        fresh.save(update_fields=["action"])
    assert AuditEvent.objects.get(pk=event.pk).action == "role.grant"


def test_an_audit_event_cannot_be_deleted(db: None) -> None:
    event = _event()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


# --- no edit or delete path ----------------------------------------------------------------------


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, Callable[..., Any]]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else p.namespace or ""
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns or namespace)
        else:
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name or ""
            yield prefix + str(p.pattern), name, p.callback


def test_the_only_audit_url_in_the_project_is_the_read_only_list(db: None) -> None:
    audit_urls = [
        (route, name, view)
        for route, name, view in _walk(get_resolver().url_patterns)
        if "audit" in name.lower()
        or "audit" in route.lower()
        or getattr(view, "__module__", "").startswith("qa_platform.audit")
    ]
    assert [(name, view) for _, name, view in audit_urls] == [
        ("audit:list", audit_views.event_list)
    ]
    for _route, name, _view in _walk(get_resolver().url_patterns):
        assert not ("audit" in name and any(w in name for w in ("edit", "delete", "update")))


def test_audit_events_are_not_in_the_wagtail_admin_or_a_django_admin(db: None) -> None:
    from wagtail.admin.viewsets import viewsets
    from wagtail.snippets.models import get_snippet_models

    assert AuditEvent not in get_snippet_models()
    assert all(getattr(v, "model", None) is not AuditEvent for v in viewsets.viewsets)
    assert "django.contrib.admin" not in settings.INSTALLED_APPS


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_audit_list_refuses_every_method_that_could_change_rows(
    method: str, admin: User, client: Client
) -> None:
    event = _event()
    client.force_login(admin)
    response = getattr(client, method)(URL, {"id": event.pk, "action": "tampered"})
    assert response.status_code == 405
    assert AuditEvent.objects.get(pk=event.pk).action == "role.grant"


# --- access --------------------------------------------------------------------------------------


def test_an_administrator_sees_the_audit_trail(admin: User, client: Client) -> None:
    _event(object_repr="Ada Agent", after={"role": "agent"})
    client.force_login(admin)
    response = client.get(URL)
    assert response.status_code == 200
    assert b"<html" in response.content
    assert b"Audit trail" in response.content
    assert b"Ada Agent" in response.content


def test_an_anonymous_visitor_is_sent_to_sign_in(db: None, client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["agent", "reviewer", "lead", "qa_manager", "hr", "no_role_user"])
def test_people_who_are_not_administrators_cannot_open_the_audit_trail(
    role: str, request: pytest.FixtureRequest, client: Client
) -> None:
    client.force_login(request.getfixturevalue(role))
    response = client.get(URL)
    assert response.status_code == 403
    assert b"Traceback" not in response.content


def test_agent_cannot_open_the_audit_trail_with_htmx_either(agent: User, client: Client) -> None:
    client.force_login(agent)
    assert client.get(URL, headers={"HX-Request": "true"}).status_code == 403


# --- htmx and the page ---------------------------------------------------------------------------


def test_an_htmx_request_gets_only_the_results_fragment(admin: User, client: Client) -> None:
    _event(object_repr="Ada Agent")
    client.force_login(admin)
    response = client.get(URL, {"q": "ada"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"<form" not in response.content
    assert b"Ada Agent" in response.content
    assert b"event match the filters" in response.content


def test_a_plain_request_with_filters_gets_the_full_page_with_the_filters_filled_in(
    admin: User, client: Client
) -> None:
    client.force_login(admin)
    response = client.get(URL, {"q": "ada", "actor": "ann@"})
    assert response.status_code == 200
    assert b"<html" in response.content
    assert b'value="ada"' in response.content
    assert b'value="ann@"' in response.content


def test_a_history_restore_request_gets_the_full_page(admin: User, client: Client) -> None:
    client.force_login(admin)
    response = client.get(URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert b"<html" in response.content


def test_the_empty_trail_says_what_will_appear(admin: User, client: Client) -> None:
    client.force_login(admin)
    # Granting the admin role and signing in already wrote events; filter them away.
    response = client.get(URL, {"q": "nothing-matches-this"})
    assert b"No events match these filters" in response.content


# --- filters -------------------------------------------------------------------------------------


@pytest.fixture
def trail(admin: User, agent: User) -> dict[str, AuditEvent]:
    """Three back-dated rows (created with `at` set: rows cannot be changed afterwards)."""
    return {
        "grant": AuditEvent.objects.create(
            action="role.grant",
            actor=admin,
            actor_label=admin.email,
            object_type="people.user",
            object_repr="Ada Agent",
            after={"role": "agent"},
            at=dt.datetime(2025, 3, 10, 0, 0, tzinfo=dt.UTC),
        ),
        "revoke": AuditEvent.objects.create(
            action="role.revoke",
            actor_label="someone@example.test",
            object_type="people.user",
            object_repr="Lee Lead",
            at=dt.datetime(2025, 3, 12, 23, 59, 59, tzinfo=dt.UTC),
        ),
        "team": AuditEvent.objects.create(
            action="team.create",
            actor_label="ann-admin@example.test",
            object_type="people.team",
            object_repr="Billing",
            at=dt.datetime(2025, 4, 1, 0, 0, tzinfo=dt.UTC),
        ),
    }


def _reprs(response: Any) -> set[str]:
    return {event.object_repr for event, _ in response.context["rows"]}


def test_the_action_filter_offers_the_distinct_actions_and_narrows_the_list(
    admin: User, trail: dict[str, AuditEvent], client: Client
) -> None:
    client.force_login(admin)
    response = client.get(URL, {"action": "role.revoke"})
    assert _reprs(response) == {"Lee Lead"}
    choices = [value for value, _ in response.context["form"].fields["action"].choices]
    assert choices.count("role.revoke") == 1
    assert {"role.grant", "team.create", ""} <= set(choices)


def test_the_actor_filter_searches_the_email(
    admin: User, trail: dict[str, AuditEvent], client: Client
) -> None:
    client.force_login(admin)
    assert _reprs(client.get(URL, {"actor": "SOMEONE@"})) == {"Lee Lead"}


def test_the_object_type_filter_narrows_the_list(
    admin: User, trail: dict[str, AuditEvent], client: Client
) -> None:
    client.force_login(admin)
    assert _reprs(client.get(URL, {"object_type": "people.team"})) == {"Billing"}


def test_the_free_text_filter_searches_the_object_name(
    admin: User, trail: dict[str, AuditEvent], client: Client
) -> None:
    client.force_login(admin)
    assert _reprs(client.get(URL, {"q": "bill"})) == {"Billing"}


def test_the_date_range_includes_whole_utc_days_at_both_ends(
    admin: User, trail: dict[str, AuditEvent], client: Client
) -> None:
    client.force_login(admin)
    response = client.get(URL, {"date_from": "2025-03-10", "date_to": "2025-03-12"})
    assert _reprs(response) == {"Ada Agent", "Lee Lead"}
    response = client.get(URL, {"date_from": "2025-03-13", "date_to": "2025-04-01"})
    assert _reprs(response) == {"Billing"}


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "not-a-date"},
        {"date_to": "2025-02-30"},
        {"date_from": "99999-01-01"},
        {"date_from": "2025-03-12", "date_to": "2025-03-10"},
        {"action": "no.such.action"},
        {"page": "abc"},
        {"page": "-1"},
        {"q": "x" * 1000},
    ],
)
def test_bad_filter_values_show_a_field_error_not_a_server_error(
    params: dict[str, str], admin: User, trail: dict[str, AuditEvent], client: Client
) -> None:
    client.force_login(admin)
    response = client.get(URL, params)
    assert response.status_code == 200
    if "page" not in params:
        assert response.context["form"].errors
        assert b"error-summary" in response.content


def test_a_bad_date_does_not_stop_the_other_filters(
    admin: User, trail: dict[str, AuditEvent], client: Client
) -> None:
    client.force_login(admin)
    response = client.get(URL, {"date_from": "soon", "q": "lee"})
    assert _reprs(response) == {"Lee Lead"}
    assert "date_from" in response.context["form"].errors


def test_the_filters_stay_in_the_pagination_links(admin: User, client: Client) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(action="import.row", object_repr=f"Row {i}") for i in range(60)
    )
    client.force_login(admin)
    response = client.get(URL, {"action": "import.row"})
    assert len(response.context["rows"]) == 50
    assert b"1\xe2\x80\x9350 of 60" in response.content
    assert b"?action=import.row&amp;page=2" in response.content
    second = client.get(URL, {"action": "import.row", "page": "2"})
    assert len(second.context["rows"]) == 10


# --- rows ----------------------------------------------------------------------------------------


def test_each_row_shows_utc_time_local_hover_actor_action_object_ip_and_change(
    org: Org, admin: User, client: Client
) -> None:
    admin.time_zone = "Europe/Paris"
    admin.save()
    AuditEvent.objects.create(
        actor=admin,
        actor_label=admin.email,
        action="team.update",
        object_type="people.team",
        object_id="7",
        object_repr="Billing",
        before={"name": "Billing", "is_active": True, "kind": "team"},
        after={"name": "Billing", "is_active": False, "kind": "team"},
        ip="203.0.113.9",
        at=dt.datetime(2025, 7, 1, 8, 30, tzinfo=dt.UTC),
    )
    client.force_login(admin)
    html = client.get(URL, {"action": "team.update"}).content.decode()
    assert "2025-07-01 08:30:00" in html
    assert "Your time: 1 Jul 2025, 10:30:00 CEST" in html
    assert admin.email in html
    assert "team.update" in html
    assert "people.team #7" in html
    assert "203.0.113.9" in html
    assert "<dt>is_active</dt>" in html
    assert "<del>true</del>" in html and "<ins>false</ins>" in html
    assert "<dt>kind</dt>" not in html  # unchanged keys are left out


def test_the_change_shows_only_the_keys_that_differ() -> None:
    assert changes({"a": 1, "b": "x"}, {"a": 1, "b": "y", "c": None}) == [Change("b", "x", "y")]
    assert changes(None, {"role": "agent"}) == [Change("role", "—", "agent")]
    assert changes({"role": "agent"}, None) == [Change("role", "agent", "—")]
    assert changes(None, None) == []
    assert changes({"m": [1, 2]}, {"m": [1]}) == [Change("m", "[1, 2]", "[1]")]
    assert changes([1], [2]) == [Change("value", "[1]", "[2]")]


# --- query counts --------------------------------------------------------------------------------


def _many_events(n: int, actor: User) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor,
            actor_label=actor.email,
            action=f"action.{i % 7}",
            object_type=f"type.{i % 3}",
            object_repr=f"Object {i}",
            before={"n": i},
            after={"n": i + 1},
            ip="192.0.2.1",
        )
        for i in range(n)
    )


@pytest.mark.parametrize("n", [1, 60])
def test_the_audit_trail_runs_a_fixed_number_of_queries(
    n: int, admin: User, client: Client, django_assert_max_num_queries: Any
) -> None:
    _many_events(n, admin)
    client.force_login(admin)
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert response.status_code == 200
    with django_assert_max_num_queries(8):
        client.get(URL, {"action": "action.1", "q": "Object", "date_from": "2000-01-01"})
    with django_assert_max_num_queries(8):
        client.get(URL, {"page": "2"}, headers={"HX-Request": "true"})
