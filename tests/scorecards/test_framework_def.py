"""The framework definition: standard scales, JSON round trip and publish-time validation."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorecards import framework_def as fd

D = Decimal


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
        options=fd.standard_options(scale) if options is None else options,
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


def sectioned(*sections: tuple[str, str | None, tuple[fd.Criterion, ...]]) -> fd.FrameworkDef:
    return fd.FrameworkDef(
        name="Sectioned",
        scoring_mode="weighted",
        pass_mark=D(80),
        use_section_weights=True,
        sections=tuple(
            fd.Section(key, key.capitalize(), None if weight is None else D(weight), criteria)
            for key, weight, criteria in sections
        ),
    )


def full_definition() -> fd.FrameworkDef:
    """Every field set to something other than its default."""
    return fd.FrameworkDef(
        name="Everything",
        scoring_mode="points",
        pass_mark=D("82.50"),
        use_section_weights=True,
        sections=(
            fd.Section(
                "opening",
                "Opening",
                D("40.0"),
                (
                    fd.Criterion(
                        key="verify-identity",
                        title="Verifies identity",
                        guidance="Two security questions.",
                        scale="yes_no",
                        options=fd.yes_no_options(),
                        weight=D("1.50"),
                        points=D(5),
                        na_allowed=True,
                        na_rule="The customer did not ask about their account.",
                        severity="fatal",
                    ),
                ),
            ),
            fd.Section(
                "resolution",
                "Resolution",
                D("60.0"),
                (
                    fd.Criterion(
                        key="empathy",
                        title="Shows empathy",
                        guidance="In the customer's words.",
                        scale="points",
                        options=(
                            fd.ScaleOption(D("0"), "None", "No acknowledgement."),
                            fd.ScaleOption(D("2.5"), "Some"),
                            fd.ScaleOption(D("5.00"), "Full", "Names the feeling."),
                        ),
                        points=D("5.00"),
                        severity="critical",
                        root_causes=("Knowledge gap", "Behaviour"),
                    ),
                    crit("contact-reason", "three", scoring=False),
                ),
            ),
        ),
    )


def messages(problems: list[fd.Problem]) -> str:
    return " | ".join(f"{p.where}: {p.message}" for p in problems)


# --- Standard scales ------------------------------------------------------------------------


def test_yes_no_options_are_yes_one_and_no_zero() -> None:
    assert [(o.value, o.label) for o in fd.yes_no_options()] == [(D(1), "Yes"), (D(0), "No")]


@pytest.mark.parametrize("n", [3, 4, 5])
def test_point_scale_runs_from_one_to_n_with_a_label_for_each(n: int) -> None:
    options = fd.point_scale(n)
    assert [o.value for o in options] == [D(v) for v in range(1, n + 1)]
    assert all(o.label for o in options)
    assert len({o.label for o in options}) == n


@pytest.mark.parametrize("n", [1, 2, 6, 10])
def test_there_is_no_standard_scale_other_than_three_four_or_five_points(n: int) -> None:
    with pytest.raises(ValueError, match="3, 4 or 5"):
        fd.point_scale(n)


def test_standard_options_name_the_same_scales_the_helpers_build() -> None:
    assert fd.standard_options("yes_no") == fd.yes_no_options()
    assert fd.standard_options("three") == fd.point_scale(3)
    assert fd.standard_options("four") == fd.point_scale(4)
    assert fd.standard_options("five") == fd.point_scale(5)
    assert fd.standard_options("points") == ()
    with pytest.raises(ValueError, match="Unknown scale"):
        fd.standard_options("seven")


# --- The dataclasses ------------------------------------------------------------------------


def test_criterion_minimum_and_maximum_come_from_its_option_values() -> None:
    criterion = crit("x", "points", options=(fd.ScaleOption(D(4), "a"), fd.ScaleOption(D(0), "b")))
    assert (criterion.minimum, criterion.maximum) == (D(0), D(4))
    assert (crit("y").minimum, crit("y").maximum) == (D(1), D(5))


def test_a_criterion_without_options_has_no_minimum() -> None:
    with pytest.raises(ValueError, match="no options"):
        _ = crit("x", "points").minimum


def test_only_a_fatal_criterion_is_fatal() -> None:
    assert crit("a", severity="fatal").is_fatal
    assert not crit("b", severity="critical").is_fatal
    assert not crit("c").is_fatal


def test_option_for_matches_values_numerically() -> None:
    criterion = crit("x")
    option = criterion.option_for(D("4.000"))
    assert option is not None and option.value == D(4)
    assert criterion.option_for(D(6)) is None


def test_criteria_are_flattened_in_reading_order_and_questions_are_not_scoring() -> None:
    defn = full_definition()
    assert [c.key for c in defn.criteria] == ["verify-identity", "empathy", "contact-reason"]
    assert [c.key for c in defn.scoring_criteria] == ["verify-identity", "empathy"]
    assert defn.criterion("empathy").title == "Shows empathy"
    with pytest.raises(KeyError):
        defn.criterion("missing")


def test_definitions_are_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        full_definition().name = "Changed"  # type: ignore[misc]


# --- JSON -----------------------------------------------------------------------------------


def test_json_round_trip_is_exact_including_decimal_places() -> None:
    defn = full_definition()
    stored = json.loads(json.dumps(fd.to_json(defn)))  # what a JSONField gives back
    again = fd.from_json(stored)
    assert again == defn
    assert fd.to_json(again) == fd.to_json(defn)
    # Decimal equality ignores trailing zeros; the stored text keeps them.
    assert str(again.pass_mark) == "82.50"
    assert str(again.criterion("empathy").options[2].value) == "5.00"
    assert str(again.sections[0].weight) == "40.0"


def test_json_writes_decimals_as_strings_and_a_schema_number() -> None:
    data = fd.to_json(full_definition())
    assert data["schema"] == fd.JSON_SCHEMA
    assert data["pass_mark"] == "82.50"
    assert data["sections"][0]["criteria"][0]["weight"] == "1.50"
    assert data["sections"][1]["criteria"][0]["options"][1]["value"] == "2.5"


def test_json_keeps_a_missing_section_weight_as_null() -> None:
    data = fd.to_json(framework(crit("a")))
    assert data["sections"][0]["weight"] is None
    assert fd.from_json(data).sections[0].weight is None


def test_from_json_fills_optional_fields_with_their_defaults() -> None:
    data = {
        "name": "Minimal",
        "scoring_mode": "weighted",
        "pass_mark": 80,
        "sections": [
            {
                "key": "main",
                "title": "Main",
                "criteria": [
                    {
                        "key": "a",
                        "title": "A",
                        "scale": "yes_no",
                        "options": [{"value": 1, "label": "Yes"}, {"value": "0", "label": "No"}],
                    }
                ],
            }
        ],
    }
    assert fd.from_json(data) == fd.FrameworkDef(
        name="Minimal",
        scoring_mode="weighted",
        pass_mark=D(80),
        use_section_weights=False,
        sections=(fd.Section("main", "Main", None, (crit("a", "yes_no", title="A"),)),),
    )


def test_from_json_names_a_missing_field() -> None:
    data = fd.to_json(framework(crit("a")))
    del data["pass_mark"]
    with pytest.raises(ValueError, match="missing the field 'pass_mark'"):
        fd.from_json(data)


@pytest.mark.parametrize("bad", ["eighty", True, None, [80], "NaN", "Infinity"])
def test_from_json_refuses_a_value_that_is_not_a_number(bad: object) -> None:
    data = fd.to_json(framework(crit("a")))
    data["pass_mark"] = bad
    with pytest.raises(ValueError, match="pass_mark"):
        fd.from_json(data)


def test_from_json_names_the_criterion_with_a_bad_weight() -> None:
    data = fd.to_json(framework(crit("empathy")))
    data["sections"][0]["criteria"][0]["weight"] = "heavy"
    with pytest.raises(ValueError, match="criterion empathy weight"):
        fd.from_json(data)


decimals = st.decimals(min_value=-1000, max_value=1000, places=3, allow_nan=False)
texts = st.text(max_size=20)
options = st.builds(fd.ScaleOption, value=decimals, label=texts, guidance=texts)
criteria = st.builds(
    fd.Criterion,
    key=texts,
    title=texts,
    guidance=texts,
    scale=st.sampled_from(fd.SCALES),
    options=st.lists(options, max_size=4).map(tuple),
    weight=decimals,
    points=decimals,
    na_allowed=st.booleans(),
    na_rule=texts,
    severity=st.sampled_from(fd.SEVERITIES),
    root_causes=st.lists(texts, max_size=3).map(tuple),
    scoring=st.booleans(),
)
sections = st.builds(
    fd.Section,
    key=texts,
    title=texts,
    weight=st.none() | decimals,
    criteria=st.lists(criteria, max_size=3).map(tuple),
)
definitions = st.builds(
    fd.FrameworkDef,
    name=texts,
    scoring_mode=st.sampled_from(fd.SCORING_MODES),
    pass_mark=decimals,
    use_section_weights=st.booleans(),
    sections=st.lists(sections, max_size=3).map(tuple),
)


@given(definitions)
def test_any_definition_survives_a_json_round_trip_unchanged(defn: fd.FrameworkDef) -> None:
    data = json.loads(json.dumps(fd.to_json(defn)))
    assert fd.from_json(data) == defn
    assert fd.to_json(fd.from_json(data)) == fd.to_json(defn)


# --- Validation -----------------------------------------------------------------------------


def test_a_sound_framework_has_no_problems() -> None:
    assert fd.validate(full_definition()) == []
    assert fd.validate(framework(crit("a", "yes_no"), crit("b"), crit("c", "four"))) == []


def test_a_framework_without_scoring_criteria_is_refused() -> None:
    problems = fd.validate(framework(crit("contact-reason", "three", scoring=False)))
    assert [p.where for p in problems] == ["framework"]
    assert "no scoring criteria" in problems[0].message


def test_a_framework_with_no_sections_at_all_is_refused() -> None:
    defn = dataclasses.replace(framework(crit("a")), sections=())
    assert "no scoring criteria" in messages(fd.validate(defn))


def test_duplicate_criterion_keys_are_refused_even_across_sections() -> None:
    defn = sectioned(("one", "50", (crit("empathy"),)), ("two", "50", (crit("empathy"),)))
    problems = fd.validate(defn)
    assert [p.where for p in problems] == ["empathy"]
    assert "Two criteria use the key 'empathy'" in problems[0].message


def test_a_question_cannot_reuse_a_criterion_key() -> None:
    defn = framework(crit("reason"), crit("reason", "three", scoring=False))
    assert "Two criteria use the key 'reason'" in messages(fd.validate(defn))


def test_duplicate_section_keys_are_refused() -> None:
    defn = sectioned(("main", "50", (crit("a"),)), ("main", "50", (crit("b"),)))
    problems = fd.validate(defn)
    assert [p.where for p in problems] == ["main"]
    assert "Two sections use the key 'main'" in problems[0].message


@pytest.mark.parametrize("key", ["Empathy", "shows empathy", "empathy!", "émpathie", "a.b"])
def test_criterion_keys_must_be_slug_like(key: str) -> None:
    problems = fd.validate(framework(crit(key)))
    assert [p.where for p in problems] == [key]
    assert "lower-case letters, digits, hyphens and underscores" in problems[0].message


@pytest.mark.parametrize("key", ["empathy", "first_contact", "step-2", "42"])
def test_slug_like_keys_are_accepted(key: str) -> None:
    assert fd.validate(framework(crit(key))) == []


def test_a_missing_criterion_key_is_pointed_at_by_its_position() -> None:
    problems = fd.validate(framework(crit("a"), crit("")))
    assert [(p.where, p.message) for p in problems] == [
        ("main item 2", "Criterion key is missing.")
    ]


def test_section_keys_must_be_slug_like() -> None:
    defn = sectioned(("Opening Part", "100", (crit("a"),)))
    assert [p.where for p in fd.validate(defn)] == ["Opening Part"]


def test_section_weights_must_each_be_given() -> None:
    defn = sectioned(("one", "100", (crit("a"),)), ("two", None, (crit("b"),)))
    problems = fd.validate(defn)
    assert ("two", "Section 'Two' needs a weight (percent).") in [
        (p.where, p.message) for p in problems
    ]


@pytest.mark.parametrize(("first", "second"), [("50", "40"), ("60", "50"), ("33.33", "66.66")])
def test_section_weights_must_add_up_to_exactly_100(first: str, second: str) -> None:
    defn = sectioned(("one", first, (crit("a"),)), ("two", second, (crit("b"),)))
    problems = fd.validate(defn)
    assert [p.where for p in problems] == ["framework"]
    assert "must add up to exactly 100" in problems[0].message


def test_section_weights_with_decimals_that_add_up_to_100_are_fine() -> None:
    defn = sectioned(("one", "33.34", (crit("a"),)), ("two", "66.66", (crit("b"),)))
    assert fd.validate(defn) == []


def test_a_negative_section_weight_is_refused() -> None:
    defn = sectioned(("one", "120", (crit("a"),)), ("two", "-20", (crit("b"),)))
    assert ("two", "Section 'Two' has a negative weight.") in [
        (p.where, p.message) for p in fd.validate(defn)
    ]


def test_a_questions_only_section_needs_no_weight_but_may_not_carry_one() -> None:
    question = crit("reason", "three", scoring=False)
    assert (
        fd.validate(sectioned(("main", "100", (crit("a"),)), ("context", None, (question,)))) == []
    )
    assert (
        fd.validate(sectioned(("main", "100", (crit("a"),)), ("context", "0", (question,)))) == []
    )
    problems = fd.validate(sectioned(("main", "80", (crit("a"),)), ("context", "20", (question,))))
    assert "context" in [p.where for p in problems]
    assert "its weight can never count" in messages(problems)


def test_a_weighted_section_whose_criteria_all_weigh_nothing_is_refused() -> None:
    defn = sectioned(("one", "50", (crit("a"),)), ("two", "50", (crit("b", weight=D(0)),)))
    problems = fd.validate(defn)
    assert [p.where for p in problems] == ["two"]
    assert "could never be scored" in problems[0].message


def test_section_weights_are_ignored_when_the_framework_does_not_use_them() -> None:
    defn = dataclasses.replace(
        sectioned(("one", None, (crit("a"),)), ("two", "7", (crit("b"),))),
        use_section_weights=False,
    )
    assert fd.validate(defn) == []


def test_a_scale_needs_at_least_two_options() -> None:
    one = crit("a", "points", options=(fd.ScaleOption(D(5), "All"),), points=D(5))
    none = crit("b", "points", points=D(5))
    problems = fd.validate(framework(one, none, mode="points"))
    assert [p.where for p in problems] == ["a", "b"]
    assert all("at least two options" in p.message for p in problems)


def test_option_values_must_differ_within_a_criterion() -> None:
    options = (fd.ScaleOption(D(1), "Low"), fd.ScaleOption(D("1.0"), "Also low"))
    problems = fd.validate(
        framework(crit("a", "points", options=options, points=D(2)), mode="points")
    )
    assert [p.where for p in problems] == ["a"]
    assert "same value" in problems[0].message


def test_the_same_option_value_in_two_criteria_is_fine() -> None:
    assert fd.validate(framework(crit("a"), crit("b"))) == []


def test_weighted_mode_refuses_a_negative_weight() -> None:
    problems = fd.validate(framework(crit("a"), crit("b", weight=D(-1))))
    assert [p.where for p in problems] == ["b"]
    assert "negative weight" in problems[0].message


def test_weighted_mode_allows_some_zero_weights() -> None:
    assert fd.validate(framework(crit("a"), crit("b", weight=D(0)))) == []


def test_weighted_mode_refuses_all_scoring_weights_being_zero() -> None:
    defn = framework(crit("a", weight=D(0)), crit("b", weight=D(0)), crit("q", scoring=False))
    problems = fd.validate(defn)
    assert [p.where for p in problems] == ["framework"]
    assert "Every scoring criterion has weight 0" in problems[0].message


@pytest.mark.parametrize("points", ["0", "-5"])
def test_points_mode_needs_positive_points_on_scoring_criteria(points: str) -> None:
    problems = fd.validate(
        framework(crit("a", points=D(5)), crit("b", points=D(points)), mode="points")
    )
    assert [p.where for p in problems] == ["b"]
    assert "more than 0 points" in problems[0].message


def test_points_mode_does_not_care_about_weights_nor_question_points() -> None:
    defn = framework(
        crit("a", points=D(5), weight=D(-3)), crit("q", "three", scoring=False), mode="points"
    )
    assert fd.validate(defn) == []


def test_weighted_mode_does_not_care_about_points() -> None:
    assert fd.validate(framework(crit("a", points=D(-1)))) == []


def test_a_fatal_criterion_allowing_na_needs_a_rule_for_when_na_applies() -> None:
    fatal = crit("verify", "yes_no", severity="fatal", na_allowed=True, na_rule="  ")
    problems = fd.validate(framework(crit("a"), fatal))
    assert [p.where for p in problems] == ["verify"]
    assert "needs a rule saying when N/A applies" in problems[0].message


def test_a_fatal_criterion_allowing_na_with_a_rule_is_fine() -> None:
    fatal = crit("verify", "yes_no", severity="fatal", na_allowed=True, na_rule="No account talk.")
    assert fd.validate(framework(fatal)) == []


def test_a_normal_criterion_allowing_na_needs_no_rule() -> None:
    assert fd.validate(framework(crit("a", na_allowed=True))) == []


@pytest.mark.parametrize("pass_mark", ["-1", "100.01", "250"])
def test_the_pass_mark_must_be_between_0_and_100(pass_mark: str) -> None:
    problems = fd.validate(framework(crit("a"), mark=pass_mark))
    assert [(p.where, p.message) for p in problems] == [
        ("framework", "The pass mark must be between 0 and 100.")
    ]


@pytest.mark.parametrize("pass_mark", ["0", "100", "72.5"])
def test_a_pass_mark_from_0_to_100_is_fine(pass_mark: str) -> None:
    assert fd.validate(framework(crit("a"), mark=pass_mark)) == []


@pytest.mark.parametrize("values", [(1, 2), (0, 2), (0, 1, 2), (1,)])
def test_a_yes_no_scale_must_have_exactly_the_values_0_and_1(values: tuple[int, ...]) -> None:
    options = tuple(fd.ScaleOption(D(v), str(v)) for v in values)
    problems = fd.validate(framework(crit("a", "yes_no", options=options)))
    assert "options must be exactly 1 (yes) and 0 (no)" in messages(problems)
    assert {p.where for p in problems} == {"a"}


def test_unknown_scale_severity_and_mode_are_refused() -> None:
    defn = framework(
        crit("a", "seven", options=fd.point_scale(5), severity="deadly"), mode="ranked"
    )
    found = messages(fd.validate(defn))
    assert "unknown scale 'seven'" in found
    assert "unknown severity 'deadly'" in found
    assert "Scoring mode must be weighted or points" in found


def test_a_non_scoring_question_cannot_be_fatal() -> None:
    problems = fd.validate(framework(crit("a"), crit("q", scoring=False, severity="fatal")))
    assert [p.where for p in problems] == ["q"]
    assert "cannot be fatal" in problems[0].message


def test_every_problem_is_reported_at_once() -> None:
    defn = fd.FrameworkDef(
        name="Broken",
        scoring_mode="points",
        pass_mark=D(120),
        use_section_weights=True,
        sections=(
            fd.Section(
                "main",
                "Main",
                D(90),
                (crit("Bad Key", points=D(0)), crit("dup", points=D(1)), crit("dup", points=D(1))),
            ),
        ),
    )
    wheres = [p.where for p in fd.validate(defn)]
    assert wheres.count("framework") == 2  # pass mark, section weights
    assert "Bad Key" in wheres
    assert "dup" in wheres


def test_a_versions_definition_is_parsed_once_and_shared() -> None:
    from scorecards.models.frameworks import parsed_definition

    data = json.loads(json.dumps(fd.to_json(framework(crit("a"), crit("b")))))
    first = parsed_definition(987_001, data)
    again = parsed_definition(987_001, json.loads(json.dumps(data)))  # a fresh read of the row
    assert again is first
    assert first == fd.from_json(data)


def test_a_reused_version_id_with_another_definition_is_parsed_afresh() -> None:
    from scorecards.models.frameworks import parsed_definition

    old = json.loads(json.dumps(fd.to_json(framework(crit("a")))))
    new = json.loads(json.dumps(fd.to_json(framework(crit("a"), crit("b")))))
    parsed_definition(987_002, old)
    assert [c.key for c in parsed_definition(987_002, new).criteria] == ["a", "b"]
    assert [c.key for c in parsed_definition(987_002, old).criteria] == ["a"]


def test_an_unsaved_version_is_parsed_without_the_cache() -> None:
    from scorecards.models.frameworks import parsed_definition

    data = fd.to_json(framework(crit("a")))
    assert parsed_definition(None, data) is not parsed_definition(None, data)
