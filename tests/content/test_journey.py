"""Journey maps: the pure layout, the swim-lane diagram with its table, query counts, the PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from content import journey
from content.pdf import render_journey_html
from qa_platform.people.models import User
from tests.conftest import signed_in
from tests.content.factories import action, journey_map, persona, touchpoint
from tests.content.test_pages import text_of

# --- Pure layout ----------------------------------------------------------------------------------


def test_actions_are_numbered_in_order_with_touchpoints_split_by_the_line() -> None:
    steps = journey.actions(
        [
            {
                "action": "Finds damage",
                "people": [],
                "touchpoints": [
                    {"name": "Box", "visibility": "above", "health": "yellow"},
                    {"name": "Packing", "visibility": "below", "health": "red"},
                ],
            },
            {"action": "Reports it", "people": ["Chat agent", " "], "touchpoints": []},
        ]
    )

    assert [(s.number, s.action) for s in steps] == [(1, "Finds damage"), (2, "Reports it")]
    assert [t.name for t in steps[0].above] == ["Box"]
    assert [t.name for t in steps[0].below] == ["Packing"]
    assert steps[1].people == ("Chat agent",)


def test_every_health_mark_carries_a_word_and_a_symbol_never_colour_alone() -> None:
    points = [
        journey.touchpoint({"name": n, "health": h})
        for n, h in (("a", "green"), ("b", "yellow"), ("c", "red"))
    ]

    assert [(p.word, p.symbol) for p in points] == [
        ("Works well", "✓"),
        ("Unhappy", "!"),
        ("Very unhappy", "✕"),
    ]
    assert journey.touchpoint({"name": "d", "health": "red", "word": "Furious"}).word == "Furious"


def test_the_health_summary_counts_each_mark_including_zeros() -> None:
    steps = journey.actions(
        [
            {
                "action": "x",
                "touchpoints": [{"name": "a", "health": "red"}, {"name": "b", "health": "red"}],
            }
        ]
    )

    summary = {s.health: s.count for s in journey.health_summary(steps)}

    assert summary == {"green": 0, "yellow": 0, "red": 2}


# --- The page -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_journey_map_renders_the_swim_lane_diagram_and_the_same_content_as_a_table(
    client: Client, agent: User
) -> None:
    page = journey_map(persona=persona())

    response = signed_in(client, agent).get(page.url)

    assert response.status_code == 200
    body = response.content.decode()
    diagram = re.search(r'<div class="swimlane" aria-hidden="true">(.*?)</section>', body, re.S)
    assert diagram is not None
    for lane in (
        "Customer actions",
        "People and teams",
        "Customer sees",
        "Line of visibility",
        "Behind the scenes",
    ):
        assert lane in diagram.group(1)
    assert diagram.group(1).count('class="lane-cell lane-actions"') == 3
    assert diagram.group(1).count('class="touchpoint touchpoint-') == 6

    table = re.search(r"<table class=\"table\">.*?</table>", body, re.S)
    assert table is not None
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(), re.S)
    assert len(rows) == 1 + 6  # the header, then one row per touchpoint
    table_text = text_of(type("R", (), {"content": table.group().encode()})())
    assert "Waits for the refund Returns desk, Finance Status email" in table_text
    assert "Below the line ✕ Very unhappy Takes three working days." in table_text
    assert "Above the line ! Confusing No date given." in table_text
    text = text_of(response)
    assert "Persona: Maya Okafor" in text
    assert "✓ Works well: 2" in text and "! Unhappy: 3" in text and "✕ Very unhappy: 1" in text
    assert f'href="{page.url}pdf/"' in body


@pytest.mark.django_db
def test_an_action_without_touchpoints_still_has_its_row(client: Client, agent: User) -> None:
    page = journey_map(actions=[action("Calls the shop", ["Store staff"])])

    text = text_of(signed_in(client, agent).get(page.url))

    assert "1 Calls the shop Store staff No touchpoints recorded." in text


def _actions(n: int) -> list[dict[str, object]]:
    return [
        action(
            f"Step {i}",
            ["Team A", "Team B"],
            [touchpoint(f"Front {i}", "above", "green"), touchpoint(f"Back {i}", "below", "red")],
        )
        for i in range(n)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 12])
def test_the_journey_map_page_takes_a_fixed_number_of_queries(
    client: Client,
    agent: User,
    django_assert_max_num_queries,
    n: int,  # type: ignore[no-untyped-def]
) -> None:
    page = journey_map(actions=_actions(n), persona=persona())
    signed_in(client, agent)
    client.get(page.url)  # warm the session and Site caches

    with django_assert_max_num_queries(12):
        response = client.get(page.url)

    assert response.status_code == 200
    assert response.content.decode().count('class="lane-cell lane-actions"') == n


@pytest.mark.django_db
def test_anonymous_visitors_cannot_download_the_pdf(client: Client) -> None:
    page = journey_map()

    response = client.get(f"{page.url}pdf/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- The PDF --------------------------------------------------------------------------------------

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is not installed"
)


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "journey.pdf"
    path.write_bytes(content)
    result = subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,
    )
    return " ".join(result.stdout.split())


@pytest.mark.django_db
@needs_poppler
def test_the_journey_map_pdf_carries_every_action_touchpoint_and_health_word(
    client: Client, agent: User, tmp_path: Path
) -> None:
    page = journey_map(persona=persona())

    response = signed_in(client, agent).get(f"{page.url}pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="journey-map-refund-for-a-damaged-delivery.pdf"'
    )
    text = pdf_text(response.content, tmp_path)
    assert "Journey map: refund for a damaged delivery" in text
    assert "Persona: Maya Okafor" in text
    for expected in (
        "Finds the parcel damaged",
        "Reports it in chat",
        "Waits for the refund",
        "Refund approval queue",
        "Very unhappy",
        "Works well",
        "Confusing",
        "Above the line",
        "Below the line",
        "Line of visibility",
        "Page 1 of",
    ):
        assert expected in text, expected


@pytest.mark.django_db
def test_the_pdf_html_has_no_navigation_and_no_download_link(agent: User) -> None:
    from django.test import RequestFactory

    page = journey_map()
    request = RequestFactory().get(f"{page.url}pdf/")
    request.user = agent

    html = render_journey_html(page, request)

    assert 'class="sidenav"' not in html
    assert "Download PDF" not in html
    assert "print.css" in html
