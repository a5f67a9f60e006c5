"""Scoring a review: exactly the rules of DOMAIN.md §4, "Scoring a review". Pure: no ORM.

Numbers: every figure in a `ReviewScore` (raw, final, section scores, criterion scores, earned) is a
Decimal quantised to 0.0001 with ROUND_HALF_UP, which is what `Review.raw_score` and friends store.
The arithmetic behind each figure runs at full precision (34 digits) and is rounded once at the
end, so rounding never compounds (a section score is not rounded before sections are combined).
`display()` rounds to one decimal for people; nothing else rounds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext

from scorecards.framework_def import Criterion, FrameworkDef, Problem

QUANTUM = Decimal("0.0001")
HUNDRED = Decimal(100)
# A fatal criterion fails below half its scale: "no" on yes/no, 1 or 2 on a 5-point scale.
FATAL_THRESHOLD = Decimal(50)
# Typography for the explanation lines (escaped so the source stays plain ASCII for ruff).
TIMES, DASH = "\u00d7", "\u2013"
NOT_SCORED = DASH  # what display() shows for "no score"


@dataclass(frozen=True)
class Rating:
    """A reviewer's answer for one criterion. No value and not N/A means not rated yet."""

    key: str
    value: Decimal | None
    na: bool = False


@dataclass(frozen=True)
class CriterionResult:
    key: str
    title: str
    section: str  # the section's key
    scoring: bool  # False for a non-scoring question
    value: Decimal | None
    label: str  # the chosen option's label, "" when N/A or unrated
    normalised: Decimal | None  # 0..100; None when N/A, unrated or non-scoring
    weight: Decimal
    points: Decimal
    # This criterion's share of the numerator: score * weight (weighted mode) or the points
    # earned (points mode). None when it does not count.
    earned: Decimal | None
    minimum: Decimal  # scale minimum and maximum (option values)
    maximum: Decimal
    na: bool
    unrated: bool
    counted: bool  # took part in the score (a rated, not N/A, scoring criterion)
    fatal_failed: bool


@dataclass(frozen=True)
class SectionResult:
    key: str
    title: str
    score: Decimal | None  # None when nothing in it counted (all N/A or unrated)
    weight: Decimal | None
    counted: bool  # has a score (and, with section weights, took part in the combination)


@dataclass(frozen=True)
class ReviewScore:
    raw: Decimal | None  # what the criteria add up to; None = not scored (all N/A)
    final: Decimal | None  # raw, or 0 when a fatal criterion failed
    passed: bool | None  # final >= pass mark; None when not scored
    fatal_failures: tuple[str, ...]
    criteria: tuple[CriterionResult, ...]
    sections: tuple[SectionResult, ...]
    unrated_required: tuple[str, ...]  # submission is refused while this is not empty
    scoring_mode: str
    use_section_weights: bool
    pass_mark: Decimal

    def explanation(self) -> list[str]:
        """The arithmetic, line by line, in words an agent can follow."""
        return _explain(self)


# --- Scoring --------------------------------------------------------------------------------


def score_review(defn: FrameworkDef, ratings: Mapping[str, Rating]) -> ReviewScore:
    """Score `ratings` (by criterion key) under `defn`. Unrated criteria are left out (so a draft
    can show a running score) and listed in `unrated_required`. Raises ValueError for a rating
    `can_submit` would refuse other than "not rated" (a value that is not an option, N/A where
    it is not allowed); ratings for unknown keys are ignored."""
    invalid = [
        problem
        for criterion in defn.criteria
        for problem in _rating_problems(criterion, ratings.get(criterion.key))
    ]
    if invalid:
        raise ValueError(" ".join(problem.message for problem in invalid))

    with localcontext() as ctx:
        ctx.prec = 34
        ctx.rounding = ROUND_HALF_EVEN
        exact = [
            _score_criterion(defn, section.key, criterion, ratings.get(criterion.key))
            for section in defn.sections
            for criterion in section.criteria
        ]
        sections = []
        # (section score, section weight) pairs for the section-weighted combination.
        combination: list[tuple[Decimal, Decimal]] = []
        for section in defn.sections:
            score = _ratio(defn, [e for e in exact if e.result.section == section.key])
            sections.append(
                SectionResult(
                    key=section.key,
                    title=section.title,
                    score=_q(score),
                    weight=section.weight,
                    counted=score is not None,
                )
            )
            if score is not None:
                combination.append((score, section.weight or Decimal(0)))

        if defn.use_section_weights:
            # Sections with nothing counted are left out and the remaining weights renormalised.
            total_weight = sum((weight for _, weight in combination), Decimal(0))
            raw = (
                sum((score * weight for score, weight in combination), Decimal(0)) / total_weight
                if total_weight > 0
                else None
            )
        else:
            raw = _ratio(defn, exact)

    results = tuple(e.result for e in exact)
    fatal_failures = tuple(r.key for r in results if r.fatal_failed)
    raw_q = _q(raw)
    final = Decimal(0).quantize(QUANTUM) if fatal_failures else raw_q
    return ReviewScore(
        raw=raw_q,
        final=final,
        passed=None if final is None else final >= defn.pass_mark,
        fatal_failures=fatal_failures,
        criteria=results,
        sections=tuple(sections),
        unrated_required=tuple(r.key for r in results if r.scoring and r.unrated),
        scoring_mode=defn.scoring_mode,
        use_section_weights=defn.use_section_weights,
        pass_mark=defn.pass_mark,
    )


