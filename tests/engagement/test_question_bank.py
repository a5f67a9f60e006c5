"""The question bank and survey templates: keys, drivers, scales, templates. No database."""

from __future__ import annotations

import pytest

from qa_platform.engagement import question_bank as bank
from qa_platform.engagement.question_bank import Part, Privacy, Scale

# Keys are compared across survey waves: renaming or removing one breaks history. Adding items is
# fine (add them here too); changing this list for an existing key is not.
PUBLISHED_KEYS = {
    "index.pride": Scale.AGREEMENT_5,
    "index.good_place": Scale.AGREEMENT_5,
    "index.stay": Scale.AGREEMENT_5,
    "index.extra_mile": Scale.AGREEMENT_5,
    "index.satisfied": Scale.AGREEMENT_5,
    "enps.score": Scale.ZERO_TO_TEN,
    "enps.why": Scale.COMMENT,
    "driver.manager.helps": Scale.AGREEMENT_5,
    "driver.manager.feedback": Scale.AGREEMENT_5,
    "driver.manager.cares": Scale.AGREEMENT_5,
    "driver.recognition.noticed": Scale.AGREEMENT_5,
    "driver.recognition.fair": Scale.AGREEMENT_5,
    "driver.growth.learning": Scale.AGREEMENT_5,
    "driver.growth.path": Scale.AGREEMENT_5,
    "driver.growth.support": Scale.AGREEMENT_5,
    "driver.workload.manageable": Scale.AGREEMENT_5,
    "driver.workload.pace": Scale.AGREEMENT_5,
    "driver.tools.systems": Scale.AGREEMENT_5,
    "driver.tools.knowledge": Scale.AGREEMENT_5,
    "driver.autonomy.decide": Scale.AGREEMENT_5,
    "driver.autonomy.trust": Scale.AGREEMENT_5,
    "driver.team.help": Scale.AGREEMENT_5,
    "driver.team.respect": Scale.AGREEMENT_5,
    "driver.team.speak_up": Scale.AGREEMENT_5,
    "driver.goals.expected": Scale.AGREEMENT_5,
    "driver.goals.why": Scale.AGREEMENT_5,
    "driver.customer_focus.first": Scale.AGREEMENT_5,
    "driver.customer_focus.quality": Scale.AGREEMENT_5,
    "driver.customer_focus.listen": Scale.AGREEMENT_5,
    "driver.customer_empowerment.fix": Scale.AGREEMENT_5,
    "driver.customer_empowerment.rules": Scale.AGREEMENT_5,
    "driver.customer_empowerment.backed": Scale.AGREEMENT_5,
    "driver.wellbeing.energy": Scale.AGREEMENT_5,
    "driver.wellbeing.balance": Scale.AGREEMENT_5,
    "comment.change": Scale.COMMENT,
    "comment.keep": Scale.COMMENT,
    "comment.customers": Scale.COMMENT,
    "comment.other": Scale.COMMENT,
    "onboarding.week1.welcome": Scale.AGREEMENT_5,
    "onboarding.week1.ready": Scale.AGREEMENT_5,
    "onboarding.week1.who_to_ask": Scale.AGREEMENT_5,
    "onboarding.week1.comment": Scale.COMMENT,
    "onboarding.day30.role": Scale.AGREEMENT_5,
    "onboarding.day30.training": Scale.AGREEMENT_5,
    "onboarding.day30.checkin": Scale.AGREEMENT_5,
    "onboarding.day30.comment": Scale.COMMENT,
    "onboarding.day90.confident": Scale.AGREEMENT_5,
    "onboarding.day90.expectations": Scale.AGREEMENT_5,
    "onboarding.day90.future": Scale.AGREEMENT_5,
    "onboarding.day90.comment": Scale.COMMENT,
    "exit.reasons": Scale.MULTIPLE_CHOICE,
    "exit.main_reason": Scale.SINGLE_CHOICE,
    "exit.prevent": Scale.AGREEMENT_5,
    "exit.return": Scale.AGREEMENT_5,
    "exit.heard": Scale.AGREEMENT_5,
    "exit.advice": Scale.COMMENT,
}


def test_item_keys_are_unique() -> None:
    keys = [item.key for item in bank.ITEMS]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("item", bank.ITEMS, ids=lambda i: i.key)
def test_every_key_has_the_stable_format(item: bank.Item) -> None:
    assert bank.KEY_FORMAT.fullmatch(item.key), item.key
    assert item.key.split(".")[0] == ("driver" if item.part is Part.DRIVER else item.part.value)


def test_published_keys_keep_their_scale_forever() -> None:
    for key, scale in PUBLISHED_KEYS.items():
        assert bank.item(key).scale is scale, key


def test_every_item_in_the_bank_is_pinned_as_published() -> None:
    # A new item must be added to PUBLISHED_KEYS on purpose, so its key is then kept.
    assert {item.key for item in bank.ITEMS} == set(PUBLISHED_KEYS)


def test_the_key_format_refuses_loose_keys() -> None:
    for bad in ["Index.pride", "pride", "index.", "index.pride-2", "index pride", "a.b.c.d"]:
        assert not bank.KEY_FORMAT.fullmatch(bad), bad


