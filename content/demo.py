"""Demo CX knowledge for `seed_demo` (written for this product): a CX standards page linked to the
demo framework's criteria, two personas, a journey map ("Refund for a damaged delivery") and two
playbooks (complaint handling and service recovery; billing errors that need escalating).

Pages are created below the library home (content.HomePage, made by migration 0002), matched on
their slug under their parent, and published through Wagtail (a revision, then publish). A second
run creates nothing. The same content is written at both scales.

`ensure_personas()` is public so the training demo can give its role-plays a persona whichever
seeder runs first.
"""

from __future__ import annotations

import random
from io import TextIOBase
from typing import Any

from wagtail.models import Page

from content.blocks import criterion_of
from content.models import (
    CXStandardsPage,
    HomePage,
    JourneyMapPage,
    PersonaIndexPage,
    PersonaPage,
    PlaybookPage,
    StandardPage,
)
from qa_platform.people.demo import seeder

FRAMEWORK_NAME = "Customer Support Standard"  # scorecards.demo.STANDARD


def library_home() -> HomePage:
    home = HomePage.objects.order_by("path").first()
    if home is None:  # migration 0002 always makes one; a hand-deleted tree gets a new one
        root = Page.get_first_root_node()
        home = HomePage(title="Knowledge and training", slug="library")
        root.add_child(instance=home)
        home.save_revision().publish()
    return home


def _child(parent: Page, model: type[Page], slug: str, **fields: Any) -> tuple[Page, bool]:
    """The live or draft child `slug` of `parent`, or a new published page of `model`."""
    existing = Page.objects.child_of(parent).filter(slug=slug).specific().first()
    if existing is not None:
        return existing, False
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page, True


# --- Personas -----------------------------------------------------------------------------------

PERSONAS: dict[str, dict[str, str]] = {
    "maya-okafor": {
        "title": "Maya Okafor, busy parent shopping online",
        "name": "Maya Okafor",
        "mood": "Hurried",
        "role_description": "Mid-thirties, works full time and orders most household things "
        "online, usually from her phone in the evening. Two children at school. Has been a "
        "customer for four years and recommends us to friends when things go well.",
        "goals": "Sort a problem in one contact, without repeating herself\n"
        "Know exactly when her money or a replacement will arrive\n"
        "Do it from her phone, between other things",
        "frustrations": "Being asked for her order number again after giving it\n"
        "Waiting on hold without knowing how long it will take\n"
        "Promises like 'someone will get back to you' with no date\n"
        "Having to send the same photos twice",
        "preferred_channels": "Chat in the app\nEmail\nPhone, only when it is urgent",
        "quotes": "I just need to know when it will be sorted.\n"
        "I already sent the photos, why do you need them again?\n"
        "Thanks, that was quicker than I expected.",
    },
    "harold-lindqvist": {
        "title": "Harold Lindqvist, careful bill payer",
        "name": "Harold Lindqvist",
        "mood": "Worried",
        "role_description": "Retired engineer in his seventies who pays by direct debit and "
        "checks every statement line by line. Not in a hurry, but dislikes surprises on his bank "
        "statement and wants a named person to take responsibility.",
        "goals": "Understand every charge on his bill\n"
        "Get a wrong charge put right before the next payment is taken\n"
        "Have it confirmed in writing",
        "frustrations": "Jargon and abbreviations on bills\n"
        "Being passed between departments\n"
        "Automated phone menus that do not offer his problem",
        "preferred_channels": "Phone\nLetter or email confirmation afterwards",
        "quotes": "I have been charged twice and nobody can tell me why.\n"
        "Could you put that in writing for me, please?\n"
        "I would like to speak to someone who can actually fix it.",
    },
}


def ensure_personas() -> dict[str, PersonaPage]:
    """The demo personas by slug (created once, under the persona index)."""
    home = library_home()
    index, _ = _child(
        home,
        PersonaIndexPage,
        "personas",
        title="Customer personas",
        intro="Who our customers are, what they want and what frustrates them. Role-plays and "
        "journey maps use these personas.",
    )
    return {
        slug: _child(index, PersonaPage, slug, **fields)[0]  # type: ignore[misc]
        for slug, fields in PERSONAS.items()
    }


