"""One published version of a quality framework, as plain frozen dataclasses.

Pure: no ORM and no Django. `FrameworkVersion.definition` stores `to_json(defn)`; everything that
scores or shows a review works on the `FrameworkDef` that `from_json` gives back. `validate` lists
what stops a draft from being published (DOMAIN.md §4, "Quality framework").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

SCALES = ("yes_no", "three", "four", "five", "points")
SEVERITIES = ("normal", "critical", "fatal")
SCORING_MODES = ("weighted", "points")
# Bumped if the stored JSON ever changes shape, so old versions can still be read.
JSON_SCHEMA = 1

_SLUG = re.compile(r"^[a-z0-9_-]+$")
_POINT_SCALE_LABELS = {
    3: ("Below standard", "Meets standard", "Exceeds standard"),
    4: ("Poor", "Fair", "Good", "Excellent"),
    5: ("Very poor", "Poor", "Fair", "Good", "Excellent"),
}
_POINT_SCALES = {"three": 3, "four": 4, "five": 5}


@dataclass(frozen=True)
class ScaleOption:
    value: Decimal
    label: str
    guidance: str = ""


@dataclass(frozen=True)
class Criterion:
    key: str
    title: str
    guidance: str
    scale: str  # one of SCALES
    options: tuple[ScaleOption, ...]
    weight: Decimal = Decimal(1)  # weighted mode
    points: Decimal = Decimal(0)  # points mode
    na_allowed: bool = False
    na_rule: str = ""  # when N/A applies; required for a fatal criterion that allows N/A
    severity: str = "normal"  # one of SEVERITIES
    root_causes: tuple[str, ...] = ()
    scoring: bool = True  # False: a non-scoring question (context); never changes the score

    @cached_property  # frozen: computed once per parsed definition (which is cached per version)
    def minimum(self) -> Decimal:
        if not self.options:
            raise ValueError(f"Criterion '{self.key}' has no options.")
        return min(option.value for option in self.options)

    @cached_property
    def maximum(self) -> Decimal:
        if not self.options:
            raise ValueError(f"Criterion '{self.key}' has no options.")
        return max(option.value for option in self.options)

    @property
    def is_fatal(self) -> bool:
        return self.severity == "fatal"

    def option_for(self, value: Decimal) -> ScaleOption | None:
        """The option recording `value` (compared numerically, so 4 and 4.000 match)."""
        return next((option for option in self.options if option.value == value), None)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    weight: Decimal | None  # percent; only used when the framework uses section weights
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class FrameworkDef:
    name: str
    scoring_mode: str  # one of SCORING_MODES
    pass_mark: Decimal  # 0..100; a review passes when its final score is at least this
    use_section_weights: bool
    sections: tuple[Section, ...]

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        """Every criterion and question, in the order reviewers see them."""
        return tuple(criterion for section in self.sections for criterion in section.criteria)

    @property
    def scoring_criteria(self) -> tuple[Criterion, ...]:
        return tuple(criterion for criterion in self.criteria if criterion.scoring)

    def criterion(self, key: str) -> Criterion:
        """The criterion with this key; KeyError if there is none."""
        for criterion in self.criteria:
            if criterion.key == key:
                return criterion
        raise KeyError(key)


@dataclass(frozen=True)
class Problem:
    """One reason a framework (or a review's ratings) is not acceptable. `where` is the section or
    criterion key the message is about ("framework" for the framework as a whole)."""

    where: str
    message: str


# --- Standard scales: authors, blocks and seeds share these ------------------------------------


def yes_no_options() -> tuple[ScaleOption, ...]:
    return (ScaleOption(Decimal(1), "Yes"), ScaleOption(Decimal(0), "No"))


def point_scale(n: int) -> tuple[ScaleOption, ...]:
    """The standard 3-, 4- or 5-point scale: values 1..n, worst first."""
    if n not in _POINT_SCALE_LABELS:
        raise ValueError(f"There is no standard {n}-point scale (use 3, 4 or 5).")
    return tuple(
        ScaleOption(Decimal(value), label)
        for value, label in enumerate(_POINT_SCALE_LABELS[n], start=1)
    )


def standard_options(scale: str) -> tuple[ScaleOption, ...]:
    """The standard options of a named scale; a points scale has none (authors give them)."""
    if scale == "yes_no":
        return yes_no_options()
    if scale in _POINT_SCALES:
        return point_scale(_POINT_SCALES[scale])
    if scale == "points":
        return ()
    raise ValueError(f"Unknown scale '{scale}'.")


# --- JSON -----------------------------------------------------------------------------------
# Decimals are written as strings so the round trip is exact ("1.50" stays "1.50").


def to_json(defn: FrameworkDef) -> dict[str, Any]:
    return {
        "schema": JSON_SCHEMA,
        "name": defn.name,
        "scoring_mode": defn.scoring_mode,
        "pass_mark": str(defn.pass_mark),
        "use_section_weights": defn.use_section_weights,
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "weight": None if section.weight is None else str(section.weight),
                "criteria": [_criterion_to_json(criterion) for criterion in section.criteria],
            }
            for section in defn.sections
        ],
    }


def _criterion_to_json(criterion: Criterion) -> dict[str, Any]:
    return {
        "key": criterion.key,
        "title": criterion.title,
        "guidance": criterion.guidance,
        "scale": criterion.scale,
        "options": [
            {"value": str(option.value), "label": option.label, "guidance": option.guidance}
            for option in criterion.options
        ],
        "weight": str(criterion.weight),
        "points": str(criterion.points),
        "na_allowed": criterion.na_allowed,
        "na_rule": criterion.na_rule,
        "severity": criterion.severity,
        "root_causes": list(criterion.root_causes),
        "scoring": criterion.scoring,
    }


def from_json(data: Mapping[str, Any]) -> FrameworkDef:
    """Read what `to_json` wrote. Raises ValueError naming the first malformed field."""
    try:
        return FrameworkDef(
            name=str(data["name"]),
            scoring_mode=str(data["scoring_mode"]),
            pass_mark=_decimal(data["pass_mark"], "pass_mark"),
            use_section_weights=bool(data.get("use_section_weights", False)),
            sections=tuple(_section_from_json(section) for section in data["sections"]),
        )
    except KeyError as missing:
        raise ValueError(f"Framework definition is missing the field {missing}.") from None


def _section_from_json(data: Mapping[str, Any]) -> Section:
    weight = data.get("weight")
    return Section(
        key=str(data["key"]),
        title=str(data["title"]),
        weight=None if weight is None else _decimal(weight, f"section {data['key']} weight"),
        criteria=tuple(_criterion_from_json(criterion) for criterion in data["criteria"]),
    )


def _criterion_from_json(data: Mapping[str, Any]) -> Criterion:
    where = f"criterion {data['key']}"
    return Criterion(
        key=str(data["key"]),
        title=str(data["title"]),
        guidance=str(data.get("guidance", "")),
        scale=str(data["scale"]),
        options=tuple(
            ScaleOption(
                value=_decimal(option["value"], f"{where} option"),
                label=str(option["label"]),
                guidance=str(option.get("guidance", "")),
            )
            for option in data["options"]
        ),
        weight=_decimal(data.get("weight", "1"), f"{where} weight"),
        points=_decimal(data.get("points", "0"), f"{where} points"),
        na_allowed=bool(data.get("na_allowed", False)),
        na_rule=str(data.get("na_rule", "")),
        severity=str(data.get("severity", "normal")),
        root_causes=tuple(str(cause) for cause in data.get("root_causes", ())),
        scoring=bool(data.get("scoring", True)),
    )


def _decimal(value: Any, field: str) -> Decimal:
    # bool is an int subclass; True is never a sensible number here.
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError(f"Framework definition: {field} must be a number, not {value!r}.")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(
            f"Framework definition: {field} must be a number, not {value!r}."
        ) from None
    if not number.is_finite():
        raise ValueError(f"Framework definition: {field} must be a finite number.")
    return number


# --- Validation -----------------------------------------------------------------------------


def validate(defn: FrameworkDef) -> list[Problem]:
    """Everything that stops this definition from being published; empty when it is fine."""
    problems: list[Problem] = []
    if defn.scoring_mode not in SCORING_MODES:
        problems.append(
            Problem(
                "framework", f"Scoring mode must be weighted or points, not '{defn.scoring_mode}'."
            )
        )
    if not Decimal(0) <= defn.pass_mark <= Decimal(100):
        problems.append(Problem("framework", "The pass mark must be between 0 and 100."))
    if not defn.scoring_criteria:
        problems.append(
            Problem("framework", "The framework has no scoring criteria, so nothing can be scored.")
        )

    _check_keys(defn, problems)
    if defn.use_section_weights:
        _check_section_weights(defn, problems)
    for criterion in defn.criteria:
        _check_criterion(defn, criterion, problems)

    scoring = defn.scoring_criteria
    if defn.scoring_mode == "weighted" and scoring and all(c.weight == 0 for c in scoring):
        problems.append(
            Problem(
                "framework",
                "Every scoring criterion has weight 0, so no review could ever be scored. "
                "Give at least one criterion a weight above 0.",
            )
        )
    return problems


def _check_keys(defn: FrameworkDef, problems: list[Problem]) -> None:
    seen_sections: set[str] = set()
    seen_criteria: set[str] = set()
    for s_index, section in enumerate(defn.sections, start=1):
        section_where = section.key or f"section {s_index}"
        if not _SLUG.match(section.key):
            problems.append(Problem(section_where, _slug_message("Section", section.key)))
        if section.key in seen_sections:
            problems.append(
                Problem(
                    section_where, f"Two sections use the key '{section.key}'; keys must differ."
                )
            )
        seen_sections.add(section.key)
        for c_index, criterion in enumerate(section.criteria, start=1):
            where = criterion.key or f"{section_where} item {c_index}"
            if not _SLUG.match(criterion.key):
                problems.append(Problem(where, _slug_message("Criterion", criterion.key)))
            if criterion.key in seen_criteria:
                problems.append(
                    Problem(
                        where,
                        f"Two criteria use the key '{criterion.key}'; every criterion and question "
                        "in the framework needs its own key.",
                    )
                )
            seen_criteria.add(criterion.key)


def _slug_message(kind: str, key: str) -> str:
    if not key:
        return f"{kind} key is missing."
    return (
        f"{kind} key '{key}' may only contain lower-case letters, digits, hyphens and "
        "underscores (e.g. 'shows-empathy')."
    )


def _check_section_weights(defn: FrameworkDef, problems: list[Problem]) -> None:
    total = Decimal(0)
    for section in defn.sections:
        has_scoring = any(criterion.scoring for criterion in section.criteria)
        if section.weight is None:
            if has_scoring:
                problems.append(
                    Problem(section.key, f"Section '{section.title}' needs a weight (percent).")
                )
            continue
        if section.weight < 0:
            problems.append(
                Problem(section.key, f"Section '{section.title}' has a negative weight.")
            )
        if not has_scoring and section.weight != 0:
            problems.append(
                Problem(
                    section.key,
                    f"Section '{section.title}' has no scoring criteria, so its weight can never "
                    "count. Set it to 0 or leave it empty.",
                )
            )
        total += section.weight
        if (
            defn.scoring_mode == "weighted"
            and has_scoring
            and section.weight > 0
            and all(c.weight == 0 for c in section.criteria if c.scoring)
        ):
            problems.append(
                Problem(
                    section.key,
                    f"Every criterion in section '{section.title}' has weight 0, so the section "
                    "could never be scored.",
                )
            )
    if total != Decimal(100):
        problems.append(
            Problem(
                "framework", f"Section weights must add up to exactly 100; they add up to {total}."
            )
        )


def _check_criterion(defn: FrameworkDef, criterion: Criterion, problems: list[Problem]) -> None:
    where, name = criterion.key, f"'{criterion.title or criterion.key}'"

    def problem(message: str) -> None:
        problems.append(Problem(where, message))

    if criterion.scale not in SCALES:
        problem(f"{name} has an unknown scale '{criterion.scale}'.")
    if criterion.severity not in SEVERITIES:
        problem(f"{name} has an unknown severity '{criterion.severity}'.")

    values = [option.value for option in criterion.options]
    if len(values) < 2:
        problem(f"{name} needs at least two options to choose from.")
    if len(set(values)) != len(values):
        problem(f"{name} has two options with the same value; each option needs its own value.")
    if criterion.scale == "yes_no" and sorted(set(values)) != [Decimal(0), Decimal(1)]:
        problem(f"{name} is a yes/no criterion, so its options must be exactly 1 (yes) and 0 (no).")
    if criterion.is_fatal and criterion.na_allowed and not criterion.na_rule.strip():
        problem(
            f"{name} is fatal and allows N/A, so it needs a rule saying when N/A applies "
            "(e.g. 'no payment was taken')."
        )

    if not criterion.scoring:
        if criterion.is_fatal:
            problem(f"{name} is a non-scoring question, so it cannot be fatal.")
        return
    if defn.scoring_mode == "weighted" and criterion.weight < 0:
        problem(f"{name} has a negative weight; weights must be 0 or more.")
    if defn.scoring_mode == "points" and criterion.points <= 0:
        problem(f"{name} must be worth more than 0 points.")