@dataclass(frozen=True)
class _Exact:
    """A criterion's result plus its unrounded share of the numerator and the denominator."""

    result: CriterionResult
    numerator: Decimal
    denominator: Decimal


def _score_criterion(
    defn: FrameworkDef, section_key: str, criterion: Criterion, rating: Rating | None
) -> _Exact:
    na = rating is not None and rating.na
    value = None if rating is None or na else rating.value
    unrated = value is None and not na
    option = None if value is None else criterion.option_for(value)
    counted = criterion.scoring and value is not None

    normalised = numerator = denominator = None
    if counted and value is not None:
        normalised = (value - criterion.minimum) / (criterion.maximum - criterion.minimum) * HUNDRED
        if defn.scoring_mode == "points":
            numerator = normalised / HUNDRED * criterion.points
            denominator = criterion.points
        else:
            numerator = normalised * criterion.weight
            denominator = criterion.weight

    result = CriterionResult(
        key=criterion.key,
        title=criterion.title,
        section=section_key,
        scoring=criterion.scoring,
        value=value,
        label=option.label if option else "",
        normalised=_q(normalised),
        weight=criterion.weight,
        points=criterion.points,
        earned=_q(numerator),
        minimum=criterion.minimum,
        maximum=criterion.maximum,
        na=na,
        unrated=unrated,
        counted=counted,
        # A fatal criterion rated N/A (or not yet rated) never triggers the override.
        fatal_failed=(
            criterion.scoring
            and criterion.is_fatal
            and normalised is not None
            and normalised < FATAL_THRESHOLD
        ),
    )
    return _Exact(result, numerator or Decimal(0), denominator or Decimal(0))


def _ratio(defn: FrameworkDef, exact: list[_Exact]) -> Decimal | None:
    """Σ(score * weight) / Σ(weight), or Σearned / Σpoints * 100, over the counted criteria.
    None when the denominator is 0: nothing counted (all N/A), or only weight-0 criteria."""
    counted = [e for e in exact if e.result.counted]
    denominator = sum((e.denominator for e in counted), Decimal(0))
    if denominator <= 0:
        return None
    numerator = sum((e.numerator for e in counted), Decimal(0))
    ratio = numerator / denominator
    return ratio * HUNDRED if defn.scoring_mode == "points" else ratio


