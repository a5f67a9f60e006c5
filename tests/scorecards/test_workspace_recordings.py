"""Call recordings kept on another system: played in the workspace when their origin is allowed.

The strict policy has `media-src 'self'`; only the workspace page of such a recording adds that
one origin, and only when it is listed in settings.RECORDING_MEDIA_ORIGINS."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsWrapper

from qa_platform.people.models import User
from scorecards.models import FrameworkVersion, Interaction
from scorecards.views.workspace import playable_origin, url_origin
from tests.conftest import Org

from .factories import InteractionFactory, published_version

PBX = "https://pbx.example.com"


@pytest.fixture
def version(db: None) -> FrameworkVersion:
    return published_version()


def media_src(response: object) -> list[str]:
    policy = response["Content-Security-Policy"]  # type: ignore[index]
    for directive in policy.split(";"):
        name, _, sources = directive.strip().partition(" ")
        if name == "media-src":
            return sources.split()
    return []


def open_workspace(user: User, interaction: Interaction) -> object:
    client = Client()
    client.force_login(user)
    return client.get(reverse("scorecards:workspace", args=[interaction.pk]))


def call_at(org: Org, agent: User, url: str) -> Interaction:
    return InteractionFactory(agent=agent, team=org.team, channel="call", recording_url=url)


def test_a_recording_from_an_allowed_origin_plays_and_only_its_page_allows_that_origin(
    settings: SettingsWrapper, reviewer: User, org: Org, agent: User, version: FrameworkVersion
) -> None:
    settings.RECORDING_MEDIA_ORIGINS = [PBX, "https://other.example.org"]
    call = call_at(org, agent, f"{PBX}/recordings/1.mp3?token=abc")

    response = open_workspace(reviewer, call)

    assert response.status_code == 200  # type: ignore[attr-defined]
    html = response.content.decode()  # type: ignore[attr-defined]
    assert f'<audio controls preload="metadata" src="{PBX}/recordings/1.mp3?token=abc"' in html
    assert media_src(response) == ["'self'", PBX]
    policy = response["Content-Security-Policy"]  # type: ignore[index]
    assert "other.example.org" not in policy  # only this recording's origin
    assert "script-src 'self' 'nonce-" in policy  # the rest of the policy is untouched

    other_page = Client()
    other_page.force_login(reviewer)
    listing = other_page.get(reverse("scorecards:interactions"))
    assert media_src(listing) == ["'self'"]


def test_a_recording_from_an_origin_not_allowed_is_linked_and_the_policy_stays_strict(
    settings: SettingsWrapper, reviewer: User, org: Org, agent: User, version: FrameworkVersion
) -> None:
    settings.RECORDING_MEDIA_ORIGINS = ["https://other.example.org"]
    call = call_at(org, agent, f"{PBX}/recordings/1.mp3")

    response = open_workspace(reviewer, call)

    html = response.content.decode()  # type: ignore[attr-defined]
    assert "<audio" not in html
    assert f'href="{PBX}/recordings/1.mp3"' in html
    assert media_src(response) == ["'self'"]


def test_a_star_allows_any_http_origin_but_still_exactly_the_recordings_one(
    settings: SettingsWrapper, reviewer: User, org: Org, agent: User, version: FrameworkVersion
) -> None:
    settings.RECORDING_MEDIA_ORIGINS = ["*"]
    call = call_at(org, agent, "http://Calls.Example.NET:8080/r/9.wav")

    response = open_workspace(reviewer, call)

    assert "<audio" in response.content.decode()  # type: ignore[attr-defined]
    assert media_src(response) == ["'self'", "http://calls.example.net:8080"]


def test_a_protocol_relative_recording_address_is_not_taken_for_this_site(
    settings: SettingsWrapper, reviewer: User, org: Org, agent: User, version: FrameworkVersion
) -> None:
    call = call_at(org, agent, "//pbx.example.com/r/1.mp3")

    response = open_workspace(reviewer, call)

    assert "<audio" not in response.content.decode()  # type: ignore[attr-defined]
    assert media_src(response) == ["'self'"]


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://pbx.example.com/a.mp3", "https://pbx.example.com"),
        ("https://pbx.example.com:443/a.mp3", "https://pbx.example.com"),
        ("HTTPS://PBX.example.com:8443/a", "https://pbx.example.com:8443"),
        ("https://user:pw@pbx.example.com/a", "https://pbx.example.com"),
        ("https://bücher.example/a", "https://xn--bcher-kva.example"),
        ("ftp://pbx.example.com/a.mp3", None),
        ("javascript:alert(1)", None),
        ("data:audio/mp3;base64,AAAA", None),
        ("https:///a.mp3", None),
        ("https://pbx.example.com:99999/a", None),
        ("https://pbx.exa mple.com/a", None),
        ("https://pbx.example.com;script-src/a", None),
        ("https://[::1]/a", None),
    ],
)
def test_only_http_origins_that_fit_in_a_policy_are_recognised(
    url: str, origin: str | None
) -> None:
    assert url_origin(url) == origin


def test_an_empty_allow_list_plays_no_external_recording(settings: SettingsWrapper) -> None:
    settings.RECORDING_MEDIA_ORIGINS = []
    assert playable_origin(f"{PBX}/a.mp3") is None
    settings.RECORDING_MEDIA_ORIGINS = [f"{PBX}/"]  # a trailing slash still names the origin
    assert playable_origin(f"{PBX}/a.mp3") == PBX
