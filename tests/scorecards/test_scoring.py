"""Scoring a review: the rules and worked examples of DOMAIN.md §4 and the properties they imply."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from scorecards import framework_def as fd
from scorecards.scoring import (
    DASH,
    NOT_SCORED,
    QUANTUM,
    TIMES,
    Rating,
    ReviewScore,
    can_submit,
    check_ratings,
    criterion_average,
    display,
    quality_score,
    score_review,
)

D = Decimal
POINTS_0_TO_5 = tuple(fd.ScaleOption(D(v), f"{v} points") for v in range(6))


def crit(
    key: str,
    scale: str = "five",
    *,
    options: tuple[fd.ScaleOption, ...] | None = None,
    title: str | None = None,
    **kwargs: Any,
) -> fd.Criterion:
    return fd.Criterion(
        key=key,
        title=title if title is not None else key.replace("-", " ").capitalize(),
        guidance="",
        scale=scale,
        options=(fd.standard_options(scale) if options is None else options),
        **kwargs,
    )


def framework(*criteria: fd.Criterion, mode: str = "weighted", mark: str = "80") -> fd.FrameworkDef:
    return fd.FrameworkDef(
        name="Support standard",
        scoring_mode=mode,
        pass_mark=D(mark),
        use_section_weights=False,
        sections=(fd.Section("main", "Main", None, criteria),),
    )


def with_sections(
    *sections: tuple[str, str | None, tuple[fd.Criterion, ...]],
    mode: str = "weighted",
    mark: str = "80",
) -> fd.FrameworkDef:
    return fd.FrameworkDef(
        name="Sectioned",
        scoring_mode=mode,
        pass_mark=D(mark),
        use_section_weights=True,
        sections=tuple(
            fd.Section(key, key.capitalize(), None if weight is None else D(weight), criteria)
            for key, weight, criteria in sections
        ),
    )


def rate(**values: int | str | None) -> dict[str, Rating]:
    """rate(empathy=4, refund="na", greeting=None): ratings by key; "na" marks N/A."""
    ratings = {}
    for key, value in values.items():
        key = key.replace("_", "-")
        if value == "na":
            ratings[key] = Rating(key, None, na=True)
        else:
            ratings[key] = Rating(key, None if value is None else D(value))
    return ratings


def plain(lines: list[str]) -> list[str]:
    """Explanation lines with the times sign and the dash as x and -, to compare in ASCII."""
    return [line.replace(TIMES, "x").replace(DASH, "-") for line in lines]


def result(score: ReviewScore, key: str) -> Any:
    return next(r for r in score.criteria if r.key == key)


# --- DOMAIN.md worked examples --------------------------------------------------------------


def weighted_example() -> fd.FrameworkDef:
    """Weights 2, 1, 1 on three different scales."""
    return framework(
        crit("greets", "yes_no", title="Greets the customer", weight=D(2)),
        crit("empathy", "five", title="Shows empathy"),
        crit("resolves", "three", title="Resolves at first contact"),
    )


def test_weighted_example_scores_100_50_0_with_weights_2_1_1_as_62_5() -> None:
    score = score_review(weighted_example(), rate(greets=1, empathy=3, resolves=1))
    assert [result(score, k).normalised for k in ("greets", "empathy", "resolves")] == [
        D(100),
        D(50),
        D(0),
    ]
    assert score.raw == D("62.5")
    assert score.final == D("62.5")
    assert score.passed is False
    assert display(score.final) == "62.5"


def test_weighted_example_explains_its_arithmetic() -> None:
    score = score_review(weighted_example(), rate(greets=1, empathy=3, resolves=1))
    assert plain(score.explanation()) == [
        "Greets the customer: Yes → 100.0 x weight 2 = 200.0",
        "Shows empathy: 3 of 1-5 → 50.0 x weight 1 = 50.0",
        "Resolves at first contact: 1 of 1-3 → 0.0 x weight 1 = 0.0",
        "(200.0 + 50.0 + 0.0) / 4 = 62.5",
        "Final 62.5 < pass mark 80 → not passed",
    ]


def points_example() -> fd.FrameworkDef:
    """35 points on mixed scales: yes/no (10), a points scale (5), 5-point (8), yes/no (12)."""
    return framework(
        crit("verifies", "yes_no", title="Verifies identity", points=D(10)),
        crit(
            "refund-policy",
            "points",
            title="Follows the refund policy",
            options=POINTS_0_TO_5,
            points=D(5),
            na_allowed=True,
        ),
        crit("empathy", "five", title="Shows empathy", points=D(8)),
        crit("resolves", "yes_no", title="Resolves at first contact", points=D(12)),
        mode="points",
        mark="55",
    )


def test_points_example_21_of_35_is_60() -> None:
    ratings = rate(verifies=1, refund_policy=5, empathy=4, resolves=0)
    score = score_review(points_example(), ratings)
    assert [
        result(score, k).earned for k in ("verifies", "refund-policy", "empathy", "resolves")
    ] == [
        D(10),
        D(5),
        D(6),
        D(0),
    ]
    assert score.raw == D(60)
    assert display(score.raw) == "60.0"
    assert score.passed is True


def test_points_example_with_the_5_point_criterion_na_is_16_of_30_which_shows_as_53_3() -> None:
    ratings = rate(verifies=1, refund_policy="na", empathy=4, resolves=0)
    score = score_review(points_example(), ratings)
    assert score.raw == D("53.3333")
    assert score.final == D("53.3333")
    assert display(score.final) == "53.3"
    assert score.passed is False
    refund = result(score, "refund-policy")
    assert refund.na and not refund.counted and refund.earned is None


def test_points_example_explains_the_na_and_the_sums() -> None:
    ratings = rate(verifies=1, refund_policy="na", empathy=4, resolves=0)
    assert plain(score_review(points_example(), ratings).explanation()) == [
        "Verifies identity: Yes → 100.0% of 10 points = 10.0 points",
        "N/A: Follows the refund policy (left out of both sums)",
        "Shows empathy: 4 of 1-5 → 75.0% of 8 points = 6.0 points",
        "Resolves at first contact: No → 0.0% of 12 points = 0.0 points",
        "(10.0 + 6.0 + 0.0) / 30 points x 100 = 53.3",
        "Final 53.3 < pass mark 55 → not passed",
    ]


def test_quality_score_is_the_plain_mean_of_final_scores() -> None:
    finals = [D(100), D("9.91"), D("63.96"), D("90.99"), D(0)]
    score = quality_score(finals)
    assert score == D("52.972")
    assert score is not None and score.quantize(D("0.01")) == D("52.97")


# --- Normalised criterion scores ------------------------------------------------------------


@pytest.mark.parametrize(
    ("scale", "expected"),
    [
        ("yes_no", {0: "0", 1: "100"}),
        ("three", {1: "0", 2: "50", 3: "100"}),
        ("four", {1: "0", 2: "33.3333", 3: "66.6667", 4: "100"}),
        ("five", {1: "0", 2: "25", 3: "50", 4: "75", 5: "100"}),
    ],
)
def test_a_criterion_score_is_its_place_between_the_scale_minimum_and_maximum(
    scale: str, expected: dict[int, str]
) -> None:
    defn = framework(crit("a", scale))
    for value, normalised in expected.items():
        score = score_review(defn, rate(a=value))
        assert result(score, "a").normalised == D(normalised)
        assert score.raw == D(normalised)


def test_a_points_scale_need_not_start_at_zero_or_be_evenly_spaced() -> None:
    options = (
        fd.ScaleOption(D(2), "Poor"),
        fd.ScaleOption(D(3), "Ok"),
        fd.ScaleOption(D(10), "Top"),
    )
    score = score_review(framework(crit("a", "points", options=options)), rate(a=3))
    assert result(score, "a").normalised == D("12.5")


def test_every_score_is_quantised_to_four_decimal_places() -> None:
    score = score_review(framework(crit("a", "four"), crit("b", "four")), rate(a=2, b=2))
    assert score.raw == D("33.3333")
    for figure in (score.raw, score.final, score.sections[0].score, result(score, "a").normalised):
        assert figure is not None and figure.as_tuple().exponent == QUANTUM.as_tuple().exponent


# --- Edge cases -----------------------------------------------------------------------------


def test_a_single_criterion_framework_scores_that_criterion() -> None:
    defn = framework(crit("only", "five"))
    assert score_review(defn, rate(only=4)).raw == D(75)
    assert score_review(defn, rate(only=1)).final == D(0)


def test_all_na_means_not_scored() -> None:
    defn = framework(crit("a", na_allowed=True), crit("b", "yes_no", na_allowed=True))
    score = score_review(defn, rate(a="na", b="na"))
    assert (score.raw, score.final, score.passed) == (None, None, None)
    assert score.unrated_required == ()
    assert all(not s.counted and s.score is None for s in score.sections)
    assert plain(score.explanation()) == [
        "N/A: A (left out of both sums)",
        "N/A: B (left out of both sums)",
        "Nothing that counts towards the score was rated (all N/A) → not scored",
    ]


def test_all_na_in_points_mode_means_not_scored() -> None:
    defn = framework(crit("a", points=D(5), na_allowed=True), mode="points")
    score = score_review(defn, rate(a="na"))
    assert (score.raw, score.final, score.passed) == (None, None, None)


def test_na_leaves_both_sums_in_weighted_mode() -> None:
    defn = framework(crit("a", weight=D(3)), crit("b", weight=D(1), na_allowed=True))
    assert score_review(defn, rate(a=4, b="na")).raw == D(75)


def test_a_zero_weight_criterion_changes_nothing() -> None:
    defn = framework(crit("a", weight=D(2)), crit("b", weight=D(1)), crit("z", weight=D(0)))
    low = score_review(defn, rate(a=5, b=3, z=1))
    high = score_review(defn, rate(a=5, b=3, z=5))
    assert low.raw == high.raw == D("83.3333")
    assert result(low, "z").counted and result(low, "z").earned == D(0)


def test_when_only_zero_weight_criteria_are_rated_the_review_is_not_scored() -> None:
    defn = framework(crit("a", na_allowed=True), crit("z", weight=D(0)))
    score = score_review(defn, rate(a="na", z=5))
    assert (score.raw, score.final, score.passed) == (None, None, None)


def test_mixed_scales_in_weighted_mode() -> None:
    defn = framework(
        crit("a", "yes_no", weight=D(1)),
        crit("b", "five", weight=D(2)),
        crit("c", "points", options=POINTS_0_TO_5, weight=D(1)),
    )
    # (100*1 + 75*2 + 40*1) / 4 = 72.5
    assert score_review(defn, rate(a=1, b=4, c=2)).raw == D("72.5")


def test_unrated_criteria_are_left_out_of_the_running_score_and_listed() -> None:
    defn = framework(crit("a"), crit("b"), crit("c", "yes_no"), crit("q", "three", scoring=False))
    score = score_review(defn, rate(a=5))
    assert score.raw == D(100)
    assert score.unrated_required == ("b", "c")
    assert result(score, "b").unrated and not result(score, "b").counted
    assert "Not rated yet: B" in plain(score.explanation())


def test_nothing_rated_at_all_is_not_scored() -> None:
    score = score_review(framework(crit("a"), crit("b")), {})
    assert (score.raw, score.final, score.passed) == (None, None, None)
    assert score.unrated_required == ("a", "b")


def test_ratings_for_unknown_keys_are_ignored_by_scoring() -> None:
    defn = framework(crit("a"))
    assert score_review(defn, {**rate(a=4), **rate(ghost=1)}).raw == D(75)


def test_scoring_refuses_a_value_that_is_not_an_option() -> None:
    with pytest.raises(ValueError, match="6 is not one of the options for 'A'"):
        score_review(framework(crit("a")), rate(a=6))


def test_scoring_refuses_na_where_it_is_not_allowed() -> None:
    with pytest.raises(ValueError, match="'A' cannot be marked N/A"):
        score_review(framework(crit("a")), rate(a="na"))


@pytest.mark.parametrize(("final", "passed"), [(3, True), (2, False)])
def test_a_review_passes_at_exactly_the_pass_mark(final: int, passed: bool) -> None:
    defn = framework(crit("a", "five"), mark="50")
    assert score_review(defn, rate(a=final)).passed is passed


def test_the_pass_mark_compares_against_the_stored_four_decimal_score() -> None:
    defn = framework(crit("a", "four"), crit("b", "four"), mark="33.3333")
    assert score_review(defn, rate(a=2, b=2)).passed is True


# --- Non-scoring questions ------------------------------------------------------------------


def test_a_non_scoring_question_never_changes_anything() -> None:
    question = crit("contact-reason", "three", title="Contact reason", scoring=False)
    defn = framework(crit("a", weight=D(2)), question, crit("b"))
    unanswered = score_review(defn, rate(a=5, b=1))
    for answer in (1, 2, 3):
        answered = score_review(defn, rate(a=5, b=1, contact_reason=answer))
        assert (answered.raw, answered.final, answered.passed) == (
            unanswered.raw,
            unanswered.final,
            unanswered.passed,
        )
        reason = result(answered, "contact-reason")
        assert not reason.counted and reason.normalised is None and reason.earned is None
    assert unanswered.raw == D("66.6667")
    assert unanswered.unrated_required == ()


def test_a_non_scoring_question_shows_its_answer_in_the_explanation() -> None:
    question = crit("contact-reason", "three", title="Contact reason", scoring=False)
    score = score_review(framework(crit("a"), question), rate(a=5, contact_reason=2))
    assert "Contact reason: Meets standard (question only, not scored)" in plain(
        score.explanation()
    )


# --- Fatal criteria -------------------------------------------------------------------------


def fatal_example() -> fd.FrameworkDef:
    return framework(
        crit(
            "verifies",
            "yes_no",
            title="Verifies identity",
            severity="fatal",
            na_allowed=True,
            na_rule="No account was discussed.",
        ),
        crit("greets", "yes_no", title="Greets the customer", weight=D(2)),
        crit("empathy", "five", title="Shows empathy"),
        crit("resolves", "three", title="Resolves at first contact"),
        mark="50",
    )


def test_a_passed_fatal_criterion_scores_like_any_other() -> None:
    score = score_review(fatal_example(), rate(verifies=1, greets=1, empathy=3, resolves=1))
    assert score.raw == score.final == D(70)  # (100 + 200 + 50 + 0) / 5
    assert score.fatal_failures == ()
    assert score.passed is True


def test_a_failed_fatal_criterion_makes_the_final_score_0_and_keeps_the_raw_score() -> None:
    score = score_review(fatal_example(), rate(verifies=0, greets=1, empathy=5, resolves=3))
    assert score.raw == D(80)  # (0 + 200 + 100 + 100) / 5
    assert score.final == D(0)
    assert score.passed is False
    assert score.fatal_failures == ("verifies",)
    assert result(score, "verifies").fatal_failed
    assert "Fatal criterion 'Verifies identity' failed → final score 0 (raw 80.0 kept)" in (
        plain(score.explanation())
    )
    assert plain(score.explanation())[-1] == "Final 0.0 < pass mark 50 → not passed"


def test_fatal_failure_explanation_matches_the_documented_wording() -> None:
    defn = framework(
        crit("verifies", "yes_no", title="Verifies identity", severity="fatal", weight=D(0)),
        *weighted_example().criteria,
    )
    score = score_review(defn, rate(verifies=0, greets=1, empathy=3, resolves=1))
    assert (score.raw, score.final) == (D("62.5"), D(0))
    assert "Fatal criterion 'Verifies identity' failed → final score 0 (raw 62.5 kept)" in (
        plain(score.explanation())
    )


def test_a_fatal_criterion_rated_na_does_not_trigger_the_override() -> None:
    score = score_review(fatal_example(), rate(verifies="na", greets=1, empathy=3, resolves=1))
    assert score.raw == score.final == D("62.5")
    assert score.fatal_failures == ()
    assert not result(score, "verifies").fatal_failed


def test_an_unrated_fatal_criterion_does_not_trigger_but_blocks_submission() -> None:
    score = score_review(fatal_example(), rate(greets=1, empathy=3, resolves=1))
    assert score.final == D("62.5")
    assert score.unrated_required == ("verifies",)


@pytest.mark.parametrize(("value", "fails"), [(1, True), (2, True), (3, False), (4, False)])
def test_a_fatal_criterion_on_a_scale_fails_below_half_of_it(value: int, fails: bool) -> None:
    defn = framework(crit("a"), crit("f", "five", severity="fatal"))
    score = score_review(defn, rate(a=5, f=value))
    assert (score.final == 0) is fails
    assert score.fatal_failures == (("f",) if fails else ())


def test_several_fatal_failures_are_all_listed() -> None:
    defn = framework(
        crit("a", "yes_no", title="Verifies identity", severity="fatal"),
        crit("b", "yes_no", title="Reads the disclosure", severity="fatal"),
        crit("c"),
    )
    score = score_review(defn, rate(a=0, b=0, c=5))
    assert score.fatal_failures == ("a", "b")
    assert (
        "Fatal criteria 'Verifies identity', 'Reads the disclosure' failed → final score 0 "
        "(raw 33.3 kept)"
    ) in plain(score.explanation())


def test_a_critical_criterion_is_scored_like_the_rest() -> None:
    defn = framework(crit("a", "yes_no", severity="critical"), crit("b"))
    score = score_review(defn, rate(a=0, b=5))
    assert (score.raw, score.final, score.fatal_failures) == (D(50), D(50), ())


def test_a_fatal_failure_zeroes_the_final_score_in_points_mode_too() -> None:
    defn = framework(
        crit("a", "yes_no", severity="fatal", points=D(5)), crit("b", points=D(10)), mode="points"
    )
    score = score_review(defn, rate(a=0, b=5))
    assert (score.raw, score.final) == (D("66.6667"), D(0))


# --- Section weights ------------------------------------------------------------------------


def sectioned_example(mode: str = "weighted") -> fd.FrameworkDef:
    return with_sections(
        (
            "opening",
            "60",
            (
                crit("greets", "yes_no", title="Greets the customer", points=D(5)),
                crit("empathy", "five", title="Shows empathy", weight=D(3), points=D(10)),
            ),
        ),
        (
            "closing",
            "40",
            (
                crit("summary", "five", title="Summarises", na_allowed=True, points=D(5)),
                crit(
                    "next-steps", "yes_no", title="Agrees next steps", na_allowed=True, points=D(5)
                ),
            ),
        ),
        mode=mode,
    )


def test_section_weights_combine_section_scores_by_percentage() -> None:
    score = score_review(sectioned_example(), rate(greets=1, empathy=3, summary=4, next_steps=1))
    opening, closing = score.sections
    assert opening.score == D("62.5")  # (100 + 50*3) / 4
    assert closing.score == D("87.5")  # (75 + 100) / 2
    assert score.raw == D("72.5")  # 62.5 * 60% + 87.5 * 40%
    assert plain(score.explanation())[-2:] == [
        "Sections: (62.5 x 60% + 87.5 x 40%) / 100 = 72.5",
        "Final 72.5 < pass mark 80 → not passed",
    ]


def test_section_weights_differ_from_pooling_every_criterion() -> None:
    pooled = dataclasses.replace(sectioned_example(), use_section_weights=False)
    ratings = rate(greets=1, empathy=3, summary=4, next_steps=1)
    assert score_review(pooled, ratings).raw == D("70.8333")  # (100+150+75+100)/6
    assert score_review(sectioned_example(), ratings).raw == D("72.5")


def test_an_all_na_section_leaves_the_combination_and_the_weights_renormalise() -> None:
    score = score_review(
        sectioned_example(), rate(greets=1, empathy=3, summary="na", next_steps="na")
    )
    opening, closing = score.sections
    assert (closing.score, closing.counted) == (None, False)
    assert opening.counted
    assert score.raw == D("62.5")  # 62.5 * 60 / 60
    assert (
        "Section Closing: nothing rated (left out; the other sections' weights are renormalised)"
        in (plain(score.explanation()))
    )
    assert "Sections: (62.5 x 60%) / 60 = 62.5" in plain(score.explanation())


def test_section_weights_work_in_points_mode() -> None:
    score = score_review(
        sectioned_example("points"), rate(greets=0, empathy=5, summary=3, next_steps=1)
    )
    opening, closing = score.sections
    assert opening.score == D("66.6667")  # 10 / 15
    assert closing.score == D(75)  # (2.5 + 5) / 10
    assert score.raw == D(70)  # 66.6667 * 60% + 75 * 40%, rounded once at the end


def test_a_fatal_failure_in_one_section_zeroes_the_whole_review() -> None:
    defn = with_sections(
        ("one", "50", (crit("a"),)),
        ("two", "50", (crit("f", "yes_no", severity="fatal"),)),
    )
    score = score_review(defn, rate(a=5, f=0))
    assert (score.raw, score.final) == (D(50), D(0))


def test_sections_are_scored_even_without_section_weights() -> None:
    defn = dataclasses.replace(sectioned_example(), use_section_weights=False)
    score = score_review(defn, rate(greets=1, empathy=3, summary=4, next_steps=1))
    assert [s.score for s in score.sections] == [D("62.5"), D("87.5")]


def test_a_questions_only_section_is_never_counted() -> None:
    defn = with_sections(
        ("main", "100", (crit("a"),)),
        ("context", None, (crit("reason", "three", scoring=False),)),
    )
    score = score_review(defn, rate(a=4, reason=2))
    assert score.raw == D(75)
    assert [s.counted for s in score.sections] == [True, False]
    assert not any(line.startswith("Section Context") for line in plain(score.explanation()))


# --- Submission -----------------------------------------------------------------------------


def submission_example() -> fd.FrameworkDef:
    return framework(
        crit("a", title="Shows empathy"),
        crit("b", "yes_no", title="Follows the refund policy", na_allowed=True),
        crit("q", "three", title="Contact reason", scoring=False),
    )


def test_complete_ratings_can_be_submitted() -> None:
    assert can_submit(submission_example(), rate(a=4, b="na")) == []
    assert can_submit(submission_example(), rate(a=4, b=1, q=3)) == []


def test_every_scoring_criterion_must_be_rated_or_na_before_submitting() -> None:
    problems = can_submit(submission_example(), rate(b=None))
    assert [(p.where, p.message) for p in problems] == [
        ("a", "Rate 'Shows empathy' before submitting."),
        ("b", "Rate 'Follows the refund policy' or mark it N/A before submitting."),
    ]


def test_na_is_refused_where_the_criterion_does_not_allow_it() -> None:
    problems = can_submit(submission_example(), rate(a="na", b=1))
    assert [(p.where, p.message) for p in problems] == [
        ("a", "'Shows empathy' cannot be marked N/A.")
    ]


def test_a_value_that_is_not_an_option_is_refused() -> None:
    problems = can_submit(submission_example(), rate(a=7, b=1, q=9))
    assert [(p.where, p.message) for p in problems] == [
        ("a", "7 is not one of the options for 'Shows empathy'."),
        ("q", "9 is not one of the options for 'Contact reason'."),
    ]


def test_a_value_and_na_together_are_refused() -> None:
    ratings = {"a": Rating("a", D(4)), "b": Rating("b", D(1), na=True)}
    problems = can_submit(submission_example(), ratings)
    assert [(p.where, p.message) for p in problems] == [
        ("b", "Choose a value or N/A for 'Follows the refund policy', not both.")
    ]


def test_ratings_for_unknown_criteria_are_refused() -> None:
    problems = can_submit(submission_example(), rate(a=4, b=1, ghost=2))
    assert [(p.where, p.message) for p in problems] == [
        ("ghost", "There is no criterion 'ghost' in this framework.")
    ]


def test_a_draft_may_leave_criteria_unrated_but_not_rate_them_wrongly() -> None:
    assert check_ratings(submission_example(), {}) == []
    assert check_ratings(submission_example(), rate(a=4)) == []
    problems = check_ratings(submission_example(), rate(a="na", b=2, ghost=1))
    assert [(p.where, p.message) for p in problems] == [
        ("ghost", "There is no criterion 'ghost' in this framework."),
        ("a", "'Shows empathy' cannot be marked N/A."),
        ("b", "2 is not one of the options for 'Follows the refund policy'."),
    ]


def test_submission_checks_are_the_draft_checks_plus_every_criterion_rated() -> None:
    ratings = rate(a="na", ghost=1)
    draft = check_ratings(submission_example(), ratings)
    submit = can_submit(submission_example(), ratings)
    assert submit[: len(draft)] == draft
    assert [p.where for p in submit[len(draft) :]] == ["b"]


def test_an_option_value_written_differently_is_still_that_option() -> None:
    ratings = {"a": Rating("a", D("4.000")), "b": Rating("b", D("1.0"))}
    assert can_submit(submission_example(), ratings) == []
    assert score_review(submission_example(), ratings).raw == D("87.5")


# --- Aggregates and display -----------------------------------------------------------------


def test_quality_score_leaves_out_not_scored_reviews_and_is_none_for_none() -> None:
    assert quality_score([D(80), None, D(60)]) == D(70)
    assert quality_score([]) is None
    assert quality_score([None]) is None


def test_quality_score_counts_a_fatal_zero_as_a_zero() -> None:
    assert quality_score([D(100), D(0)]) == D(50)


def test_criterion_average_ignores_the_fatal_override() -> None:
    defn = framework(crit("f", "yes_no", severity="fatal"), crit("empathy"))
    reviews = [
        score_review(defn, rate(f=1, empathy=5)),
        score_review(defn, rate(f=0, empathy=4)),  # final 0: fatal failure
    ]
    empathy = [result(r, "empathy").normalised for r in reviews]
    assert [r.final for r in reviews] == [D(100), D(0)]
    assert criterion_average(empathy) == D("87.5")
    assert quality_score([r.final for r in reviews]) == D(50)


def test_criterion_average_leaves_out_na_and_is_none_when_empty() -> None:
    assert criterion_average([D(100), None, D(50), D(0)]) == D(50)
    assert criterion_average([None, None]) is None
    assert criterion_average([]) is None


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (D("53.3333"), "53.3"),
        (D("62.45"), "62.5"),
        (D("62.44999"), "62.4"),
        (D("0.05"), "0.1"),
        (D("52.972"), "53.0"),
        (D(100), "100.0"),
        (D(0), "0.0"),
        (D("-0.04"), "0.0"),
        (D("-12.35"), "-12.4"),
        (62.45, "62.5"),
        (7, "7.0"),
        (None, NOT_SCORED),
    ],
)
def test_display_rounds_half_up_to_one_decimal(value: Decimal | float | None, shown: str) -> None:
    assert display(value) == shown


# --- Properties -----------------------------------------------------------------------------

SCALE_OPTIONS = {
    "yes_no": fd.yes_no_options(),
    "three": fd.point_scale(3),
    "four": fd.point_scale(4),
    "five": fd.point_scale(5),
    "points": POINTS_0_TO_5,
}


@st.composite
def criteria(draw: st.DrawFn, key: str) -> fd.Criterion:
    scale = draw(st.sampled_from(sorted(SCALE_OPTIONS)))
    scoring = draw(st.integers(0, 5)) > 0  # mostly scoring
    return fd.Criterion(
        key=key,
        title=key.upper(),
        guidance="",
        scale=scale,
        options=SCALE_OPTIONS[scale],
        weight=D(draw(st.integers(0, 5))),
        points=D(draw(st.integers(1, 10))),
        na_allowed=True,
        na_rule="When it does not apply.",
        severity=draw(st.sampled_from(["normal", "critical", "fatal"])) if scoring else "normal",
        scoring=scoring,
    )


@st.composite
def frameworks(draw: st.DrawFn, *, section_weights: bool | None = None) -> fd.FrameworkDef:
    use_weights = draw(st.booleans()) if section_weights is None else section_weights
    sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    cuts = sorted(
        draw(st.lists(st.integers(0, 100), min_size=len(sizes) - 1, max_size=len(sizes) - 1))
    )
    weights = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    sections = []
    for s, (size, weight) in enumerate(zip(sizes, weights, strict=True)):
        items = tuple(draw(criteria(f"s{s}-c{c}")) for c in range(size))
        sections.append(
            fd.Section(f"s{s}", f"Section {s}", D(weight) if use_weights else None, items)
        )
    return fd.FrameworkDef(
        name="Generated",
        scoring_mode=draw(st.sampled_from(fd.SCORING_MODES)),
        pass_mark=D(draw(st.integers(0, 100))),
        use_section_weights=use_weights,
        sections=tuple(sections),
    )


@st.composite
def rating_for(draw: st.DrawFn, criterion: fd.Criterion, *, unrated: bool = True) -> Rating:
    choices = [
        st.sampled_from([o.value for o in criterion.options]).map(
            lambda v: Rating(criterion.key, v)
        ),
        st.just(Rating(criterion.key, None, na=True)),
    ]
    if unrated:
        choices.append(st.just(Rating(criterion.key, None)))
    return draw(st.one_of(*choices))


@st.composite
def reviews(draw: st.DrawFn, **kwargs: Any) -> tuple[fd.FrameworkDef, dict[str, Rating]]:
    defn = draw(frameworks(**kwargs))
    return defn, {c.key: draw(rating_for(c)) for c in defn.criteria}


def outcome(score: ReviewScore) -> tuple[Decimal | None, Decimal | None, bool | None]:
    return score.raw, score.final, score.passed


@given(reviews())
def test_every_score_lies_between_0_and_100(
    review: tuple[fd.FrameworkDef, dict[str, Rating]],
) -> None:
    defn, ratings = review
    score = score_review(defn, ratings)
    for figure in (score.raw, score.final, *(s.score for s in score.sections)):
        assert figure is None or 0 <= figure <= 100
    for r in score.criteria:
        assert r.normalised is None or 0 <= r.normalised <= 100
    assert score.final in (None, D(0), score.raw)
    assert (score.final == 0 and score.raw != 0) <= bool(score.fatal_failures)
    assert score.passed == (None if score.final is None else score.final >= defn.pass_mark)
    assert isinstance(score.explanation(), list)


@given(reviews(), st.data())
def test_adding_an_na_criterion_changes_nothing(
    review: tuple[fd.FrameworkDef, dict[str, Rating]], data: st.DataObject
) -> None:
    defn, ratings = review
    extra = data.draw(criteria("extra"))
    where = data.draw(st.integers(0, len(defn.sections) - 1))
    section = defn.sections[where]
    grown = dataclasses.replace(section, criteria=(*section.criteria, extra))
    bigger = dataclasses.replace(
        defn, sections=(*defn.sections[:where], grown, *defn.sections[where + 1 :])
    )
    with_na = {**ratings, "extra": Rating("extra", None, na=True)}
    assert outcome(score_review(bigger, with_na)) == outcome(score_review(defn, ratings))


@given(reviews(), st.data())
def test_raising_one_rating_never_lowers_the_raw_score(
    review: tuple[fd.FrameworkDef, dict[str, Rating]], data: st.DataObject
) -> None:
    defn, ratings = review
    rated = [c for c in defn.criteria if ratings[c.key].value is not None]
    assume(rated)
    criterion = data.draw(st.sampled_from(rated))
    current = ratings[criterion.key].value
    higher = [o.value for o in criterion.options if current is not None and o.value > current]
    assume(higher)
    raised = {**ratings, criterion.key: Rating(criterion.key, data.draw(st.sampled_from(higher)))}
    before, after = score_review(defn, ratings).raw, score_review(defn, raised).raw
    assert (before is None) == (after is None)
    if before is not None and after is not None:
        assert after >= before


@given(reviews(section_weights=False))
def test_one_section_weighted_100_scores_the_same_as_plain_mode(
    review: tuple[fd.FrameworkDef, dict[str, Rating]],
) -> None:
    defn, ratings = review
    everything = tuple(c for s in defn.sections for c in s.criteria)
    plain = dataclasses.replace(defn, sections=(fd.Section("all", "All", None, everything),))
    weighted = dataclasses.replace(
        plain,
        use_section_weights=True,
        sections=(fd.Section("all", "All", D(100), everything),),
    )
    assert outcome(score_review(weighted, ratings)) == outcome(score_review(plain, ratings))


@settings(max_examples=200)
@given(
    st.sampled_from([1, 2, 4, 5, 10]),
    st.sampled_from(fd.SCORING_MODES),
    st.data(),
)
def test_equal_section_weights_over_single_criterion_sections_equal_plain_mode(
    k: int, mode: str, data: st.DataObject
) -> None:
    # Each section holds one criterion of equal weight (or points), so plain mode is the mean of
    # the rated criteria, and equal section weights (renormalised over N/A sections) are too.
    items = [
        dataclasses.replace(data.draw(criteria(f"c{i}")), weight=D(1), points=D(4), scoring=True)
        for i in range(k)
    ]
    plain = fd.FrameworkDef(
        "Plain", mode, D(50), False, (fd.Section("all", "All", None, tuple(items)),)
    )
    even = fd.FrameworkDef(
        "Even",
        mode,
        D(50),
        True,
        tuple(fd.Section(f"s{i}", f"S{i}", D(100) / k, (c,)) for i, c in enumerate(items)),
    )
    ratings = {c.key: data.draw(rating_for(c, unrated=False)) for c in items}
    assert outcome(score_review(even, ratings)) == outcome(score_review(plain, ratings))
