"""Learner status as pure functions: an assignment's status from its attempts, a path's progress.

Statuses, in the order they win:
- **completed**: the assignment is marked completed, or an official attempt finished and passed;
- **pending grading**: an official attempt waits for a lead or reviewer to grade free responses;
- **overdue**: not completed, the due date has passed (the day after the due date);
- **in progress**: an official attempt is open, or one finished without passing (tries left);
- **assigned**: nothing started yet.

Practice attempts never count. Pending grading is not overdue: the learner's part is done.

A path's progress counts its items done (an item is done when the person has passed an official
attempt of it), whether each item is open or still locked behind prerequisites, and whether the
path is complete (every required item done).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


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
    status: str
    practice: bool = False
    passed: bool | None = None


def assignment_status(
    *,
    attempts: Iterable[AttemptFacts],
    due_at: dt.date | None,
    today: dt.date,
    completed: bool = False,
) -> Status:
    official = [a for a in attempts if not a.practice]
    if completed or any(a.status == COMPLETED and a.passed for a in official):
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
