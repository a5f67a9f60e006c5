"""Checking survey answers: one answer against its question's scale, a section's answers while the
person is still answering (a draft), and a whole submission. Pure: no ORM.

An answer arrives raw, either from a form (strings, a list of strings for multiple choice) or from
the invitation's saved draft (JSON: an int, a list of ints, a string). `clean_answer` turns it
into an `Answer` or says, in words the respondent can act on, what is wrong with it:

- **agreement** (5 points): a whole number 1-5;
- **0-10**: a whole number 0-10;
- **single choice**: the index of one of the question's options (0-based);
- **multiple choice**: a list of distinct option indexes (at least one when required);
- **comment**: text, stripped of surrounding white space and of NUL characters (which no database
  column can hold), at most `COMMENT_MAX_CHARS` characters.

An empty value (no radio chosen, an empty comment, no box ticked) is *not answered*, which is
fine in a draft and for an optional question, and an error for a required question at submission.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .question_bank import Scale

COMMENT_MAX_CHARS = 5_000
AGREEMENT_MIN, AGREEMENT_MAX = 1, 5
ZERO_TO_TEN_MIN, ZERO_TO_TEN_MAX = 0, 10
GENERAL = "__all__"  # the error key for problems that belong to no question

_WHOLE_NUMBER = re.compile(r"^\s*[+-]?\d{1,6}\s*$")

JsonAnswer = int | list[int] | str  # how an answer is kept in Invitation.draft


class AnswerError(ValueError):
    """One answer that cannot be accepted; the message is meant for the respondent."""


@dataclass(frozen=True)
class QuestionSpec:
    """What validation needs to know about a question (built from a SurveyQuestion)."""

    key: str
    scale: str  # a question_bank.Scale value
    required: bool = True
    options: tuple[str, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class Answer:
    """A valid answer: `value` for agreement, 0-10 and single choice, `choices` for multiple
    choice (sorted, distinct), `text` for comments."""

    value: int | None = None
    choices: tuple[int, ...] | None = None
    text: str = ""

    def to_json(self) -> JsonAnswer:
        if self.choices is not None:
            return list(self.choices)
        if self.value is not None:
            return self.value
        return self.text


@dataclass(frozen=True)
class Checked:
    """The outcome of checking several answers: the valid ones by question key, and one message
    per question that has a problem (plus `GENERAL` for answers to questions not in the survey)."""

    answers: dict[str, Answer] = field(default_factory=dict)
    cleared: frozenset[str] = frozenset()  # keys given but left empty (not answered)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _is_empty(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return raw.strip() == ""
    if isinstance(raw, (list, tuple)):
        return all(_is_empty(item) for item in raw)
    return False


def _whole_number(raw: Any, message: str) -> int:
    if isinstance(raw, bool):
        raise AnswerError(message)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and _WHOLE_NUMBER.match(raw):
        return int(raw)
    raise AnswerError(message)


def _in_range(raw: Any, low: int, high: int, message: str) -> int:
    number = _whole_number(raw, message)
    if not low <= number <= high:
        raise AnswerError(message)
    return number


def scale_message(spec: QuestionSpec) -> str:
    """What a valid answer to `spec` looks like, as said to the respondent."""
    if spec.scale == Scale.AGREEMENT_5:
        return "Choose one answer from 1 (strongly disagree) to 5 (strongly agree)."
    if spec.scale == Scale.ZERO_TO_TEN:
        return "Choose one number from 0 to 10."
    if spec.scale == Scale.SINGLE_CHOICE:
        return f"Choose one of the {len(spec.options)} options."
    if spec.scale == Scale.MULTIPLE_CHOICE:
        return f"Tick any of the {len(spec.options)} options, each at most once."
    return f"Write at most {COMMENT_MAX_CHARS:,} characters."


def clean_answer(spec: QuestionSpec, raw: Any) -> Answer | None:
    """The valid answer in `raw` for `spec`, or None when it is left empty (not answered).
    Raises AnswerError with a message for the respondent when `raw` is not a valid answer."""
    if spec.scale == Scale.COMMENT:
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise AnswerError("Write your comment as text.")
        text = raw.replace("\x00", "").strip()
        if not text:
            return None
        if len(text) > COMMENT_MAX_CHARS:
            raise AnswerError(
                f"Keep your comment to {COMMENT_MAX_CHARS:,} characters or fewer "
                f"(this one has {len(text):,})."
            )
        return Answer(text=text)
    if _is_empty(raw):
        return None
    message = scale_message(spec)
    if spec.scale == Scale.AGREEMENT_5:
        return Answer(value=_in_range(_single(raw, message), AGREEMENT_MIN, AGREEMENT_MAX, message))
    if spec.scale == Scale.ZERO_TO_TEN:
        return Answer(
            value=_in_range(_single(raw, message), ZERO_TO_TEN_MIN, ZERO_TO_TEN_MAX, message)
        )
    if spec.scale == Scale.SINGLE_CHOICE:
        if not spec.options:
            raise AnswerError("This question has no options to choose from.")
        return Answer(value=_in_range(_single(raw, message), 0, len(spec.options) - 1, message))
    if spec.scale == Scale.MULTIPLE_CHOICE:
        items = list(raw) if isinstance(raw, (list, tuple)) else [raw]
        items = [item for item in items if not _is_empty(item)]
        indexes = [_in_range(item, 0, len(spec.options) - 1, message) for item in items]
        if len(set(indexes)) != len(indexes):
            raise AnswerError("Tick each option at most once.")
        return Answer(choices=tuple(sorted(indexes)))
    raise AnswerError(f"This question's scale ({spec.scale}) is not one the survey knows.")


def _single(raw: Any, message: str) -> Any:
    """A single value; a one-item list (a form field sent once) counts as its item."""
    if isinstance(raw, (list, tuple)):
        values = [item for item in raw if not _is_empty(item)]
        if len(values) != 1:
            raise AnswerError(message)
        return values[0]
    return raw


def check_answers(
    specs: Iterable[QuestionSpec], raw: Mapping[str, Any], *, require: bool
) -> Checked:
    """Check the answers in `raw` (by question key). With `require`, every required question of
    `specs` must be answered (a submission); without it only the given answers are checked (a
    draft being saved). Keys not among `specs` are reported under `GENERAL`."""
    by_key = {spec.key: spec for spec in specs}
    answers: dict[str, Answer] = {}
    cleared: set[str] = set()
    errors: dict[str, str] = {}
    unknown = sorted(key for key in raw if key not in by_key)
    if unknown:
        errors[GENERAL] = "Some answers are not for questions in this survey: " + ", ".join(
            unknown[:5]
        )
    for key, value in raw.items():
        spec = by_key.get(key)
        if spec is None:
            continue
        try:
            answer = clean_answer(spec, value)
        except AnswerError as exc:
            errors[key] = str(exc)
            continue
        if answer is None:
            cleared.add(key)
        else:
            answers[key] = answer
    if require:
        for key, spec in by_key.items():
            if spec.required and key not in answers and key not in errors:
                errors[key] = "This question needs an answer."
    return Checked(answers=answers, cleared=frozenset(cleared), errors=errors)


def merge_draft(draft: Mapping[str, Any], checked: Checked) -> dict[str, JsonAnswer]:
    """The draft after saving `checked` (which must be ok): new answers replace old ones, answers
    left empty are removed."""
    if not checked.ok:
        raise ValueError("Only valid answers are saved into a draft.")
    merged: dict[str, JsonAnswer] = {
        key: value for key, value in draft.items() if key not in checked.cleared
    }
    merged.update({key: answer.to_json() for key, answer in checked.answers.items()})
    return merged


def missing_required(specs: Sequence[QuestionSpec], draft: Mapping[str, Any]) -> list[str]:
    """Keys of the required questions the draft does not answer (in question order)."""
    return [spec.key for spec in specs if spec.required and _is_empty(draft.get(spec.key))]