def test_the_index_has_five_agreement_outcome_items() -> None:
    assert len(bank.INDEX_ITEMS) == 5
    assert all(i.scale is Scale.AGREEMENT_5 and i.part is Part.INDEX for i in bank.INDEX_ITEMS)
    assert bank.index_keys() == tuple(i.key for i in bank.INDEX_ITEMS)


def test_the_enps_item_is_0_to_10_with_a_why_follow_up() -> None:
    score, why = bank.item("enps.score"), bank.item("enps.why")
    assert score.scale is Scale.ZERO_TO_TEN
    assert "recommend" in score.text
    assert why.scale is Scale.COMMENT and why.follow_up_of == "enps.score" and why.optional


def test_there_are_at_least_ten_drivers_including_the_customer_ones() -> None:
    keys = {d.key for d in bank.DRIVERS}
    assert len(keys) >= 10
    assert {
        "manager",
        "recognition",
        "growth",
        "workload",
        "tools",
        "autonomy",
        "team",
        "goals",
        "customer_focus",
        "customer_empowerment",
    } <= keys
    assert {d.key for d in bank.DRIVERS if d.customer_linked} == {
        "customer_focus",
        "customer_empowerment",
    }


@pytest.mark.parametrize("driver", bank.DRIVERS, ids=lambda d: d.key)
def test_every_driver_has_two_or_three_agreement_items(driver: bank.Driver) -> None:
    items = bank.driver_items(driver.key)
    assert 2 <= len(items) <= 3
    assert all(i.scale is Scale.AGREEMENT_5 for i in items)
    assert all(i.key.startswith(f"driver.{driver.key}.") for i in items)


def test_every_driver_item_belongs_to_a_known_driver() -> None:
    assert {i.driver for i in bank.DRIVER_ITEMS} == set(bank.DRIVERS_BY_KEY)


def test_choice_items_have_options_and_others_do_not() -> None:
    for item in bank.ITEMS:
        choice = item.scale in (Scale.SINGLE_CHOICE, Scale.MULTIPLE_CHOICE)
        assert bool(item.options) is choice, item.key
        assert len(set(item.options)) == len(item.options)


def test_comment_questions_are_optional_comments() -> None:
    assert bank.COMMENT_ITEMS
    assert all(i.scale is Scale.COMMENT and i.optional for i in bank.COMMENT_ITEMS)


def test_texts_are_filled_in_and_unique() -> None:
    texts = [i.text for i in bank.ITEMS]
    assert all(t.strip() for t in texts)
    assert len(texts) == len(set(texts))


def test_there_are_the_six_templates() -> None:
    assert set(bank.TEMPLATES_BY_KEY) == {
        "full",
        "pulse",
        "onboarding_week1",
        "onboarding_day30",
        "onboarding_day90",
        "exit",
    }


@pytest.mark.parametrize("template", bank.TEMPLATES, ids=lambda t: t.key)
def test_templates_reference_only_existing_items_once(template: bank.Template) -> None:
    keys = template.item_keys
    assert keys
    assert all(key in bank.BY_KEY for key in keys), [k for k in keys if k not in bank.BY_KEY]
    assert len(keys) == len(set(keys))
    assert all(section.items and section.title for section in template.sections)


@pytest.mark.parametrize("template", bank.TEMPLATES, ids=lambda t: t.key)
def test_a_follow_up_comes_after_its_question(template: bank.Template) -> None:
    keys = list(template.item_keys)
    for key in keys:
        parent = bank.item(key).follow_up_of
        if parent:
            assert parent in keys and keys.index(parent) < keys.index(key)


def test_the_full_survey_has_every_index_enps_driver_and_comment_item() -> None:
    keys = set(bank.TEMPLATES_BY_KEY["full"].item_keys)
    expected = bank.INDEX_ITEMS + bank.ENPS_ITEMS + bank.DRIVER_ITEMS + bank.COMMENT_ITEMS
    assert keys == {i.key for i in expected}


def test_the_pulse_is_short_and_keeps_the_whole_index() -> None:
    pulse = bank.TEMPLATES_BY_KEY["pulse"].item_keys
    assert len(pulse) <= 15
    assert set(bank.index_keys()) <= set(pulse)  # so the index compares with the full survey
    assert "enps.score" in pulse


def test_onboarding_check_ins_use_their_own_stage() -> None:
    for stage in ("week1", "day30", "day90"):
        keys = bank.TEMPLATES_BY_KEY[f"onboarding_{stage}"].item_keys
        onboarding = [k for k in keys if k.startswith("onboarding.")]
        assert onboarding and all(k.startswith(f"onboarding.{stage}.") for k in onboarding)


def test_exit_and_onboarding_are_identifiable_and_engagement_anonymous() -> None:
    privacy = {t.key: t.privacy for t in bank.TEMPLATES}
    assert privacy["full"] is privacy["pulse"] is Privacy.ANONYMOUS
    assert privacy["exit"] is Privacy.IDENTIFIABLE
    assert privacy["onboarding_week1"] is Privacy.IDENTIFIABLE


def test_an_unknown_key_says_so() -> None:
    with pytest.raises(KeyError, match=r"No item 'index\.nope'"):
        bank.item("index.nope")
