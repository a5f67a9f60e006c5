"""The content demo: personas, a journey map, playbooks and CX standards; a second run adds
nothing."""

from __future__ import annotations

import random
from io import StringIO

import pytest
from wagtail.models import Page, Revision

from content import demo
from content.models import CXStandardsPage, JourneyMapPage, PersonaPage, PlaybookPage
from scorecards import demo as scorecards_demo

pytestmark = pytest.mark.django_db


def test_seeding_twice_creates_the_library_once() -> None:
    scorecards_demo.ensure_framework(scorecards_demo.STANDARD)
    out = StringIO()

    demo.seed_content("small", random.Random(1), out)  # type: ignore[arg-type]
    pages, revisions = Page.objects.count(), Revision.objects.count()
    demo.seed_content("small", random.Random(1), out)  # type: ignore[arg-type]

    assert (Page.objects.count(), Revision.objects.count()) == (pages, revisions)
    assert out.getvalue().splitlines() == ["Library: 8 new pages.", "Library: 0 new pages."]


def test_the_demo_library_has_personas_a_journey_map_playbooks_and_linked_standards() -> None:
    version = scorecards_demo.ensure_framework(scorecards_demo.STANDARD)

    demo.seed_library()

    assert sorted(PersonaPage.objects.live().values_list("name", flat=True)) == [
        "Harold Lindqvist",
        "Maya Okafor",
    ]
    journey = JourneyMapPage.objects.live().get()
    assert journey.persona is not None and journey.persona.name == "Maya Okafor"
    steps = journey.journey()
    assert len(steps) >= 5
    points = [p for step in steps for p in step.touchpoints]
    assert {p.above for p in points} == {True, False}
    assert {p.health for p in points} == {"green", "yellow", "red"}
    playbooks = {p.title: p for p in PlaybookPage.objects.live()}
    complaint = playbooks["Complaint handling and service recovery"]
    assert [b.value["title"] for b in complaint.steps] == [
        "Listen",
        "Apologise",
        "Resolve",
        "Follow up",
    ]
    assert all(b.value["time_limit"] >= 1 for b in complaint.escalation)
    assert len(complaint.root_causes) >= 3
    assert len(playbooks) == 2
    standards = CXStandardsPage.objects.live().get()
    links = [b.value for b in standards.body if b.block_type == "criterion_link"]
    assert {link["framework"].pk for link in links} == {version.framework_id}
    known = {c.key for c in version.defn.criteria}
    assert {link["criterion"] for link in links} <= known
    assert {"empathy", "verify-identity", "ownership"} <= {link["criterion"] for link in links}


def test_personas_can_be_ensured_before_the_rest_of_the_library() -> None:
    first = demo.ensure_personas()
    again = demo.ensure_personas()

    assert {slug: p.pk for slug, p in first.items()} == {slug: p.pk for slug, p in again.items()}
    assert PersonaPage.objects.count() == 2
