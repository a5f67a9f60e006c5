"""What the training services share: error types, the pinned revision's content, path items."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from wagtail.models import Page, Revision

from training import checks, scenario
from training.progress import PathItem


class TrainingError(ValueError):
    """A request that breaks a training rule; the message is shown to the user as is."""


class NotPublished(TrainingError):
    """The page has no live revision to pin an attempt to."""


class AttemptLimitReached(TrainingError):
    pass


class PrerequisitesNotDone(TrainingError):
    """An official attempt at a path item whose prerequisites in that path are not done."""


class AttemptFinished(TrainingError):
    """Answering or submitting an attempt that is no longer in progress."""


class AlreadyAnswered(TrainingError):
    """The question (or step) was answered already: answers are never overwritten."""


class UnknownQuestion(TrainingError):
    pass


class InvalidAnswer(TrainingError):
    """The answer does not fit the question: an unknown choice key (tampering), an empty answer."""


class NotCurrentStep(TrainingError):
    """A role-play answer for a step the conversation is not at (a stale page or a double
    click)."""


class NotYourAttempt(TrainingError):
    pass


def specific(page: Page) -> Any:
    return page.specific if type(page) is Page else page


@dataclass
class Pinned:
    """A page as it was in one revision, with what attempts read from it."""

    page: Any

    @cached_property
    def checks(self) -> tuple[checks.Question, ...]:
        return tuple(self.page.checks())

    @cached_property
    def graph(self) -> scenario.Graph:
        graph: scenario.Graph = self.page.graph()
        return graph

    @cached_property
    def max_points(self) -> int:
        return scenario.max_points(self.graph)


PINNED_CACHE_SIZE = 256
_pinned: OrderedDict[int, tuple[Any, Pinned]] = OrderedDict()


def pinned(revision_id: int) -> Pinned:
    """The page as it was in `revision_id`. A revision's content never changes, so it is rebuilt
    once per process; the revision's creation time guards the cache against a reused id (a
    rolled-back test database)."""
    created = Revision.objects.filter(pk=revision_id).values_list("created_at", flat=True).first()
    hit = _pinned.get(revision_id)
    if hit is not None and hit[0] == created:
        _pinned.move_to_end(revision_id)
        return hit[1]
    found = Pinned(Revision.objects.get(pk=revision_id).as_object())
    _pinned[revision_id] = (created, found)
    while len(_pinned) > PINNED_CACHE_SIZE:
        _pinned.popitem(last=False)
    return found


def revision_page(revision_id: int) -> Any:
    """The page as it was in `revision_id` (ModulePage or RolePlayScenarioPage)."""
    return pinned(revision_id).page


def revision_checks(revision_id: int) -> tuple[checks.Question, ...]:
    return pinned(revision_id).checks


def revision_graph(revision_id: int) -> scenario.Graph:
    return pinned(revision_id).graph


def revision_max_points(revision_id: int) -> int:
    return pinned(revision_id).max_points


def _list_value(item: Any) -> Any:
    # ListBlock raw data holds {"type": "item", "value": ..., "id": ...} (older: bare values).
    return item.get("value") if isinstance(item, dict) else item


def path_items(path: Any) -> list[PathItem]:
    """A learning path's items as pure data, read from the stream's raw data (no page
    queries)."""
    items = []
    for block in path.items.raw_data:
        if block.get("type") != "item":
            continue
        value = block.get("value") or {}
        page_id = value.get("page")
        if not page_id:
            continue
        items.append(
            PathItem(
                page_id=int(page_id),
                required=bool(value.get("required", True)),
                prerequisites=tuple(
                    int(p) for p in map(_list_value, value.get("prerequisites") or ()) if p
                ),
            )
        )
    return items
