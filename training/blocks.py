"""StreamField blocks that trainers use to author modules, role-play scenarios and learning paths.

The blocks describe the editor form and check what one block can check on its own (a key's shape,
a single-choice question having exactly one correct choice). Rules that span the page (unique check
keys, the scenario graph) are checked by the page models with the pure rules in `training.checks`
and `training.scenario`, so the messages can name the check or step.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from wagtail import blocks
from wagtail.blocks.struct_block import BlockGroup, StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageBlock, ImageChooserBlock

KEY_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
KEY_MESSAGE = (
    "Use lower-case letters, digits, hyphens and underscores, starting with a letter or digit."
)
key_validator = RegexValidator(KEY_PATTERN, KEY_MESSAGE)

CHECK_KEY_HELP = (
    "Stable key for this question, e.g. 'refund-window'. Results and reports follow it across "
    "revisions: keep it when you reword the question. Unique in the module."
)
STEP_KEY_HELP = (
    "Stable key for this step, e.g. 'greeting'. Replies point at it; attempts record it. Unique "
    "in the scenario."
)

CALLOUT_TONES = [
    ("info", "Information"),
    ("tip", "Tip"),
    ("warning", "Warning"),
]

STEP_KINDS = [
    ("choice", "The agent picks a reply"),
    ("free", "The agent writes a free response (graded later)"),
    ("end", "End of the conversation"),
]

OUTCOMES = [
    ("resolved", "Resolved"),
    ("escalated", "Escalated"),
    ("lost", "Customer lost"),
]


def key_block(help_text: str) -> blocks.CharBlock:
    return blocks.CharBlock(max_length=50, validators=[key_validator], help_text=help_text)


def _struct_errors(errors: dict[str, str]) -> StructBlockValidationError:
    return StructBlockValidationError(
        block_errors={name: ValidationError(message) for name, message in errors.items()}
    )


# --- Module content blocks ---------------------------------------------------------------------


class FigureBlock(blocks.StructBlock):
    image = ImageBlock(help_text="Describe the image for people who cannot see it (alt text).")
    caption = blocks.CharBlock(required=False, max_length=250)

    class Meta:
        icon = "image"
        label = "Image"


class VideoBlock(blocks.StructBlock):
    file = DocumentChooserBlock(required=False, help_text="An uploaded video file…")
    url = blocks.URLBlock(required=False, help_text="…or a link to the video.")
    caption = blocks.CharBlock(required=False, max_length=250)
    transcript = blocks.TextBlock(
        required=False, help_text="What is said and shown, for people who cannot watch it."
    )

    class Meta:
        icon = "media"
        label = "Video"

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if bool(value.get("file")) == bool(value.get("url")):
            raise _struct_errors(
                {"url": "Choose an uploaded video file or give a link (one of them)."}
            )
        return value


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(choices=CALLOUT_TONES, default="info")
    text = blocks.RichTextBlock(features=["bold", "italic", "link", "ul", "ol"])

    class Meta:
        icon = "warning"
        label = "Callout"


class DoDontBlock(blocks.StructBlock):
    do = blocks.TextBlock(label="Do", help_text="What good looks like, e.g. a reply to copy.")
    dont = blocks.TextBlock(label="Don't", help_text="The same moment done badly.")

    class Meta:
        icon = "tick"
        label = "Do / don't example"


class JobAidBlock(blocks.StructBlock):
    document = DocumentChooserBlock()
    title = blocks.CharBlock(max_length=200, help_text="e.g. 'Refund policy at a glance (PDF)'.")

    class Meta:
        icon = "download"
        label = "Job aid (download)"


# --- Knowledge checks ----------------------------------------------------------------------------


class CheckBlock(blocks.StructBlock):
    """Fields every knowledge check shares; subclasses add the answer fields."""

    key = key_block(CHECK_KEY_HELP)
    prompt = blocks.TextBlock(help_text="The question the learner answers.")
    explanation = blocks.TextBlock(
        required=False, help_text="Shown after answering: why the right answer is right."
    )
    points = blocks.IntegerBlock(default=1, min_value=1, max_value=100)

    class Meta:
        icon = "help"


class ChoiceItemBlock(blocks.StructBlock):
    key = blocks.CharBlock(
        max_length=50, validators=[key_validator], help_text="e.g. 'a'. Unique in the question."
    )
    text = blocks.CharBlock(max_length=500)
    correct = blocks.BooleanBlock(required=False)

    class Meta:
        icon = "radio-full"


def _choice_problems(choices: list[Any], *, single: bool) -> str | None:
    keys = [choice["key"] for choice in choices]
    if len(choices) < 2:
        return "Give at least two choices."
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        return f"Choice keys must be unique; repeated: {', '.join(duplicates)}."
    correct = sum(1 for choice in choices if choice["correct"])
    if single and correct != 1:
        return f"Mark exactly one choice as correct (now {correct})."
    if not single and correct < 1:
        return "Mark at least one choice as correct."
    return None


class SingleChoiceBlock(CheckBlock):
    choices = blocks.ListBlock(ChoiceItemBlock(), min_num=2)

    class Meta:
        icon = "radio-full"
        label = "Knowledge check: single choice"

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        problem = _choice_problems(list(value["choices"]), single=True)
        if problem:
            raise _struct_errors({"choices": problem})
        return value


class MultipleChoiceBlock(CheckBlock):
    choices = blocks.ListBlock(ChoiceItemBlock(), min_num=2)

    class Meta:
        icon = "list-ul"
        label = "Knowledge check: multiple choice"

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        problem = _choice_problems(list(value["choices"]), single=False)
        if problem:
            raise _struct_errors({"choices": problem})
        return value


class TrueFalseBlock(CheckBlock):
    answer = blocks.BooleanBlock(
        required=False, label="The statement is true", help_text="Tick if the answer is 'true'."
    )

    class Meta:
        icon = "tick-inverse"
        label = "Knowledge check: true or false"


class OrderingItemBlock(blocks.StructBlock):
    key = blocks.CharBlock(max_length=50, validators=[key_validator])
    text = blocks.CharBlock(max_length=500)

    class Meta:
        icon = "order"


class OrderingBlock(CheckBlock):
    items = blocks.ListBlock(
        OrderingItemBlock(),
        min_num=2,
        help_text="In the correct order; learners see them shuffled.",
    )

    class Meta:
        icon = "order"
        label = "Knowledge check: put in order"

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        keys = [item["key"] for item in value["items"]]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            raise _struct_errors(
                {"items": f"Item keys must be unique; repeated: {', '.join(duplicates)}."}
            )
        return value


class ShortAnswerBlock(CheckBlock):
    accepted = blocks.ListBlock(
        blocks.CharBlock(max_length=200),
        min_num=1,
        help_text="Accepted answers; matched ignoring capitals and extra spaces.",
    )

    class Meta:
        icon = "edit"
        label = "Knowledge check: short answer"


CHECK_BLOCK_NAMES = (
    "single_choice",
    "multiple_choice",
    "true_false",
    "ordering",
    "short_answer",
)


class ModuleBlocks(blocks.StreamBlock):
    rich_text = blocks.RichTextBlock(
        features=["h2", "h3", "bold", "italic", "link", "ol", "ul", "hr"], label="Text"
    )
    image = FigureBlock()
    video = VideoBlock()
    callout = CalloutBlock()
    do_dont = DoDontBlock()
    job_aid = JobAidBlock()
    single_choice = SingleChoiceBlock()
    multiple_choice = MultipleChoiceBlock()
    true_false = TrueFalseBlock()
    ordering = OrderingBlock()
    short_answer = ShortAnswerBlock()


# --- Role-play scenario steps --------------------------------------------------------------------


class ReplyBlock(blocks.StructBlock):
    """One reply the agent can pick; `target` names the step it leads to."""

    key = blocks.CharBlock(
        max_length=50, validators=[key_validator], help_text="e.g. 'apologise'. Unique in the step."
    )
    text = blocks.TextBlock(help_text="What the agent says.")
    feedback = blocks.TextBlock(required=False, help_text="Shown after the agent picks this reply.")
    points = blocks.IntegerBlock(default=0, help_text="May be negative for a poor reply.")
    target = blocks.CharBlock(
        max_length=50, help_text="Key of the step the conversation moves to after this reply."
    )
    critical = blocks.BooleanBlock(
        required=False,
        label="Critical mistake",
        help_text="A reply no agent should ever give (e.g. refusing a legal right).",
    )

    class Meta:
        icon = "comment"
        label_format = "{key} → {target}"


class StepBlock(blocks.StructBlock):
    key = key_block(STEP_KEY_HELP)
    kind = blocks.ChoiceBlock(choices=STEP_KINDS, default="choice")
    start = blocks.BooleanBlock(
        required=False, label="Start step", help_text="Exactly one step starts the conversation."
    )
    customer_text = blocks.TextBlock(required=False, help_text="What the customer says.")
    image = ImageChooserBlock(required=False)
    audio = DocumentChooserBlock(required=False, help_text="Optional recording of the customer.")
    replies = blocks.ListBlock(
        ReplyBlock(), default=[], required=False, help_text="Choice steps: at least two replies."
    )
    free_prompt = blocks.TextBlock(
        required=False, help_text="Free-response steps: what the agent is asked to write."
    )
    criteria = blocks.ListBlock(
        blocks.CharBlock(max_length=50),
        default=[],
        required=False,
        help_text=(
            "Free-response steps: keys of the framework criteria graders use, e.g. 'empathy'."
        ),
    )
    next = blocks.CharBlock(
        max_length=50,
        required=False,
        help_text="Free-response steps: key of the step that follows the response.",
    )
    outcome = blocks.ChoiceBlock(choices=OUTCOMES, required=False, help_text="End steps only.")
    debrief = blocks.RichTextBlock(
        required=False,
        features=["bold", "italic", "link", "ol", "ul"],
        help_text="End steps: what went well or badly, shown with the replay.",
    )

    class Meta:
        icon = "comment"
        label = "Step"
        label_format = "{key}"
        form_layout = BlockGroup(
            children=[
                "key",
                "kind",
                "start",
                "customer_text",
                BlockGroup(["replies"], heading="Replies (choice steps)", icon="comment"),
                BlockGroup(
                    ["free_prompt", "criteria", "next"],
                    heading="Free response (free-response steps)",
                    icon="edit",
                    classname="collapsed",
                ),
                BlockGroup(
                    ["outcome", "debrief"],
                    heading="Outcome and debrief (end steps)",
                    icon="flag",
                    classname="collapsed",
                ),
            ],
            settings=["image", "audio"],
        )


class ScenarioSteps(blocks.StreamBlock):
    step = StepBlock()


# --- Learning path items -------------------------------------------------------------------------


class PathItemBlock(blocks.StructBlock):
    page = blocks.PageChooserBlock(
        page_type=["training.ModulePage", "training.RolePlayScenarioPage"],
        help_text="A module or a role-play scenario.",
    )
    prerequisites = blocks.ListBlock(
        blocks.PageChooserBlock(page_type=["training.ModulePage", "training.RolePlayScenarioPage"]),
        default=[],
        required=False,
        help_text="Earlier items in this path that must be completed first.",
    )
    required = blocks.BooleanBlock(
        required=False,
        default=True,
        help_text="Untick for optional items (not needed to complete).",
    )

    class Meta:
        icon = "list-ol"
        label = "Item"


class PathItems(blocks.StreamBlock):
    item = PathItemBlock()
