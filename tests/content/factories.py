"""Library pages for tests: created below the library home (made by content's migration) and
published through Wagtail, as authors do."""

from __future__ import annotations

from typing import Any

from wagtail.models import Page

from content.models import (
    CXStandardsPage,
    HomePage,
    JourneyMapPage,
    PersonaIndexPage,
    PersonaPage,
    PlaybookPage,
)


def library_home() -> HomePage:
    home = HomePage.objects.order_by("path").first()
    assert home is not None, "content's migration 0002 makes the library home"
    return home


def publish[P: Page](parent: Page, page: P) -> P:
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def persona_index() -> PersonaIndexPage:
    existing = PersonaIndexPage.objects.first()
    if existing is not None:
        return existing
    return publish(library_home(), PersonaIndexPage(title="Customer personas", slug="personas"))


def persona(name: str = "Maya Okafor", **fields: Any) -> PersonaPage:
    defaults: dict[str, Any] = {
        "title": f"{name}, online shopper",
        "slug": name.lower().replace(" ", "-"),
        "name": name,
        "role_description": "Orders from her phone in the evening.",
        "goals": "Sort it in one contact\nKnow when the refund arrives",
        "frustrations": "Repeating her order number",
        "preferred_channels": "Chat in the app\nEmail",
        "quotes": "I just need to know when it will be sorted.",
        "mood": "Hurried",
    }
    return publish(persona_index(), PersonaPage(**{**defaults, **fields}))


def touchpoint(
    name: str, visibility: str = "above", health: str = "green", **extra: str
) -> dict[str, str]:
    return {
        "name": name,
        "visibility": visibility,
        "health": health,
        "owner": "",
        "word": "",
        "note": "",
        **extra,
    }


def action(
    name: str, people: list[str] | None = None, touchpoints: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    return {
        "type": "action",
        "value": {
            "action": name,
            "description": "",
            "people": people or [],
            "touchpoints": touchpoints or [],
        },
    }


DAMAGED_DELIVERY = [
    action(
        "Finds the parcel damaged",
        [],
        [
            touchpoint("Packaging", "above", "yellow", note="Thin box for a glass item."),
            touchpoint("Packing at the warehouse", "below", "yellow", owner="Warehouse"),
        ],
    ),
    action(
        "Reports it in chat",
        ["Chat agent"],
        [
            touchpoint("Chat with an agent", "above", "green", note="Agent takes ownership."),
            touchpoint("Order lookup", "below", "green", owner="Case system"),
        ],
    ),
    action(
        "Waits for the refund",
        ["Returns desk", "Finance"],
        [
            touchpoint("Refund approval queue", "below", "red", note="Takes three working days."),
            touchpoint("Status email", "above", "yellow", word="Confusing", note="No date given."),
        ],
    ),
]


def journey_map(actions: list[dict[str, Any]] | None = None, **fields: Any) -> JourneyMapPage:
    defaults: dict[str, Any] = {
        "title": "Journey map: refund for a damaged delivery",
        "slug": "refund-damaged-delivery",
        "journey_name": "Refund for a damaged delivery",
        "actions": DAMAGED_DELIVERY if actions is None else actions,
    }
    return publish(library_home(), JourneyMapPage(**{**defaults, **fields}))


def playbook(**fields: Any) -> PlaybookPage:
    defaults: dict[str, Any] = {
        "title": "Complaint handling",
        "slug": "complaint-handling",
        "situation": "<p>A customer tells us we let them down.</p>",
        "steps": [
            {"type": "step", "value": {"title": "Listen", "detail": "<p>Let them finish.</p>"}},
            {
                "type": "step",
                "value": {"title": "Apologise", "detail": "<p>Once, specifically.</p>"},
            },
        ],
        "escalation": [
            {
                "type": "level",
                "value": {
                    "to": "Team lead on shift",
                    "when": "Asks for a manager.",
                    "time_limit": 30,
                    "unit": "minutes",
                },
            },
            {
                "type": "level",
                "value": {
                    "to": "Complaints team",
                    "when": "Formal complaint.",
                    "time_limit": 1,
                    "unit": "working_days",
                },
            },
        ],
        "root_causes": [
            {"type": "cause", "value": {"cause": "Courier damage", "how_to_record": "Case field."}}
        ],
    }
    return publish(library_home(), PlaybookPage(**{**defaults, **fields}))


def standards_page(body: list[dict[str, Any]], **fields: Any) -> CXStandardsPage:
    defaults: dict[str, Any] = {"title": "Our service standards", "slug": "standards", "body": body}
    return publish(library_home(), CXStandardsPage(**{**defaults, **fields}))