def _q(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(QUANTUM, rounding=ROUND_HALF_UP)


# --- Submission checks ----------------------------------------------------------------------


def can_submit(defn: FrameworkDef, ratings: Mapping[str, Rating]) -> list[Problem]:
    """Why these ratings cannot be submitted yet; empty when they can."""
    problems = check_ratings(defn, ratings)
    for criterion in defn.criteria:
        rating = ratings.get(criterion.key)
        rated = rating is not None and (rating.na or rating.value is not None)
        if criterion.scoring and not rated:
            or_na = " or mark it N/A" if criterion.na_allowed else ""
            problems.append(
                Problem(criterion.key, f"Rate '{criterion.title}'{or_na} before submitting.")
            )
    return problems


def check_ratings(defn: FrameworkDef, ratings: Mapping[str, Rating]) -> list[Problem]:
    """What is wrong with these ratings as a draft: `can_submit`'s problems except "not rated
    yet" (unknown criteria, values that are not options, N/A where it is not allowed)."""
    known = {criterion.key for criterion in defn.criteria}
    problems = [
        Problem(key, f"There is no criterion '{key}' in this framework.")
        for key in ratings
        if key not in known
    ]
    for criterion in defn.criteria:
        problems.extend(_rating_problems(criterion, ratings.get(criterion.key)))
    return problems


def _rating_problems(criterion: Criterion, rating: Rating | None) -> list[Problem]:
    """What is wrong with a given rating (not being rated is checked by `can_submit`)."""
    if rating is None:
        return []
    title, problems = criterion.title, []
    if rating.na and rating.value is not None:
        problems.append(f"Choose a value or N/A for '{title}', not both.")
    if rating.na and not criterion.na_allowed:
        problems.append(f"'{title}' cannot be marked N/A.")
    if rating.value is not None and criterion.option_for(rating.value) is None:
        problems.append(f"{_number(rating.value)} is not one of the options for '{title}'.")
    return [Problem(criterion.key, message) for message in problems]


# --- Aggregates and display -----------------------------------------------------------------


def quality_score(finals: Iterable[Decimal | None]) -> Decimal | None:
    """A period's quality score: the plain mean of its reviews' final scores, each review once.
    Not-scored reviews (None) are left out; None when nothing is left."""
    return _mean(finals)


def criterion_average(normalised_scores: Iterable[Decimal | None]) -> Decimal | None:
    """A criterion's average: the plain mean of its criterion scores (N/A, None, left out). These
    are criterion scores, so a fatal failure elsewhere in a review never drags them down."""
    return _mean(normalised_scores)


def _mean(values: Iterable[Decimal | None]) -> Decimal | None:
    present = [value for value in values if value is not None]
    if not present:
        return None
    with localcontext() as ctx:
        ctx.prec = 34
        return _q(sum(present, Decimal(0)) / len(present))


def display(value: Decimal | float | int | None) -> str:
    """One decimal, half up, for people: 53.3333 → "53.3", 62.45 → "62.5". None → a dash."""
    if value is None:
        return NOT_SCORED
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    rounded = number.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return str(rounded + 0)  # + 0 turns -0.0 into 0.0


def _number(value: Decimal) -> str:
    """A weight, points or option value as written: 2, 2.5, 100 (no exponent, no trailing 0)."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


# --- Explanation ----------------------------------------------------------------------------


def _explain(score: ReviewScore) -> list[str]:
    lines: list[str] = []
    if score.use_section_weights:
        combination = []
        for section in score.sections:
            rows = [r for r in score.criteria if r.section == section.key]
            lines.extend(_criterion_lines(score, rows))
            if section.counted and section.score is not None:
                lines.append(f"Section {section.title}: {_sum_line(score, rows, section.score)}")
                combination.append(section)
            elif any(r.scoring for r in rows):
                lines.append(
                    f"Section {section.title}: nothing rated (left out; the other sections' "
                    "weights are renormalised)"
                )
        if combination and score.raw is not None:
            parts = " + ".join(
                f"{display(s.score)} {TIMES} {_number(s.weight or Decimal(0))}%"
                for s in combination
            )
            total = sum((s.weight or Decimal(0) for s in combination), Decimal(0))
            lines.append(f"Sections: ({parts}) / {_number(total)} = {display(score.raw)}")
    else:
        lines.extend(_criterion_lines(score, score.criteria))
        if score.raw is not None:
            lines.append(_sum_line(score, score.criteria, score.raw))

    if score.raw is None and not score.fatal_failures:
        lines.append("Nothing that counts towards the score was rated (all N/A) → not scored")
    if score.fatal_failures:
        titles = ", ".join(f"'{r.title}'" for r in score.criteria if r.fatal_failed)
        noun = "criterion" if len(score.fatal_failures) == 1 else "criteria"
        kept = f"raw {display(score.raw)} kept" if score.raw is not None else "no raw score"
        lines.append(f"Fatal {noun} {titles} failed → final score 0 ({kept})")
    if score.final is not None:
        verdict = "≥" if score.passed else "<"
        outcome = "passed" if score.passed else "not passed"
        lines.append(
            f"Final {display(score.final)} {verdict} pass mark {_number(score.pass_mark)} "
            f"→ {outcome}"
        )
    return lines


def _criterion_lines(score: ReviewScore, rows: Iterable[CriterionResult]) -> list[str]:
    return [line for line in (_criterion_line(score, r) for r in rows) if line]


def _criterion_line(score: ReviewScore, r: CriterionResult) -> str:
    if not r.scoring:
        return f"{r.title}: {r.label} (question only, not scored)" if r.label else ""
    if r.na:
        return f"N/A: {r.title} (left out of both sums)"
    if r.unrated:
        return f"Not rated yet: {r.title}"
    if r.value is None or r.normalised is None or r.earned is None:  # pragma: no cover - typing
        return ""
    if r.minimum == 0 and r.maximum == 1 and r.label:  # yes/no: the label says it best
        chosen = r.label
    else:
        chosen = f"{_number(r.value)} of {_number(r.minimum)}{DASH}{_number(r.maximum)}"
    if score.scoring_mode == "points":
        return (
            f"{r.title}: {chosen} → {display(r.normalised)}% of {_number(r.points)} points "
            f"= {display(r.earned)} points"
        )
    return (
        f"{r.title}: {chosen} → {display(r.normalised)} {TIMES} weight {_number(r.weight)} "
        f"= {display(r.earned)}"
    )


def _sum_line(score: ReviewScore, rows: Iterable[CriterionResult], result: Decimal) -> str:
    counted = [r for r in rows if r.counted]
    parts = " + ".join(display(r.earned) for r in counted)
    if score.scoring_mode == "points":
        total = sum((r.points for r in counted), Decimal(0))
        return f"({parts}) / {_number(total)} points {TIMES} 100 = {display(result)}"
    total = sum((r.weight for r in counted), Decimal(0))
    return f"({parts}) / {_number(total)} = {display(result)}"