# --- CX standards --------------------------------------------------------------------------------

STANDARDS: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "We make contact easy",
        "<p>Customers should feel welcome and know who they are talking to from the first "
        "line. We check who they are before we discuss their account, every time.</p>",
        [
            ("greeting", "Say your name and offer help in the first line, in chat as on calls."),
            ("verify-identity", "Never skip the check, even for a customer you recognise."),
        ],
    ),
    (
        "We listen before we answer",
        "<p>We let customers tell their story once, then show we understood it. Feelings "
        "are acknowledged in plain words, not scripts.</p>",
        [
            ("active-listening", "Summarise the problem back before proposing anything."),
            ("empathy", "Name the impact on the customer: wasted time, worry, cost."),
        ],
    ),
    (
        "We own the outcome",
        "<p>The person who takes the contact owns it until it is resolved or handed over "
        "with everything the next person needs. Refunds follow the policy, explained simply.</p>",
        [
            ("resolves", "Resolve in this contact when you can; otherwise give a date."),
            ("ownership", "Tell the customer what you will do next and when."),
            ("refund-policy", "Quote the policy's limits and timings correctly."),
        ],
    ),
]


def _standards_body() -> list[dict[str, Any]]:
    from scorecards.models import Framework

    framework = Framework.objects.filter(name=FRAMEWORK_NAME).order_by("pk").first()
    body: list[dict[str, Any]] = []
    for heading, text, links in STANDARDS:
        body.append({"type": "heading", "value": heading})
        body.append({"type": "paragraph", "value": text})
        for key, note in links:
            if criterion_of(framework, key) is not None:
                assert framework is not None
                body.append(
                    {
                        "type": "criterion_link",
                        "value": {"framework": framework.pk, "criterion": key, "note": note},
                    }
                )
    return body


# --- Journey map ---------------------------------------------------------------------------------


def _tp(
    name: str, visibility: str, health: str, note: str, owner: str = "", word: str = ""
) -> dict[str, str]:
    return {
        "name": name,
        "visibility": visibility,
        "owner": owner,
        "health": health,
        "word": word,
        "note": note,
    }


JOURNEY: list[dict[str, Any]] = [
    {
        "action": "Opens the parcel and finds it damaged",
        "description": "The box is crushed and the blender jug is cracked.",
        "people": [],
        "touchpoints": [
            _tp(
                "Parcel and packaging",
                "above",
                "yellow",
                "Thin box with no padding for a glass item.",
            ),
            _tp(
                "Packing at the warehouse",
                "below",
                "yellow",
                "Fragile items are not flagged to packers.",
                owner="Warehouse packing team",
            ),
        ],
    },
    {
        "action": "Looks for how to report it",
        "description": "",
        "people": [],
        "touchpoints": [
            _tp(
                "Help centre article 'Damaged items'",
                "above",
                "green",
                "Easy to find from the order page.",
            ),
            _tp(
                "Chatbot",
                "above",
                "red",
                "Loops back to the article twice before offering an agent.",
                word="Very unhappy",
            ),
        ],
    },
    {
        "action": "Reports the damage in chat with photos",
        "description": "",
        "people": ["Chat agent (Support)"],
        "touchpoints": [
            _tp(
                "Chat with an agent",
                "above",
                "green",
                "Agent apologises and takes ownership.",
                owner="Support",
            ),
            _tp(
                "Photo upload in chat",
                "above",
                "yellow",
                "Large phone photos sometimes fail to upload.",
            ),
            _tp(
                "Order lookup in the case system",
                "below",
                "green",
                "Order and delivery scan found in seconds.",
                owner="Case system",
            ),
        ],
    },
    {
        "action": "Waits for the refund decision",
        "description": "",
        "people": ["Returns desk", "Finance"],
        "touchpoints": [
            _tp(
                "Status email",
                "above",
                "yellow",
                "Says 'we will be in touch' without a date.",
            ),
            _tp(
                "Refund approval queue",
                "below",
                "red",
                "Manual approval takes up to three working days.",
                owner="Returns desk",
            ),
        ],
    },
    {
        "action": "Receives the refund",
        "description": "",
        "people": ["Finance"],
        "touchpoints": [
            _tp(
                "Refund to the original card",
                "below",
                "green",
                "Paid the same day once approved.",
                owner="Finance",
            ),
            _tp("Confirmation email", "above", "green", "States the amount and the date."),
        ],
    },
    {
        "action": "Gets a follow-up message",
        "description": "",
        "people": ["Support team lead"],
        "touchpoints": [
            _tp(
                "Follow-up chat message",
                "above",
                "green",
                "Checks the refund arrived and thanks her for her patience.",
                owner="Support",
            ),
        ],
    },
]


