"""StreamField blocks that QA managers use to author a framework in the Wagtail admin.

The blocks only describe the form; `scorecards.frameworks.definition_from_blocks` turns the stream
into a pure `FrameworkDef` that validation and scoring work on.
"""

from __future__ import annotations

from wagtail import blocks

SCALE_CHOICES = [
    ("yes_no", "Yes / no"),
    ("three", "3-point (1–3)"),
    ("four", "4-point (1–4)"),
    ("five", "5-point (1–5)"),
    ("points", "Points (0 to the criterion's points)"),
]

SEVERITY_CHOICES = [
    ("normal", "Normal"),
    ("critical", "Critical: important, scored like the rest"),
    ("fatal", "Fatal: failing it makes the review's final score 0"),
]

KEY_HELP = (
    "Stable key used in reports across versions, e.g. 'empathy'. Lower-case letters, digits, "
    "hyphens and underscores. Keep it when you reword the criterion."
)


class ScaleOptionBlock(blocks.StructBlock):
    value = blocks.DecimalBlock(help_text="The value this option records, e.g. 4.")
    label = blocks.CharBlock(max_length=80, help_text="What reviewers see, e.g. 'Good'.")
    guidance = blocks.TextBlock(
        required=False, help_text="What this level looks like, so reviewers agree."
    )

    class Meta:
        icon = "list-ul"


class CriterionBlock(blocks.StructBlock):
    key = blocks.CharBlock(max_length=50, help_text=KEY_HELP)
    title = blocks.CharBlock(max_length=200, help_text="e.g. 'Shows empathy'.")
    guidance = blocks.TextBlock(required=False, help_text="How to grade this criterion.")
    scale = blocks.ChoiceBlock(choices=SCALE_CHOICES, default="five")
    options = blocks.ListBlock(
        ScaleOptionBlock(),
        required=False,
        help_text="Leave empty to use the scale's standard options. Required for a points scale.",
    )
    weight = blocks.DecimalBlock(
        default=1, min_value=0, help_text="Weighted-mean mode: how much this criterion counts."
    )
    points = blocks.DecimalBlock(
        required=False, min_value=0, help_text="Points mode: the points this criterion is worth."
    )
    na_allowed = blocks.BooleanBlock(
        required=False, label="N/A allowed", help_text="N/A leaves the criterion out of the score."
    )
    na_rule = blocks.CharBlock(
        required=False,
        max_length=300,
        label="When N/A applies",
        help_text="Required for a fatal criterion that allows N/A, e.g. 'no payment was taken'.",
    )
    severity = blocks.ChoiceBlock(choices=SEVERITY_CHOICES, default="normal")
    root_causes = blocks.TextBlock(
        required=False,
        help_text="One per line; reviewers pick one when the rating is low (below half the scale).",
    )

    class Meta:
        icon = "tick-inverse"


class QuestionBlock(blocks.StructBlock):
    """A non-scoring question (context such as the contact reason); never changes the score."""

    key = blocks.CharBlock(max_length=50, help_text=KEY_HELP)
    title = blocks.CharBlock(max_length=200)
    guidance = blocks.TextBlock(required=False)
    choices = blocks.TextBlock(help_text="One answer per line.")

    class Meta:
        icon = "help"


class SectionBlock(blocks.StructBlock):
    key = blocks.CharBlock(max_length=50, help_text=KEY_HELP)
    title = blocks.CharBlock(max_length=200)
    weight = blocks.DecimalBlock(
        required=False,
        min_value=0,
        max_value=100,
        help_text="Percent, only when the framework uses section weights (they must sum to 100).",
    )
    items = blocks.StreamBlock(
        [("criterion", CriterionBlock()), ("question", QuestionBlock())],
        help_text="Criteria are scored; questions record context only.",
    )

    class Meta:
        icon = "folder-open-inverse"


FRAMEWORK_BLOCKS = [("section", SectionBlock())]
