"""Reading a Framework snippet's blocks into the pure definition, and back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from scorecards import framework_def as fd
from scorecards.frameworks import (
    QUESTION_SCALE,
    FrameworkFieldValues,
    blocks_from_definition,
    definition_from_blocks,
    located_problems,
)
from scorecards.models import Framework


def criterion(key: str = "empathy", **overrides: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "key": key,
        "title": "Shows empathy",
        "guidance": "",
        "scale": "five",
        "options": [],
        "weight": "1",
        "points": None,
        "na_allowed": False,
        "na_rule": "",
        "severity": "normal",
        "root_causes": "",
    }
    value.update(overrides)
    return {"type": "criterion", "value": value}


def question(key: str = "contact-reason", choices: str = "Billing\nDelivery") -> dict[str, Any]:
    return {
        "type": "question",
        "value": {"key": key, "title": "Contact reason", "guidance": "", "choices": choices},
    }


def section(*items: dict[str, Any], key: str = "opening", weight: Any = None) -> dict[str, Any]:
    return {
        "type": "section",
        "value": {"key": key, "title": key.title(), "weight": weight, "items": list(items)},
    }


def framework(*sections: dict[str, Any], **fields: Any) -> Framework:
    return Framework(
        name=fields.get("name", "Support"),
        scoring_mode=fields.get("scoring_mode", "weighted"),
        pass_mark=fields.get("pass_mark", Decimal(80)),
        use_section_weights=fields.get("use_section_weights", False),
        sections=list(sections),
    )


def test_framework_fields_become_the_definition() -> None:
    defn = definition_from_blocks(
        framework(section(criterion()), scoring_mode="points", pass_mark=Decimal("75.5"))
    )

    assert defn.name == "Support"
    assert defn.scoring_mode == "points"
    assert defn.pass_mark == Decimal("75.5")
    assert [s.key for s in defn.sections] == ["opening"]
    assert [c.key for c in defn.criteria] == ["empathy"]


def test_empty_options_become_the_standard_options_of_the_scale() -> None:
    defn = definition_from_blocks(
        framework(
            section(
                criterion("a", scale="five"),
                criterion("b", scale="three"),
                criterion("c", scale="four"),
                criterion("d", scale="yes_no"),
            )
        )
    )

    assert defn.criterion("a").options == fd.point_scale(5)
    assert defn.criterion("b").options == fd.point_scale(3)
    assert defn.criterion("c").options == fd.point_scale(4)
    assert defn.criterion("d").options == fd.yes_no_options()


def test_a_points_scale_without_options_runs_from_zero_to_its_points() -> None:
    defn = definition_from_blocks(
        framework(section(criterion(scale="points", points="4")), scoring_mode="points")
    )

    options = defn.criterion("empathy").options
    assert [o.value for o in options] == [Decimal(n) for n in range(5)]
    assert [o.label for o in options] == ["0", "1", "2", "3", "4"]
    assert defn.criterion("empathy").points == Decimal(4)


def test_a_points_scale_with_fractional_points_ends_at_the_exact_points() -> None:
    defn = definition_from_blocks(framework(section(criterion(scale="points", points="2.5"))))

    assert [o.value for o in defn.criterion("empathy").options] == [
        Decimal(0),
        Decimal(1),
        Decimal(2),
        Decimal("2.5"),
    ]


def test_a_points_scale_without_points_or_options_has_no_options_and_fails_validation() -> None:
    defn = definition_from_blocks(framework(section(criterion(scale="points"))))

    assert defn.criterion("empathy").options == ()
    assert any("at least two options" in p.message for p in fd.validate(defn))


def test_given_options_keep_their_values_labels_and_guidance() -> None:
    options = [
        {"type": "item", "id": "a", "value": {"value": "0", "label": "Missed", "guidance": "No"}},
        {"type": "item", "id": "b", "value": {"value": "2", "label": "Done", "guidance": "Yes"}},
    ]
    defn = definition_from_blocks(framework(section(criterion(scale="points", options=options))))

    assert defn.criterion("empathy").options == (
        fd.ScaleOption(Decimal(0), "Missed", "No"),
        fd.ScaleOption(Decimal(2), "Done", "Yes"),
    )


def test_root_causes_are_one_per_line_without_blank_lines() -> None:
    defn = definition_from_blocks(
        framework(section(criterion(root_causes="Knowledge gap\n\n  Process \nTool\n")))
    )

    assert defn.criterion("empathy").root_causes == ("Knowledge gap", "Process", "Tool")


def test_severity_na_and_weight_are_carried_over() -> None:
    defn = definition_from_blocks(
        framework(
            section(
                criterion(
                    severity="fatal", na_allowed=True, na_rule="No payment taken", weight="2.5"
                )
            )
        )
    )

    found = defn.criterion("empathy")
    assert found.is_fatal
    assert found.na_allowed
    assert found.na_rule == "No payment taken"
    assert found.weight == Decimal("2.5")


def test_a_question_becomes_a_non_scoring_criterion_with_its_lines_as_options() -> None:
    defn = definition_from_blocks(
        framework(section(criterion(), question(choices="Billing\n\nDelivery\nOther ")))
    )

    found = defn.criterion("contact-reason")
    assert found.scoring is False
    assert found.scale == QUESTION_SCALE
    assert [(o.value, o.label) for o in found.options] == [
        (Decimal(1), "Billing"),
        (Decimal(2), "Delivery"),
        (Decimal(3), "Other"),
    ]
    assert [c.key for c in defn.scoring_criteria] == ["empathy"]
    assert fd.validate(defn) == []


def test_section_weights_are_read_when_given() -> None:
    defn = definition_from_blocks(
        framework(
            section(criterion("a"), key="one", weight="60"),
            section(criterion("b"), key="two", weight="40"),
            use_section_weights=True,
        )
    )

    assert [s.weight for s in defn.sections] == [Decimal(60), Decimal(40)]
    assert fd.validate(defn) == []


def test_a_saved_framework_reads_back_from_its_stream_field(db: None) -> None:
    saved = framework(section(criterion(root_causes="Behaviour"), question()))
    saved.save()
    saved.refresh_from_db()

    defn = definition_from_blocks(saved)

    assert [c.key for c in defn.criteria] == ["empathy", "contact-reason"]
    assert defn.criterion("empathy").root_causes == ("Behaviour",)


def test_half_written_blocks_read_without_errors_for_the_preview() -> None:
    half = {"type": "criterion", "value": {"key": None, "title": None, "weight": None}}
    defn = definition_from_blocks(
        FrameworkFieldValues(
            name="",
            scoring_mode="",
            pass_mark=None,
            use_section_weights=False,
            sections=[{"type": "section", "value": {"items": [half]}}],
        )
    )

    only = defn.criteria[0]
    assert (only.key, only.title, only.scale, only.weight) == ("", "", "five", Decimal(1))
    assert defn.pass_mark == Decimal(0)
    assert fd.validate(defn)  # missing keys and mode are reported, not raised


def test_blocks_from_a_definition_read_back_as_the_same_definition(db: None) -> None:
    original = fd.FrameworkDef(
        name="Support",
        scoring_mode="points",
        pass_mark=Decimal("70"),
        use_section_weights=True,
        sections=(
            fd.Section(
                key="opening",
                title="Opening",
                weight=Decimal(100),
                criteria=(
                    fd.Criterion(
                        key="verify",
                        title="Verifies identity",
                        guidance="Two questions.",
                        scale="yes_no",
                        options=(
                            fd.ScaleOption(Decimal(1), "Yes", "Asked both."),
                            fd.ScaleOption(Decimal(0), "No", "Skipped."),
                        ),
                        weight=Decimal(2),
                        points=Decimal(5),
                        na_allowed=True,
                        na_rule="No account discussed",
                        severity="fatal",
                        root_causes=("Process", "Behaviour"),
                    ),
                    fd.Criterion(
                        key="reason",
                        title="Contact reason",
                        guidance="",
                        scale=QUESTION_SCALE,
                        options=(
                            fd.ScaleOption(Decimal(1), "Billing"),
                            fd.ScaleOption(Decimal(2), "Other"),
                        ),
                        weight=Decimal(0),
                        points=Decimal(0),
                        scoring=False,
                    ),
                ),
            ),
        ),
    )
    saved = Framework(
        name="Support",
        scoring_mode="points",
        pass_mark=Decimal(70),
        use_section_weights=True,
        sections=blocks_from_definition(original),
    )
    saved.save()
    saved.refresh_from_db()

    assert definition_from_blocks(saved) == original


def test_located_problems_name_the_section_and_criterion() -> None:
    defn = definition_from_blocks(
        framework(
            section(criterion("greeting", title="Greets the customer", scale="points")),
            section(criterion("greeting", title="Says goodbye"), key="closing"),
        )
    )

    messages = located_problems(defn, fd.validate(defn))

    assert any(
        m.startswith("Section 1 'Opening', criterion 'Greets the customer' (key 'greeting')")
        and "at least two options" in m
        for m in messages
    )
    duplicate = next(m for m in messages if "Two criteria use the key" in m)
    assert "Section 1 'Opening'" in duplicate
    assert "Section 2 'Closing', criterion 'Says goodbye'" in duplicate


def test_problems_about_the_whole_framework_are_not_located() -> None:
    defn = definition_from_blocks(framework())

    assert located_problems(defn, fd.validate(defn)) == [
        "The framework has no scoring criteria, so nothing can be scored."
    ]