# --- Playbooks -----------------------------------------------------------------------------------


def _steps(items: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [{"type": "step", "value": {"title": t, "detail": d}} for t, d in items]


def _levels(items: list[tuple[str, str, int, str]]) -> list[dict[str, Any]]:
    return [
        {"type": "level", "value": {"to": to, "when": when, "time_limit": limit, "unit": unit}}
        for to, when, limit, unit in items
    ]


def _causes(items: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [{"type": "cause", "value": {"cause": c, "how_to_record": h}} for c, h in items]


COMPLAINT_STEPS = [
    (
        "Listen",
        "<p>Let the customer finish. Note the facts (what, when, what it cost them) and "
        "summarise them back: <em>“So the jug arrived cracked and you have had no reply for "
        "three days, is that right?”</em></p>",
    ),
    (
        "Apologise",
        "<p>Apologise for the experience, specifically and once: <em>“I am sorry the order "
        "arrived damaged and that you had to chase us.”</em> Do not blame another team.</p>",
    ),
    (
        "Resolve",
        "<p>Offer the fix the policy allows (refund, replacement, goodwill credit) and let the "
        "customer choose. If you cannot resolve now, give a date and take ownership.</p>",
    ),
    (
        "Follow up",
        "<p>Check back on the date you promised, even if there is no news, and confirm when "
        "it is done. Record the root cause before closing the case.</p>",
    ),
]
COMPLAINT_ESCALATION = [
    (
        "Team lead on shift",
        "The customer asks for a manager, or the fix is above your refund limit.",
        30,
        "minutes",
    ),
    (
        "Complaints team",
        "Not resolved by the team lead, or the customer makes a formal complaint.",
        1,
        "working_days",
    ),
    (
        "Customer relations manager",
        "The complaints team cannot agree a fix, or there is a legal or press risk.",
        3,
        "working_days",
    ),
]
COMPLAINT_CAUSES = [
    ("Product fault", "Case field 'Root cause'; add the product code."),
    ("Courier damage", "Case field 'Root cause'; attach the customer's photos."),
    ("Policy unclear", "Case field 'Root cause'; quote the words that confused the customer."),
    ("Our mistake", "Case field 'Root cause'; tell your team lead, no names in the case."),
    ("System problem", "Case field 'Root cause'; add the time and what failed."),
]

BILLING_STEPS = [
    (
        "Verify and confirm the charge",
        "<p>Check the customer's identity, then find the charge on the account and read it "
        "back with its date and amount.</p>",
    ),
    (
        "Acknowledge the worry",
        "<p>An unexpected charge is stressful: <em>“I can see why that is worrying; let us "
        "get it put right.”</em></p>",
    ),
    (
        "Fix what you can, escalate the rest",
        "<p>Reverse duplicate card payments within your limit. Direct debit corrections and "
        "price set-up errors go to the billing team with the evidence attached.</p>",
    ),
    (
        "Confirm in writing",
        "<p>Send a written summary: what went wrong, what will happen and by when.</p>",
    ),
]
BILLING_ESCALATION = [
    (
        "Billing team",
        "Direct debit corrections, price set-up errors, anything above your limit.",
        4,
        "hours",
    ),
    (
        "Finance operations",
        "The billing team cannot correct it before the next payment date.",
        2,
        "working_days",
    ),
]
BILLING_CAUSES = [
    ("Duplicate payment", "Case field 'Root cause'; add both payment references."),
    ("Price set-up error", "Case field 'Root cause'; add the product and the price charged."),
    ("Direct debit timing", "Case field 'Root cause'; add the collection date."),
]


def _linked(model_name: str, words: tuple[str, ...], block: str) -> list[dict[str, Any]]:
    """Live training pages of `model_name` whose title mentions one of `words` (the training
    demo's modules and role-plays, when they exist)."""
    from django.apps import apps

    try:
        model = apps.get_model("training", model_name)
    except LookupError:
        return []
    pages = [
        p for p in model.objects.live().order_by("path") if any(w in p.title.lower() for w in words)
    ]
    return [{"type": block, "value": p.pk} for p in pages[:3]]


# --- The seeder ----------------------------------------------------------------------------------


def seed_library() -> int:
    """Create the demo library pages that are missing; returns how many were created."""
    home = library_home()
    before = Page.objects.descendant_of(home).count()
    personas = ensure_personas()
    _child(
        home,
        StandardPage,
        "service-vision",
        title="Our service vision",
        summary="What good service means at Northwind, in one page.",
        body=[
            {"type": "heading", "value": "Easy, human, owned"},
            {
                "type": "paragraph",
                "value": "<p>Every contact should be easy for the customer, feel like talking "
                "to a person, and end with someone owning the outcome. The standards page "
                "links each promise to the quality criteria we grade.</p>",
            },
        ],
    )
    _child(
        home,
        CXStandardsPage,
        "service-standards",
        title="Our service standards",
        summary="What good service means here, and the quality criteria that check it.",
        body=_standards_body(),
    )
    _child(
        home,
        JourneyMapPage,
        "refund-damaged-delivery",
        title="Journey map: refund for a damaged delivery",
        persona=personas["maya-okafor"],
        journey_name="Refund for a damaged delivery",
        summary="Maya's order arrives damaged. Where the journey works, and where it hurts.",
        actions=[{"type": "action", "value": action} for action in JOURNEY],
    )
    _child(
        home,
        PlaybookPage,
        "complaint-handling",
        title="Complaint handling and service recovery",
        summary="Listen, apologise, resolve, follow up; escalate on time; record the root cause.",
        situation="<p>A customer tells us we let them down: a damaged or late order, a broken "
        "promise, a rude experience. They may be angry or simply tired of chasing.</p>",
        steps=_steps(COMPLAINT_STEPS),
        escalation=_levels(COMPLAINT_ESCALATION),
        root_causes=_causes(COMPLAINT_CAUSES),
        role_plays=_linked("RolePlayScenarioPage", ("refund", "upset", "complaint"), "role_play"),
        modules=_linked("ModulePage", ("complaint", "empathy", "recovery"), "module"),
    )
    _child(
        home,
        PlaybookPage,
        "billing-errors",
        title="Billing errors that need escalating",
        summary="A wrong or double charge: verify, reassure, fix what you can, escalate in time.",
        situation="<p>A customer has been charged twice, charged the wrong price, or had a "
        "direct debit taken on the wrong date.</p>",
        steps=_steps(BILLING_STEPS),
        escalation=_levels(BILLING_ESCALATION),
        root_causes=_causes(BILLING_CAUSES),
        role_plays=_linked("RolePlayScenarioPage", ("billing",), "role_play"),
        modules=_linked("ModulePage", ("billing",), "module"),
    )
    return Page.objects.descendant_of(home).count() - before


@seeder
def seed_content(scale: str, rng: random.Random, stdout: TextIOBase) -> None:
    """Personas, a journey map, playbooks and the CX standards (the same at every scale)."""
    created = seed_library()
    stdout.write(f"Library: {created} new pages.\n")
