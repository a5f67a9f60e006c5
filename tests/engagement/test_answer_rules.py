"""The pure checks of survey answers (qa_platform/engagement/answers.py): each scale's edges,
empty answers, required questions at submission, drafts merging, and properties that hold for any
input."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa_platform.engagement.answers import (
    COMMENT_MAX_CHARS,
    GENERAL,
    Answer,
    AnswerError,
    QuestionSpec,
    check_answers,
    clean_answer,
    merge_draft,
    missing_required,
)

AGREE = QuestionSpec("index.pride", "agreement_5")
TEN = QuestionSpec("enps.score", "zero_to_ten")
SINGLE = QuestionSpec("own.shift", "single_choice", options=("Early", "Late", "Night"))
MULTI = QuestionSpec("own.channels", "multiple_choice", options=("Phone", "Chat", "Email"))
COMMENT = QuestionSpec("comment.other", "comment", required=False)
SPECS = (AGREE, TEN, SINGLE, MULTI, COMMENT)


@pytest.mark.parametrize("raw", [1, 5, "1", "5", " 3 ", ["4"]])
def test_agreement_accepts_one_to_five_as_numbers_or_form_strings(raw: Any) -> None:
    answer = clean_answer(AGREE, raw)
    assert answer is not None and answer.value == int(raw[0] if isinstance(raw, list) else raw)


@pytest.mark.parametrize("raw", [0, 6, -1, "6", "three", "3.0", True, False, 2.5, ["1", "2"], {}])
def test_agreement_refuses_anything_outside_one_to_five_with_the_scale_in_the_message(
    raw: Any,
) -> None:
    with pytest.raises(AnswerError, match="from 1 \\(strongly disagree\\) to 5"):
        clean_answer(AGREE, raw)


@pytest.mark.parametrize("raw,value", [(0, 0), (10, 10), ("7", 7)])
def test_zero_to_ten_accepts_both_ends(raw: Any, value: int) -> None:
    assert clean_answer(TEN, raw) == Answer(value=value)


@pytest.mark.parametrize("raw", [-1, 11, "11", "1e1", "0x5"])
def test_zero_to_ten_refuses_values_off_the_scale(raw: Any) -> None:
    with pytest.raises(AnswerError, match="from 0 to 10"):
        clean_answer(TEN, raw)


def test_single_choice_takes_an_index_within_the_options() -> None:
    assert clean_answer(SINGLE, "2") == Answer(value=2)
    with pytest.raises(AnswerError, match="one of the 3 options"):
        clean_answer(SINGLE, 3)
    with pytest.raises(AnswerError):
        clean_answer(SINGLE, -1)


def test_a_single_choice_question_without_options_cannot_be_answered() -> None:
    with pytest.raises(AnswerError, match="no options"):
        clean_answer(QuestionSpec("own.x", "single_choice"), 0)


def test_multiple_choice_takes_distinct_indexes_and_keeps_them_sorted() -> None:
    assert clean_answer(MULTI, ["2", "0"]) == Answer(choices=(0, 2))
    assert clean_answer(MULTI, 1) == Answer(choices=(1,))
    assert clean_answer(MULTI, []) is None


def test_multiple_choice_refuses_the_same_option_twice_and_an_index_too_large() -> None:
    with pytest.raises(AnswerError, match="at most once"):
        clean_answer(MULTI, [1, 1])
    with pytest.raises(AnswerError, match="3 options"):
        clean_answer(MULTI, [0, 3])


def test_a_comment_is_stripped_and_an_empty_one_is_not_an_answer() -> None:
    assert clean_answer(COMMENT, "  More breaks.\n") == Answer(text="More breaks.")
    assert clean_answer(COMMENT, "   \n ") is None
    assert clean_answer(COMMENT, None) is None


def test_a_comment_of_exactly_the_limit_is_kept_and_one_more_character_is_refused() -> None:
    assert clean_answer(COMMENT, "x" * COMMENT_MAX_CHARS) == Answer(text="x" * COMMENT_MAX_CHARS)
    with pytest.raises(AnswerError, match="5,000 characters or fewer \\(this one has 5,001\\)"):
        clean_answer(COMMENT, "x" * (COMMENT_MAX_CHARS + 1))


def test_a_comment_loses_nul_characters_no_database_column_can_hold() -> None:
    assert clean_answer(COMMENT, "a\x00b") == Answer(text="ab")


def test_a_comment_that_is_not_text_is_refused() -> None:
    with pytest.raises(AnswerError, match="as text"):
        clean_answer(COMMENT, 5)


def test_an_empty_radio_is_not_answered_whatever_the_scale() -> None:
    for spec in (AGREE, TEN, SINGLE, MULTI):
        assert clean_answer(spec, "") is None
        assert clean_answer(spec, None) is None


def test_an_unknown_scale_is_refused_with_a_message() -> None:
    with pytest.raises(AnswerError, match="not one the survey knows"):
        clean_answer(QuestionSpec("own.x", "slider"), 3)


def test_a_draft_accepts_some_answers_and_does_not_ask_for_the_rest() -> None:
    checked = check_answers(SPECS, {"index.pride": "4"}, require=False)
    assert checked.ok
    assert checked.answers == {"index.pride": Answer(value=4)}


def test_a_submission_needs_every_required_question_and_names_each_missing_one() -> None:
    checked = check_answers(SPECS, {"index.pride": 4, "own.channels": []}, require=True)
    assert set(checked.errors) == {"enps.score", "own.shift", "own.channels"}
    assert all(message == "This question needs an answer." for message in checked.errors.values())


def test_an_optional_comment_may_be_left_out_of_a_submission() -> None:
    answers = {"index.pride": 4, "enps.score": 8, "own.shift": 0, "own.channels": [2]}
    assert check_answers(SPECS, answers, require=True).ok


def test_a_wrong_value_and_a_missing_answer_each_get_their_own_message() -> None:
    checked = check_answers(SPECS, {"index.pride": 9}, require=True)
    assert "from 1" in checked.errors["index.pride"]
    assert checked.errors["enps.score"] == "This question needs an answer."


def test_answers_to_questions_not_in_the_survey_are_reported_under_general() -> None:
    checked = check_answers(SPECS, {"index.pride": 4, "driver.tools.systems": 3}, require=False)
    assert not checked.ok
    assert "driver.tools.systems" in checked.errors[GENERAL]


def test_merging_a_draft_replaces_answers_and_drops_the_ones_left_empty() -> None:
    draft = {"index.pride": 2, "comment.other": "Old text", "enps.score": 7}
    checked = check_answers(
        SPECS, {"index.pride": "5", "comment.other": "  ", "own.channels": ["1"]}, require=False
    )
    assert merge_draft(draft, checked) == {"index.pride": 5, "enps.score": 7, "own.channels": [1]}


def test_merging_refuses_answers_with_errors() -> None:
    with pytest.raises(ValueError):
        merge_draft({}, check_answers(SPECS, {"index.pride": 0}, require=False))


def test_missing_required_lists_the_required_questions_a_draft_leaves_open_in_order() -> None:
    assert missing_required(SPECS, {"enps.score": 0, "own.channels": [0]}) == [
        "index.pride",
        "own.shift",
    ]


# --- Properties -------------------------------------------------------------------------------

anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 1000),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.lists(st.one_of(st.integers(-5, 15), st.text(max_size=3)), max_size=5),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@given(spec=st.sampled_from(SPECS), raw=anything)
def test_any_input_is_either_a_valid_answer_empty_or_refused_with_a_message(
    spec: QuestionSpec, raw: Any
) -> None:
    try:
        answer = clean_answer(spec, raw)
    except AnswerError as exc:
        assert str(exc)
        return
    if answer is None:
        return
    if spec.scale == "agreement_5":
        assert answer.value is not None and 1 <= answer.value <= 5
    elif spec.scale == "zero_to_ten":
        assert answer.value is not None and 0 <= answer.value <= 10
    elif spec.scale == "single_choice":
        assert answer.value is not None and 0 <= answer.value < len(spec.options)
    elif spec.scale == "multiple_choice":
        assert answer.choices and len(set(answer.choices)) == len(answer.choices)
        assert all(0 <= i < len(spec.options) for i in answer.choices)
    else:
        assert answer.text == answer.text.strip() and 0 < len(answer.text) <= COMMENT_MAX_CHARS


@given(spec=st.sampled_from(SPECS), raw=anything)
def test_a_valid_answer_saved_in_a_draft_reads_back_as_the_same_answer(
    spec: QuestionSpec, raw: Any
) -> None:
    try:
        answer = clean_answer(spec, raw)
    except AnswerError:
        return
    if answer is not None:
        assert clean_answer(spec, answer.to_json()) == answer


@given(text=st.text(max_size=200))
def test_cleaning_a_comment_twice_changes_nothing_more(text: str) -> None:
    first = clean_answer(COMMENT, text)
    if first is not None:
        assert clean_answer(COMMENT, first.text) == first
