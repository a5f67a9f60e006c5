"""In-app notifications (list, bell, mark as read) and the email sent for the same event."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from qa_platform.notifications.models import Notification
from qa_platform.notifications.services import notify, unread_count
from qa_platform.people.models import User

LIST = reverse("notifications:list")
BELL = reverse("notifications:bell")
READ_ALL = reverse("notifications:read_all")
HTMX = {"HX-Request": "true"}


def _read(n: Notification) -> str:
    return reverse("notifications:read", args=[n.pk])


def _note(user: User, title: str = "A review of your call is ready", **kwargs: Any) -> Notification:
    return notify(recipient=user, kind="test", title=title, email=False, **kwargs)


# --- email ---------------------------------------------------------------------------------------


def test_notify_creates_one_notification_and_sends_one_email(
    agent: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        n = notify(
            recipient=agent,
            kind="review.ready",
            title="Your review is ready",
            body="Billing call of 3 March.",
            url="/reviews/1/",
        )
    assert Notification.objects.filter(recipient=agent).count() == 1
    assert n.read_at is None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [agent.email]
    assert "Your review is ready" in message.subject
    assert "Billing call of 3 March." in message.body
    assert "/reviews/1/" in message.body


def test_notify_with_email_off_sends_no_email(
    agent: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=agent, kind="test", title="Quiet", email=False)
    assert Notification.objects.filter(recipient=agent).count() == 1
    assert mail.outbox == []


def test_an_inactive_person_gets_the_notification_but_no_email(
    agent: User, django_capture_on_commit_callbacks: Any
) -> None:
    agent.is_active = False
    agent.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=agent, kind="test", title="Too late")
    assert Notification.objects.filter(recipient=agent).count() == 1
    assert mail.outbox == []


def test_no_email_is_sent_when_the_transaction_is_rolled_back(
    agent: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipient=agent, kind="test", title="Maybe")
    assert len(callbacks) == 1
    assert mail.outbox == []


# --- list ----------------------------------------------------------------------------------------


def test_a_person_sees_their_own_notifications_newest_first_with_unread_marked_new(
    agent: User, other_team_agent: User, client: Client
) -> None:
    old = _note(agent, "Older and read")
    Notification.objects.filter(pk=old.pk).update(read_at=old.created_at)
    _note(agent, "Newest and unread", url="/somewhere/")
    _note(other_team_agent, "Someone else's")
    client.force_login(agent)
    response = client.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert html.index("Newest and unread") < html.index("Older and read")
    assert html.count(">New</span>") == 1
    assert '<a href="/somewhere/">Newest and unread</a>' in html
    assert "Someone else" not in html
    assert "Mark all as read" in html


def test_the_list_has_an_empty_state(agent: User, client: Client) -> None:
    client.force_login(agent)
    response = client.get(LIST)
    assert b"No notifications yet" in response.content
    assert b"Mark all as read" not in response.content


def test_the_list_is_paginated(agent: User, client: Client) -> None:
    for i in range(30):
        _note(agent, f"Note {i}")
    client.force_login(agent)
    response = client.get(LIST)
    assert len(response.context["notifications"]) == 25
    assert b"of 30" in response.content
    assert len(client.get(LIST, {"page": 2}).context["notifications"]) == 5


def test_an_htmx_request_for_the_list_gets_only_the_items(agent: User, client: Client) -> None:
    _note(agent, "Hello")
    client.force_login(agent)
    response = client.get(LIST, headers=HTMX)
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"Hello" in response.content


def test_an_anonymous_visitor_is_sent_to_sign_in_from_every_notification_url(
    agent: User, client: Client
) -> None:
    n = _note(agent)
    for url, method in [(LIST, "get"), (BELL, "get"), (_read(n), "post"), (READ_ALL, "post")]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))
    assert unread_count(agent) == 1


def test_a_person_without_any_role_still_has_their_own_notifications(
    no_role_user: User, client: Client
) -> None:
    _note(no_role_user, "Welcome")
    client.force_login(no_role_user)
    assert b"Welcome" in client.get(LIST).content


@pytest.mark.parametrize("n", [1, 40])
def test_the_list_the_bell_and_marking_read_run_a_fixed_number_of_queries(
    n: int, agent: User, client: Client, django_assert_max_num_queries: Any
) -> None:
    for i in range(n):
        _note(agent, f"Note {i}")
    client.force_login(agent)
    with django_assert_max_num_queries(6):
        assert client.get(LIST).status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get(BELL, headers=HTMX).status_code == 200
    first = Notification.objects.filter(recipient=agent).first()
    assert first is not None
    with django_assert_max_num_queries(7):
        assert client.post(_read(first), headers=HTMX).status_code == 200
    with django_assert_max_num_queries(7):
        assert client.post(READ_ALL, headers=HTMX).status_code == 200


# --- bell ----------------------------------------------------------------------------------------


def test_the_bell_returns_the_unread_count_fragment(agent: User, client: Client) -> None:
    _note(agent)
    _note(agent)
    client.force_login(agent)
    response = client.get(BELL, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="notification-bell"' in html
    assert "Notifications, 2 unread" in html
    assert 'hx-trigger="every 60s"' in html
    assert "hx-swap-oob" not in html


def test_the_bell_without_htmx_is_the_same_fragment(agent: User, client: Client) -> None:
    client.force_login(agent)
    response = client.get(BELL)
    assert response.status_code == 200
    assert b"Notifications, 0 unread" in response.content
    assert b'class="badge"' not in response.content


def test_the_bell_accepts_only_get(agent: User, client: Client) -> None:
    client.force_login(agent)
    assert client.post(BELL).status_code == 405


# --- mark one as read ----------------------------------------------------------------------------


def test_marking_a_notification_read_with_htmx_returns_the_row_and_the_bell_out_of_band(
    agent: User, client: Client
) -> None:
    n = _note(agent, "Read me")
    _note(agent, "Still unread")
    client.force_login(agent)
    response = client.post(_read(n), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert f'id="notification-{n.pk}"' in html
    assert "Read me" in html
    assert ">New</span>" not in html
    assert 'id="notification-bell"' in html
    assert 'hx-swap-oob="true"' in html
    assert "Notifications, 1 unread" in html
    n.refresh_from_db()
    assert n.read_at is not None


def test_marking_a_notification_read_without_htmx_redirects_to_its_link(
    agent: User, client: Client
) -> None:
    n = _note(agent, url="/home/agent/")
    client.force_login(agent)
    response = client.post(_read(n))
    assert response.status_code == 302
    assert response["Location"] == "/home/agent/"
    assert unread_count(agent) == 0


def test_marking_read_from_the_list_without_htmx_goes_back_to_the_list(
    agent: User, client: Client
) -> None:
    n = _note(agent, url="/home/agent/")
    client.force_login(agent)
    response = client.post(_read(n), {"next": f"{LIST}?page=1"})
    assert response["Location"] == f"{LIST}?page=1"


@pytest.mark.parametrize("url", ["", "https://evil.example/steal", "//evil.example/"])
def test_marking_read_never_redirects_off_site(agent: User, client: Client, url: str) -> None:
    n = _note(agent, url=url)
    client.force_login(agent)
    response = client.post(_read(n), {"next": "https://evil.example/"})
    assert response["Location"] == LIST


def test_nobody_can_mark_another_persons_notification_read(
    agent: User, other_team_agent: User, client: Client
) -> None:
    theirs = _note(other_team_agent)
    client.force_login(agent)
    assert client.post(_read(theirs)).status_code == 404
    assert client.post(_read(theirs), headers=HTMX).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_an_administrator_cannot_mark_someone_elses_notification_read_either(
    admin: User, agent: User, client: Client
) -> None:
    theirs = _note(agent)
    client.force_login(admin)
    assert client.post(_read(theirs)).status_code == 404


def test_marking_read_accepts_only_post(agent: User, client: Client) -> None:
    n = _note(agent)
    client.force_login(agent)
    assert client.get(_read(n)).status_code == 405
    assert client.get(READ_ALL).status_code == 405
    assert unread_count(agent) == 1


def test_marking_an_already_read_notification_read_again_is_harmless(
    agent: User, client: Client
) -> None:
    n = _note(agent)
    client.force_login(agent)
    client.post(_read(n))
    n.refresh_from_db()
    first = n.read_at
    assert client.post(_read(n), headers=HTMX).status_code == 200
    n.refresh_from_db()
    assert n.read_at == first


# --- mark all as read ----------------------------------------------------------------------------


def test_marking_all_read_without_htmx_redirects_to_the_list_with_a_message(
    agent: User, other_team_agent: User, client: Client
) -> None:
    _note(agent)
    _note(agent)
    theirs = _note(other_team_agent)
    client.force_login(agent)
    response = client.post(READ_ALL, follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert b"Marked 2 notifications as read." in response.content
    assert unread_count(agent) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_all_read_with_htmx_returns_the_items_and_the_bell(
    agent: User, client: Client
) -> None:
    _note(agent, "One")
    _note(agent, "Two")
    client.force_login(agent)
    response = client.post(READ_ALL, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "One" in html and "Two" in html
    assert ">New</span>" not in html
    assert "Mark all as read" not in html
    assert 'hx-swap-oob="true"' in html
    assert "Notifications, 0 unread" in html
