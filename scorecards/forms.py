"""Reading what the grading workspace posts, without trusting any of it.

The workspace form names its fields after criterion keys:

- ``criteria``: one hidden input per criterion the form shows (so "nothing chosen" can be told
  apart from "not in this post"; a criterion left out of the post keeps what is stored);
- ``rating-<key>``: the chosen option's value, or ``na``;
- ``root_cause-<key>``, ``comment-<key>``;
- ``evidence-<key>`` (repeated): one JSON object per piece of evidence,
  ``{"kind": "quote", "message": i, "text": ...}`` or ``{"kind": "time", "seconds": t}``;
- ``comment``: the overall comment.

`parse_rating_post` turns that into `RatingInput`s for `services.reviews.rate`, and lists every
problem (a value that is not a number or not an option, N/A where it is not allowed, a root cause
not on the list, unreadable evidence) with the criterion it concerns, so the view can show them
and save nothing.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from scorecards import scoring
from scorecards.framework_def import Criterion, FrameworkDef, Problem
from scorecards.services.reviews import RatingInput

NA = "na"
MAX_COMMENT = 5000
MAX_OVERALL_COMMENT = 10000
MAX_EVIDENCE = 50
MAX_EVIDENCE_JSON = 2000
MAX_QUOTE = 1000
MAX_SECONDS = 7 * 24 * 3600
# A scale value as the form writes it: digits, an optional sign and decimals. Anything else
# ("1e9999", "NaN", "Infinity", 5,000 digits) is refused before Decimal sees it.
_NUMBER = re.compile(r"^-?\d{1,9}(?:\.\d{1,6})?$")
LOW_BELOW = Decimal(50)


class PostData(Protocol):
    """What a QueryDict offers (a plain dict of lists works in tests)."""

    def get(self, key: str, default: Any = ...) -> Any: ...

    def getlist(self, key: str) -> list[str]: ...

    def __contains__(self, key: object) -> bool: ...

    def keys(self) -> Any: ...


def field_name(kind: str, key: str) -> str:
    return f"{kind}-{key}"


@dataclass
class RatingPost:
    ratings: dict[str, RatingInput] = field(default_factory=dict)
    # Non-scoring questions posted: key -> the chosen option's label, or None when cleared.
    answers: dict[str, str | None] = field(default_factory=dict)
    comment: str | None = None  # None: the overall comment was not posted
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def merged_answers(self, stored: Mapping[str, Any]) -> dict[str, str]:
        """`Review.answers` after this post: the posted questions replace what was stored."""
        merged = {k: str(v) for k, v in stored.items() if isinstance(k, str)}
        for key, label in self.answers.items():
            if label is None:
                merged.pop(key, None)
            else:
                merged[key] = label
        return merged


def is_low(criterion: Criterion, value: Decimal | None) -> bool:
    """Below half the scale: where a root cause is asked for (and where a fatal criterion fails)."""
    if value is None or not criterion.scoring or criterion.maximum == criterion.minimum:
        return False
    normalised = (value - criterion.minimum) / (criterion.maximum - criterion.minimum) * 100
    return normalised < LOW_BELOW


def parse_value(raw: str) -> tuple[Decimal | None, bool] | None:
    """(value, na) from a posted rating; None when it cannot be read at all."""
    raw = raw.strip()
    if raw == "":
        return None, False
    if raw.lower() == NA:
        return None, True
    if not _NUMBER.match(raw):
        return None
    try:
        number = Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern already refuses these
        return None
    return number, False


def _text(data: PostData, name: str) -> str:
    value = data.get(name, "")
    return value.replace("\r\n", "\n") if isinstance(value, str) else ""


def _evidence(
    criterion: Criterion, raws: list[str], problems: list[Problem]
) -> list[dict[str, Any]]:
    if len(raws) > MAX_EVIDENCE:
        problems.append(
            Problem(
                criterion.key,
                f"'{criterion.title}' has more than {MAX_EVIDENCE} pieces of evidence; "
                "remove some.",
            )
        )
        return []
    items: list[dict[str, Any]] = []
    for raw in raws:
        item = _evidence_item(raw)
        if item is None:
            problems.append(
                Problem(
                    criterion.key,
                    f"A piece of evidence for '{criterion.title}' could not be read; "
                    "remove it and add it again.",
                )
            )
            return []
        items.append(item)
    return items


def _evidence_item(raw: str) -> dict[str, Any] | None:
    if len(raw) > MAX_EVIDENCE_JSON:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    kind = data.get("kind")
    if kind == "quote":
        message, text = data.get("message"), data.get("text")
        if isinstance(message, bool) or not isinstance(message, int) or message < 0:
            return None
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_QUOTE:
            return None
        return {"kind": "quote", "message": message, "text": text.strip()}
    if kind == "time":
        seconds = data.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            return None
        if not math.isfinite(seconds) or not 0 <= seconds <= MAX_SECONDS:
            return None
        return {"kind": "time", "seconds": round(float(seconds), 1)}
    return None


def _posted_keys(defn: FrameworkDef, data: PostData) -> list[str]:
    """The criteria this post speaks for: those the form listed, else any with a field."""
    listed = [key for key in data.getlist("criteria") if isinstance(key, str)]
    if listed:
        return list(dict.fromkeys(listed))
    prefixes = ("rating-", "root_cause-", "comment-", "evidence-")
    return [
        criterion.key
        for criterion in defn.criteria
        if any(field_name(p.rstrip("-"), criterion.key) in data for p in prefixes)
    ]


def parse_rating_post(defn: FrameworkDef, data: PostData) -> RatingPost:
    """Everything the workspace form posted, checked against `defn`. Nothing here trusts the
    browser: a tampered value becomes a problem naming the criterion, never an exception."""
    result = RatingPost()
    problems = result.problems
    criteria = {criterion.key: criterion for criterion in defn.criteria}

    for key in _posted_keys(defn, data):
        criterion = criteria.get(key)
        if criterion is None:
            shown = key[:50]
            problems.append(Problem(shown, f"There is no criterion '{shown}' in this framework."))
            continue
        raw = data.get(field_name("rating", key), "")
        parsed = parse_value(raw if isinstance(raw, str) else "")
        if parsed is None:
            problems.append(Problem(key, f"Choose one of the options for '{criterion.title}'."))
            continue
        value, na = parsed

        root_cause = _text(data, field_name("root_cause", key)).strip()
        if root_cause and root_cause not in criterion.root_causes:
            problems.append(
                Problem(key, f"Choose a root cause from the list for '{criterion.title}'.")
            )
        if not is_low(criterion, value):
            root_cause = ""  # root causes are asked for low ratings only

        comment = _text(data, field_name("comment", key))
        if len(comment) > MAX_COMMENT:
            problems.append(
                Problem(
                    key,
                    f"The comment on '{criterion.title}' is too long "
                    f"(at most {MAX_COMMENT:,} characters).",
                )
            )
        evidence = _evidence(criterion, data.getlist(field_name("evidence", key)), problems)
        result.ratings[key] = RatingInput(
            value=value, na=na, root_cause=root_cause, comment=comment, evidence=evidence
        )
        if not criterion.scoring:
            option = None if value is None else criterion.option_for(value)
            result.answers[key] = option.label if option is not None else None

    # Values that are not options, N/A where it is not allowed: the scoring rules' own check.
    problems.extend(
        scoring.check_ratings(
            defn,
            {
                key: scoring.Rating(key=key, value=entered.value, na=entered.na)
                for key, entered in result.ratings.items()
            },
        )
    )

    if "comment" in data:
        comment = _text(data, "comment")
        if len(comment) > MAX_OVERALL_COMMENT:
            problems.append(
                Problem(
                    "comment",
                    "The overall comment is too long "
                    f"(at most {MAX_OVERALL_COMMENT:,} characters).",
                )
            )
        else:
            result.comment = comment
    return result


def problems_by_key(problems: list[Problem]) -> Mapping[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        grouped.setdefault(problem.where, []).append(problem.message)
    return grouped
