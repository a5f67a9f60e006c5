"""Knowledge-check parsing and grading (training.checks), apart from Wagtail: tampered answers are
refused, grading is all or nothing, module results and the attempt that counts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from training.checks import (
    Answer,
    Choice,
    Graded,
    Question,
    attempt_outcome,
    grade,
    module_result,
    normalise,
    parse_answer,
    percent_of,
)

SINGLE = Question(
    key="refund-window",
    kind="single_choice",
    prompt="How long do customers have to ask for a refund?",
    points=2,
    explanation="The policy gives 30 days from delivery.",
    choices=(Choice("a", "14 days"), Choice("b", "30 days", correct=True), Choice("c", "1 year")),
)
MULTIPLE = Question(
    key="empathy-signs",
    kind="multiple_choice",
    prompt="Which show empathy?",
    choices=(
        Choice("name", "Using the customer's name", correct=True),
        Choice("ack", "Acknowledging the feeling", correct=True),
        Choice("policy", "Quoting policy first"),
    ),
)
TRUE_FALSE = Question(key="hold", kind="true_false", prompt="Ask before holding.", answer=True)
FALSE_STATEMENT = Question(
    key="blame", kind="true_false", prompt="Blame the courier.", answer=False
)
ORDER = Question(
    key="recovery",
    kind="ordering",
    prompt="Put service recovery in order.",
    points=3,
    choices=(Choice("listen", "Listen"), Choice("apologise", "Apologise"), Choice("fix", "Fix")),
)
SHORT = Question(
    key="acronym",
    kind="short_answer",
    prompt="What does CSAT stand for?",
    accepted=("Customer satisfaction", "customer satisfaction score"),
)


def parsed(question: Question, raw: object) -> Answer:
    answer = parse_answer(question, raw)
    assert isinstance(answer, Answer), answer
    return answer


def test_a_single_choice_answer_is_graded_right_with_its_points_and_explanation() -> None:
    graded = grade(SINGLE, parsed(SINGLE, "b"))
    assert graded == Graded(
        correct=True, points=2, feedback="Correct. The policy gives 30 days from delivery."
    )


def test_a_wrong_single_choice_earns_nothing_and_names_the_right_answer() -> None:
    graded = grade(SINGLE, parsed(SINGLE, "a"))
    assert graded.correct is False
    assert graded.points == 0
    assert graded.feedback == (
        "Not quite. The answer: 30 days. The policy gives 30 days from delivery."
    )


def test_an_unknown_choice_key_is_refused_as_tampering() -> None:
    assert parse_answer(SINGLE, "z") == (
        "That answer is not one of this question's options. Reload the page and try again."
    )
    assert isinstance(parse_answer(MULTIPLE, ["name", "<script>"]), str)
    assert isinstance(parse_answer(ORDER, ["listen", "apologise", "refund"]), str)


def test_a_single_choice_refuses_two_answers_and_no_answer() -> None:
    assert parse_answer(SINGLE, ["a", "b"]) == "Choose one answer."
    assert parse_answer(SINGLE, "") == "Choose an answer."
    assert parse_answer(SINGLE, None) == "Choose an answer."
    assert parse_answer(SINGLE, []) == "Choose an answer."


def test_answers_of_the_wrong_shape_are_refused() -> None:
    assert parse_answer(SINGLE, 3) == "That answer is not in a form this question accepts."
    assert parse_answer(SINGLE, [1]) == "That answer is not in a form this question accepts."
    assert parse_answer(SHORT, 3) == "That answer is not in a form this question accepts."
    assert isinstance(parse_answer(TRUE_FALSE, "maybe"), str)
    assert isinstance(parse_answer(TRUE_FALSE, 1.5), str)


def test_multiple_choice_needs_exactly_the_correct_set() -> None:
    assert grade(MULTIPLE, parsed(MULTIPLE, ["ack", "name"])).correct is True
    assert grade(MULTIPLE, parsed(MULTIPLE, ["name"])).correct is False
    assert grade(MULTIPLE, parsed(MULTIPLE, ["name", "ack", "policy"])).correct is False


def test_multiple_choice_refuses_the_same_option_twice() -> None:
    assert parse_answer(MULTIPLE, ["name", "name"]) == "Each option can be chosen only once."


def test_multiple_choice_answers_are_stored_in_the_question_order() -> None:
    assert parsed(MULTIPLE, ["ack", "name"]).keys == ("name", "ack")


def test_true_false_accepts_booleans_and_form_strings() -> None:
    assert grade(TRUE_FALSE, parsed(TRUE_FALSE, "true")).correct is True
    assert grade(TRUE_FALSE, parsed(TRUE_FALSE, ["True"])).correct is True
    assert grade(TRUE_FALSE, parsed(TRUE_FALSE, False)).correct is False
    assert grade(FALSE_STATEMENT, parsed(FALSE_STATEMENT, "false")).correct is True
    assert parse_answer(TRUE_FALSE, "") == "Choose true or false."


def test_ordering_needs_every_item_in_the_authored_order() -> None:
    assert grade(ORDER, parsed(ORDER, ["listen", "apologise", "fix"])).points == 3
    assert grade(ORDER, parsed(ORDER, ["apologise", "listen", "fix"])).points == 0
    assert parse_answer(ORDER, ["listen", "fix"]) == "Put every item in order."
    assert parse_answer(ORDER, []) == "Put the items in order."


def test_short_answers_match_ignoring_case_and_spaces() -> None:
    assert grade(SHORT, parsed(SHORT, "  customer   SATISFACTION ")).correct is True
    assert grade(SHORT, parsed(SHORT, "Customer Satisfaction Score")).correct is True
    assert grade(SHORT, parsed(SHORT, "customer service")).correct is False


def test_short_answers_must_not_be_empty_or_huge() -> None:
    assert parse_answer(SHORT, "   ") == "Write an answer."
    assert parse_answer(SHORT, None) == "Write an answer."
    assert parse_answer(SHORT, "x" * 501) == "Keep the answer under 500 characters."


@pytest.mark.parametrize(
    ("question", "raw"),
    [
        (SINGLE, "b"),
        (MULTIPLE, ["name", "ack"]),
        (TRUE_FALSE, "false"),
        (ORDER, ["fix", "listen", "apologise"]),
        (SHORT, "customer satisfaction"),
    ],
)
def test_a_stored_answer_parses_back_to_the_same_answer(question: Question, raw: object) -> None:
    answer = parsed(question, raw)
    assert parse_answer(question, answer.to_json()) == answer


def test_an_answer_of_another_kind_is_never_correct() -> None:
    assert grade(SINGLE, Answer("multiple_choice", keys=("b",))).correct is False


def test_correct_answer_text_per_kind() -> None:
    assert MULTIPLE.correct_answer_text() == "Using the customer's name; Acknowledging the feeling"
    assert FALSE_STATEMENT.correct_answer_text() == "False"
    assert ORDER.correct_answer_text() == "Listen → Apologise → Fix"
    assert SHORT.correct_answer_text() == "Customer satisfaction"


def test_module_result_counts_unanswered_questions_as_nothing() -> None:
    questions = [SINGLE, MULTIPLE, ORDER]  # 2 + 1 + 3 points
    graded = {"refund-window": grade(SINGLE, parsed(SINGLE, "b"))}
    result = module_result(questions, graded, pass_mark=30)
    assert (result.points, result.max_points) == (2, 6)
    assert result.percent == Decimal("33.33")
    assert result.passed is True
    assert module_result(questions, graded, pass_mark=34).passed is False


def test_module_result_passes_exactly_at_the_pass_mark() -> None:
    graded = {
        "refund-window": grade(SINGLE, parsed(SINGLE, "b")),
        "hold": grade(TRUE_FALSE, parsed(TRUE_FALSE, "false")),
        "blame": grade(FALSE_STATEMENT, parsed(FALSE_STATEMENT, "false")),
    }
    result = module_result([SINGLE, TRUE_FALSE, FALSE_STATEMENT], graded, pass_mark=75)
    assert result.percent == Decimal("75.00")
    assert result.passed is True


def test_a_module_without_checks_passes() -> None:
    result = module_result([], {}, pass_mark=80)
    assert (result.points, result.max_points, result.percent, result.passed) == (
        0,
        0,
        Decimal("100.00"),
        True,
    )


def test_percent_rounds_half_up_to_two_places() -> None:
    assert percent_of(2, 3) == Decimal("66.67")
    assert percent_of(1, 8) == Decimal("12.50")


@dataclass
class Run:
    name: str
    percent: Decimal | None


def test_the_best_attempt_counts_earliest_on_ties() -> None:
    runs = [Run("one", Decimal(50)), Run("two", Decimal(90)), Run("three", Decimal(90))]
    assert attempt_outcome(runs, "best") == runs[1]


def test_the_last_attempt_counts_when_the_module_says_so() -> None:
    runs = [Run("one", Decimal(90)), Run("two", Decimal(40))]
    assert attempt_outcome(runs, "last") == runs[1]


def test_no_attempts_means_no_outcome_and_unknown_percent_counts_as_zero() -> None:
    assert attempt_outcome([], "best") is None
    runs = [Run("pending", None), Run("done", Decimal(1))]
    assert attempt_outcome(runs, "best") == runs[1]


@given(
    st.one_of(
        st.none(),
        st.text(),
        st.lists(st.text()),
        st.booleans(),
        st.integers(),
        st.dictionaries(st.text(), st.text()),
    )
)
def test_parsing_any_input_never_crashes_and_never_accepts_unknown_keys(raw: object) -> None:
    for question in (SINGLE, MULTIPLE, TRUE_FALSE, ORDER, SHORT):
        result = parse_answer(question, raw)
        assert isinstance(result, (Answer, str))
        if isinstance(result, Answer):
            assert set(result.keys) <= set(question.choice_keys)
            grade(question, result)


def test_normalise_collapses_whitespace_and_case() -> None:
    assert normalise("  Hello\n\tWORLD ") == "hello world"
