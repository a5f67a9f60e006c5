"""Learner status as pure functions: an assignment's status from its attempts, a path's progress.

Statuses, in the order they win:
- **completed**: the assignment is marked completed, or the item is done (`item_done`: the
  official attempt that counts passed);
- **pending grading**: an official attempt waits for a lead or reviewer to grade free responses;
- **overdue**: not completed, the due date has passed (the day after the due date);
- **in progress**: an official attempt is open, or one finished without passing (tries left);
- **assigned**: nothing started yet.

Practice attempts never count. Pending grading is not overdue: the learner's part is done.

**The item's result** is decided in one place, `counting_attempt`: of the official completed
attempts, the best (highest percent) or the last one, as the grading method of the revision the
latest of them was pinned to says; a role-play (no grading method) counts its first passed
attempt, else its last. An item is done when that attempt passed. My training, path progress,
prerequisites, reports and certificates all ask `item_done`.

A path's progress counts its items done, whether each item is open or still locked behind
prerequisites, and whether the path is complete (every required item done).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from training.checks import BEST, LAST, attempt_outcome


class Status(StrEnum):
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    PENDING_GRADING = "pending_grading"
    COMPLETED = "completed"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.ASSIGNED: "Assigned",
    Status.IN_PROGRESS: "In progress",
    Status.PENDING_GRADING: "Pending grading",
    Status.COMPLETED: "Completed",
    Status.OVERDUE: "Overdue",
}

# Attempt.status values (training.models.AttemptStatus) as plain strings.
IN_PROGRESS = "in_progress"
PENDING_GRADING = "pending_grading"
COMPLETED = "completed"


@dataclass(frozen=True)
class AttemptFacts:
    """What the status rules need of one attempt. `method` is the grading method ("best" or
    "last") of the module revision the attempt is pinned to; empty for role-plays."""

    status: str
    practice: bool = False
    passed: bool | None = None
    percent: Decimal | None = None
    method: str = ""


def counting_attempt(attempts: Sequence[AttemptFacts]) -> AttemptFacts | None:
    """The attempt that decides an item's result, from the person's attempts of it in the order
    they finished: the best or the last official completed attempt (the grading method of the
    latest one's revision), or for role-plays the first passed attempt, else the last one.
    None when no official attempt has completed."""
    finished = [a for a in attempts if not a.practice and a.status == COMPLETED]
    if not finished:
        return None
    method = finished[-1].method
    if method in (BEST, LAST):
        return attempt_outcome(finished, method)
    return next((a for a in finished if a.passed), finished[-1])


def item_done(attempts: Sequence[AttemptFacts]) -> bool:
    """Whether the item is done: the attempt that counts passed."""
    counting = counting_attempt(attempts)
    return counting is not None and bool(counting.passed)


def assignment_status(
    *,
    attempts: Iterable[AttemptFacts],
    due_at: dt.date | None,
    today: dt.date,
    completed: bool = False,
) -> Status:
    """`attempts` in the order they finished (the item's result depends on it)."""
    official = [a for a in attempts if not a.practice]
    if completed or item_done(official):
        return Status.COMPLETED
    if any(a.status == PENDING_GRADING for a in official):
        return Status.PENDING_GRADING
    if due_at is not None and today > due_at:
        return Status.OVERDUE
    if any(a.status in (IN_PROGRESS, COMPLETED) for a in official):
        return Status.IN_PROGRESS
    return Status.ASSIGNED


def attempts_left(*, limit: int, used: int) -> int | None:
    """Official attempts still allowed; None when the module has no limit (0)."""
    if limit <= 0:
        return None
    return max(limit - used, 0)


@dataclass(frozen=True)
class PathItem:
    page_id: int
    required: bool = True
    prerequisites: tuple[int, ...] = ()  # page ids of earlier items


@dataclass(frozen=True)
class ItemProgress:
    page_id: int
    required: bool
    done: bool
    locked: bool  # a prerequisite is not done yet


@dataclass(frozen=True)
class PathProgress:
    items: tuple[ItemProgress, ...]
    done: int
    total: int
    complete: bool

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    def next_item(self) -> ItemProgress | None:
        """The first item not done and not locked: where the learner continues."""
        return next((i for i in self.items if not i.done and not i.locked), None)


def path_progress(items: Sequence[PathItem], done_page_ids: Collection[int]) -> PathProgress:
    states = tuple(
        ItemProgress(
            page_id=item.page_id,
            required=item.required,
            done=item.page_id in done_page_ids,
            locked=any(p not in done_page_ids for p in item.prerequisites),
        )
        for item in items
    )
    required = [s for s in states if s.required]
    return PathProgress(
        items=states,
        done=sum(1 for s in states if s.done),
        total=len(states),
        complete=bool(states) and all(s.done for s in required),
    )
