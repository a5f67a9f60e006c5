"""The pure learner status rules."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from training.progress import (
    AttemptFacts,
    PathItem,
    Status,
    assignment_status,
    attempts_left,
    path_progress,
)

TODAY = dt.date(2026, 11, 23)
YESTERDAY = TODAY - dt.timedelta(days=1)


def status(*attempts: AttemptFacts, due: dt.date | None = None, completed: bool = False) -> Status:
    return assignment_status(attempts=attempts, due_at=due, today=TODAY, completed=completed)


def test_nothing_started_is_assigned() -> None:
    assert status() == Status.ASSIGNED
    assert status(due=TODAY) == Status.ASSIGNED


def test_an_open_official_attempt_is_in_progress() -> None:
    assert status(AttemptFacts("in_progress")) == Status.IN_PROGRESS


def test_a_failed_attempt_leaves_the_assignment_in_progress() -> None:
    assert status(AttemptFacts("completed", passed=False)) == Status.IN_PROGRESS


def test_a_passed_official_attempt_completes_it_even_after_the_due_date() -> None:
    assert status(AttemptFacts("completed", passed=True), due=YESTERDAY) == Status.COMPLETED


def test_practice_attempts_never_count() -> None:
    assert status(AttemptFacts("completed", practice=True, passed=True)) == Status.ASSIGNED
    assert status(AttemptFacts("in_progress", practice=True), due=YESTERDAY) == Status.OVERDUE


def test_waiting_for_grading_is_pending_and_not_overdue() -> None:
    assert status(AttemptFacts("pending_grading"), due=YESTERDAY) == Status.PENDING_GRADING


def test_past_the_due_date_is_overdue_from_the_next_day() -> None:
    assert status(due=YESTERDAY) == Status.OVERDUE
    assert status(AttemptFacts("in_progress"), due=YESTERDAY) == Status.OVERDUE


def test_marked_completed_is_completed() -> None:
    assert status(completed=True, due=YESTERDAY) == Status.COMPLETED


def test_abandoned_attempts_do_not_start_anything() -> None:
    assert status(AttemptFacts("abandoned")) == Status.ASSIGNED


def test_attempts_left_counts_down_and_zero_limit_means_unlimited() -> None:
    assert attempts_left(limit=3, used=1) == 2
    assert attempts_left(limit=3, used=5) == 0
    assert attempts_left(limit=0, used=9) is None


@given(
    attempts=st.lists(
        st.builds(
            AttemptFacts,
            status=st.sampled_from(["in_progress", "pending_grading", "completed", "abandoned"]),
            practice=st.booleans(),
            passed=st.sampled_from([None, True, False]),
        ),
        max_size=6,
    ),
    due_offset=st.one_of(st.none(), st.integers(-5, 5)),
)
def test_a_passed_official_attempt_always_means_completed(
    attempts: list[AttemptFacts], due_offset: int | None
) -> None:
    due = None if due_offset is None else TODAY + dt.timedelta(days=due_offset)
    result = status(*attempts, due=due)
    passed = any(a.status == "completed" and a.passed and not a.practice for a in attempts)
    assert (result == Status.COMPLETED) == passed


def test_path_progress_counts_items_and_locks_items_behind_prerequisites() -> None:
    items = [PathItem(1), PathItem(2, prerequisites=(1,)), PathItem(3, required=False)]
    progress = path_progress(items, done_page_ids=set())
    assert [i.locked for i in progress.items] == [False, True, False]
    assert (progress.done, progress.total, progress.percent, progress.complete) == (0, 3, 0, False)
    assert progress.next_item() is not None and progress.next_item().page_id == 1  # type: ignore[union-attr]

    progress = path_progress(items, done_page_ids={1})
    assert [i.locked for i in progress.items] == [False, False, False]
    assert progress.next_item().page_id == 2  # type: ignore[union-attr]


def test_a_path_is_complete_when_every_required_item_is_done() -> None:
    items = [PathItem(1), PathItem(2, prerequisites=(1,)), PathItem(3, required=False)]
    progress = path_progress(items, done_page_ids={1, 2})
    assert progress.complete
    assert (progress.done, progress.total, progress.percent) == (2, 3, 67)


def test_an_empty_path_is_never_complete() -> None:
    assert not path_progress([], done_page_ids={1}).complete
