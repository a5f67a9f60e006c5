"""Journey maps as plain values: the swim-lane layout and the table rows, apart from Wagtail.

A journey is an ordered list of customer actions; each action has the people and teams involved
and touchpoints above the line of visibility (what the customer sees) or below it (back-office
teams, systems, policies). Every touchpoint has a health mark: green (works well for the person
doing it), yellow (makes people unhappy), red (makes people very unhappy), always shown with a word
and a symbol, never colour alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

HEALTH_CHOICES = [
    ("green", "Green: works well"),
    ("yellow", "Yellow: makes people unhappy"),
    ("red", "Red: makes people very unhappy"),
]
VISIBILITY_CHOICES = [
    ("above", "Above the line: the customer sees it"),
    ("below", "Below the line: behind the scenes"),
]

# health -> (default word, symbol, pill tone)
HEALTH = {
    "green": ("Works well", "✓", "success"),
    "yellow": ("Unhappy", "!", "warning"),
    "red": ("Very unhappy", "✕", "danger"),
}


@dataclass(frozen=True)
class Touchpoint:
    name: str
    above: bool
    health: str
    word: str
    note: str = ""
    owner: str = ""

    @property
    def symbol(self) -> str:
        return HEALTH[self.health][1]

    @property
    def tone(self) -> str:
        return HEALTH[self.health][2]

    @property
    def side(self) -> str:
        return "Above the line" if self.above else "Below the line"


@dataclass(frozen=True)
class Action:
    number: int
    action: str
    description: str
    people: tuple[str, ...]
    above: tuple[Touchpoint, ...]
    below: tuple[Touchpoint, ...]

    @property
    def touchpoints(self) -> tuple[Touchpoint, ...]:
        return self.above + self.below


@dataclass(frozen=True)
class HealthCount:
    health: str
    word: str
    symbol: str
    tone: str
    count: int


def touchpoint(raw: Mapping[str, Any]) -> Touchpoint:
    health = str(raw.get("health") or "")
    if health not in HEALTH:
        health = "green"
    word = (raw.get("word") or "").strip() or HEALTH[health][0]
    return Touchpoint(
        name=(raw.get("name") or "").strip(),
        above=raw.get("visibility", "above") != "below",
        health=health,
        word=word,
        note=(raw.get("note") or "").strip(),
        owner=(raw.get("owner") or "").strip(),
    )


def actions(raw_actions: Iterable[Mapping[str, Any]]) -> list[Action]:
    """The journey's actions in order, numbered from 1, touchpoints split by the line."""
    result = []
    for number, raw in enumerate(raw_actions, start=1):
        points = [touchpoint(t) for t in raw.get("touchpoints") or ()]
        result.append(
            Action(
                number=number,
                action=(raw.get("action") or "").strip(),
                description=(raw.get("description") or "").strip(),
                people=tuple(p.strip() for p in raw.get("people") or () if p and p.strip()),
                above=tuple(t for t in points if t.above),
                below=tuple(t for t in points if not t.above),
            )
        )
    return result


def health_summary(journey: Iterable[Action]) -> list[HealthCount]:
    """How many touchpoints carry each health mark (green, yellow, red), zeros included."""
    counts = dict.fromkeys(HEALTH, 0)
    for action in journey:
        for point in action.touchpoints:
            counts[point.health] += 1
    return [
        HealthCount(health, HEALTH[health][0], HEALTH[health][1], HEALTH[health][2], n)
        for health, n in counts.items()
    ]
