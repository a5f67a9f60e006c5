"""Knowledge checks, apart from Wagtail and the ORM: parsing a learner's answer, grading it, and the
module result.

`parse_answer` turns raw input (a form value, a list of values, or a stored answer) into an
`Answer`, or returns a message saying what is wrong; it refuses choice keys the question does not
have (tampering with the form) rather than ignoring them. Grading is all-or-nothing per question.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

SINGLE_CHOICE = "single_choice"
MULTIPLE_CHOICE = "multiple_choice"
TRUE_FALSE = "true_false"
ORDERING = "ordering"
SHORT_ANSWER = "short_answer"
KINDS = (SINGLE_CHOICE, MULTIPLE_CHOICE, TRUE_FALSE, ORDERING, SHORT_ANSWER)

SHORT_ANSWER_MAX = 500
BEST = "best"
LAST = "last"


@dataclass(frozen=True)
class Choice:
    key: str
    text: str
    correct: bool = False


@dataclass(frozen=True)
class Question:
    """One knowledge check. `choices` holds the options of a choice question, or the items of an
    ordering question in the correct order; `answer` is the truth of a true/false statement;
    `accepted` the accepted short answers."""

    key: str
    kind: str
    prompt: str
    points: int = 1
    explanation: str = ""
    choices: tuple[Choice, ...] = ()
    answer: bool | None = None
    accepted: tuple[str, ...] = ()

    @property
    def choice_keys(self) -> tuple[str, ...]:
        return tuple(choice.key for choice in self.choices)

    @property
    def correct_keys(self) -> frozenset[str]:
        return frozenset(choice.key for choice in self.choices if choice.correct)

    def correct_answer_text(self) -> str:
        """The right answer in words, for feedback."""
        if self.kind in (SINGLE_CHOICE, MULTIPLE_CHOICE):
            return "; ".join(choice.text for choice in self.choices if choice.correct)
        if self.kind == TRUE_FALSE:
            return "True" if self.answer else "False"
        if self.kind == ORDERING:
            return " → ".join(choice.text for choice in self.choices)
        return self.accepted[0] if self.accepted else ""


@dataclass(frozen=True)
class Answer:
    kind: str
    keys: tuple[str, ...] = ()
    value: bool | None = None
    text: str = ""

    def to_json(self) -> dict[str, Any]:
        if self.kind == SINGLE_CHOICE:
            return {"choice": self.keys[0]}
        if self.kind == MULTIPLE_CHOICE:
            return {"choices": list(self.keys)}
        if self.kind == TRUE_FALSE:
            return {"value": self.value}
        if self.kind == ORDERING:
            return {"order": list(self.keys)}
        return {"text": self.text}


@dataclass(frozen=True)
class Graded:
    correct: bool
    points: int
    feedback: str


@dataclass(frozen=True)
class Result:
    points: int
    max_points: int
    percent: Decimal
    passed: bool


_STORED_KEYS = ("answer", "choice", "choices", "value", "order", "text")


def _unwrap(raw: Any) -> Any:
    if isinstance(raw, Mapping):
        for name in _STORED_KEYS:
            if name in raw:
                return raw[name]
        return None
    return raw


def _as_list(raw: Any) -> list[Any] | None:
    if isinstance(raw, str):
        return [raw] if raw != "" else []
    if isinstance(raw, (list, tuple)):
        return list(raw)
    if raw is None:
        return []
    return None


def parse_answer(question: Question, raw: Any) -> Answer | str:
    """The learner's answer to `question`, or a message saying why it cannot be accepted."""
    raw = _unwrap(raw)
    if question.kind in (SINGLE_CHOICE, MULTIPLE_CHOICE, ORDERING):
        values = _as_list(raw)
        if values is None or not all(isinstance(value, str) for value in values):
            return "That answer is not in a form this question accepts."
        if not values:
            return "Choose an answer." if question.kind != ORDERING else "Put the items in order."
        known = set(question.choice_keys)
        if any(value not in known for value in values):
            return (
                "That answer is not one of this question's options. Reload the page and try again."
            )
        if len(set(values)) != len(values):
            return "Each option can be chosen only once."
        if question.kind == SINGLE_CHOICE:
            if len(values) != 1:
                return "Choose one answer."
            return Answer(SINGLE_CHOICE, keys=(values[0],))
        if question.kind == MULTIPLE_CHOICE:
            ordered = tuple(key for key in question.choice_keys if key in set(values))
            return Answer(MULTIPLE_CHOICE, keys=ordered)
        if len(values) != len(known):
            return "Put every item in order."
        return Answer(ORDERING, keys=tuple(values))
    if question.kind == TRUE_FALSE:
        if isinstance(raw, (list, tuple)) and len(raw) == 1:
            raw = raw[0]
        if isinstance(raw, bool):
            return Answer(TRUE_FALSE, value=raw)
        if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
            return Answer(TRUE_FALSE, value=raw.strip().lower() == "true")
        if raw is None or raw == "":
            return "Choose true or false."
        return "That answer is not one of this question's options. Reload the page and try again."
    if question.kind == SHORT_ANSWER:
        if isinstance(raw, (list, tuple)) and len(raw) == 1:
            raw = raw[0]
        if raw is None:
            return "Write an answer."
        if not isinstance(raw, str):
            return "That answer is not in a form this question accepts."
        text = raw.strip()
        if not text:
            return "Write an answer."
        if len(text) > SHORT_ANSWER_MAX:
            return f"Keep the answer under {SHORT_ANSWER_MAX} characters."
        return Answer(SHORT_ANSWER, text=text)
    return "This question cannot be answered."


def normalise(text: str) -> str:
    """Short answers match ignoring capitals and extra spaces."""
    return re.sub(r"\s+", " ", text).strip().casefold()


def is_correct(question: Question, answer: Answer) -> bool:
    if answer.kind != question.kind:
        return False
    if question.kind == SINGLE_CHOICE:
        return len(answer.keys) == 1 and answer.keys[0] in question.correct_keys
    if question.kind == MULTIPLE_CHOICE:
        return frozenset(answer.keys) == question.correct_keys
    if question.kind == TRUE_FALSE:
        return answer.value is not None and answer.value == bool(question.answer)
    if question.kind == ORDERING:
        return answer.keys == question.choice_keys
    if question.kind == SHORT_ANSWER:
        accepted = {normalise(text) for text in question.accepted}
        return normalise(answer.text) in accepted
    return False


def grade(question: Question, answer: Answer) -> Graded:
    """All or nothing: the question's points when the answer is right, else 0."""
    correct = is_correct(question, answer)
    if correct:
        feedback = "Correct."
    else:
        right = question.correct_answer_text()
        feedback = f"Not quite. The answer: {right}." if right else "Not quite."
    if question.explanation:
        feedback = f"{feedback} {question.explanation}"
    return Graded(correct=correct, points=question.points if correct else 0, feedback=feedback)


def percent_of(points: int, max_points: int) -> Decimal:
    if max_points <= 0:
        return Decimal("100.00")
    value = Decimal(points) * 100 / Decimal(max_points)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def module_result(
    questions: Sequence[Question], graded_by_key: Mapping[str, Graded], pass_mark: int | Decimal
) -> Result:
    """The result of one attempt: unanswered questions earn nothing. A module without checks
    passes (reading it is the whole task)."""
    max_points = sum(question.points for question in questions)
    points = sum(
        graded_by_key[question.key].points
        for question in questions
        if question.key in graded_by_key
    )
    percent = percent_of(points, max_points)
    return Result(
        points=points, max_points=max_points, percent=percent, passed=percent >= Decimal(pass_mark)
    )


class HasPercent(Protocol):
    @property
    def percent(self) -> Decimal | None: ...


def attempt_outcome[R: HasPercent](results: Sequence[R], method: str) -> R | None:
    """The attempt that counts: the best (highest percent, earliest on ties) or the last one."""
    if not results:
        return None
    if method == LAST:
        return results[-1]
    best = results[0]
    for result in results[1:]:
        if (result.percent or Decimal(0)) > (best.percent or Decimal(0)):
            best = result
    return best
