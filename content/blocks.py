"""StreamField blocks for the CX knowledge pages: standards text with links to framework criteria,
journey-map actions and touchpoints, playbook steps and escalation levels."""

from __future__ import annotations

from typing import Any

from django.forms.utils import ErrorList
from wagtail import blocks
from wagtail.blocks import StructBlockValidationError
from wagtail.images.blocks import ImageBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from content.journey import HEALTH_CHOICES, VISIBILITY_CHOICES

RICH_FEATURES = ["h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link"]


def criterion_of(framework: Any, key: str) -> Any | None:
    """The criterion `key` in `framework`'s latest published version (None when the framework is
    unpublished or the version has no such criterion)."""
    if framework is None or not key:
        return None
    version = framework.versions.order_by("-number").first()
    if version is None:
        return None
    try:
        return version.defn.criterion(key)
    except KeyError:
        return None


class CriterionLinkBlock(blocks.StructBlock):
    """A link from standards text to one criterion of a quality framework, shown with the
    criterion's label and guidance from the framework's current published version."""

    framework = SnippetChooserBlock(
        "scorecards.Framework",
        help_text="The quality framework the criterion belongs to.",
    )
    criterion = blocks.CharBlock(
        max_length=80,
        help_text="The criterion's key in the framework's current published version, "
        "e.g. 'empathy'. Keys are shown on the framework's versions page.",
    )
    note = blocks.TextBlock(
        required=False,
        help_text="Optional: how this standard shows up in that criterion (one or two sentences).",
    )

    class Meta:
        icon = "tasks"
        label = "Framework criterion"
        template = "content/blocks/criterion_link.html"

    def clean(self, value: Any) -> Any:
        cleaned = super().clean(value)
        framework = cleaned.get("framework")
        key = (cleaned.get("criterion") or "").strip()
        if framework is not None and key and criterion_of(framework, key) is None:
            version = framework.versions.order_by("-number").first()
            if version is None:
                message = f"'{framework}' has no published version yet; publish it first."
            else:
                known = ", ".join(c.key for c in version.defn.criteria)
                message = (
                    f"'{framework}' version {version.number} has no criterion '{key}'. "
                    f"Its criteria are: {known}."
                )
            raise StructBlockValidationError(block_errors={"criterion": ErrorList([message])})
        return cleaned

    def get_context(self, value: Any, parent_context: dict[str, Any] | None = None) -> Any:
        context = super().get_context(value, parent_context)
        context["criterion"] = criterion_of(value.get("framework"), value.get("criterion", ""))
        return context


class StandardsBlocks(blocks.StreamBlock):
    heading = blocks.CharBlock(
        form_classname="title",
        icon="title",
        help_text="A section heading (shown as a level-2 heading).",
        template="content/blocks/heading.html",
    )
    paragraph = blocks.RichTextBlock(
        features=RICH_FEATURES, help_text="Text of the standard: what good service means here."
    )
    criterion_link = CriterionLinkBlock()


class BodyBlocks(blocks.StreamBlock):
    heading = blocks.CharBlock(
        form_classname="title",
        icon="title",
        help_text="A section heading (shown as a level-2 heading).",
        template="content/blocks/heading.html",
    )
    paragraph = blocks.RichTextBlock(features=RICH_FEATURES, help_text="Body text.")
    image = ImageBlock(required=False, help_text="An image with alternative text.")


class TouchpointBlock(blocks.StructBlock):
    name = blocks.CharBlock(
        max_length=120,
        help_text="What happens at this point, e.g. 'Order tracking page' or 'Refund approval'.",
    )
    visibility = blocks.ChoiceBlock(
        choices=VISIBILITY_CHOICES,
        default="above",
        help_text="Above the line: the customer sees or does it. Below the line: back-office "
        "teams, systems and policies the customer does not see.",
    )
    owner = blocks.CharBlock(
        required=False,
        max_length=120,
        help_text="Optional: the team or system responsible, e.g. 'Warehouse returns desk'.",
    )
    health = blocks.ChoiceBlock(
        choices=HEALTH_CHOICES,
        default="green",
        help_text="Green: works well for the person doing it. Yellow: makes people unhappy. "
        "Red: makes people very unhappy.",
    )
    word = blocks.CharBlock(
        required=False,
        max_length=40,
        help_text="Optional word shown with the health mark (colour is never shown alone). "
        "Leave empty for 'Works well', 'Unhappy' or 'Very unhappy'.",
    )
    note = blocks.TextBlock(
        required=False, help_text="Why it has this health mark: what works or what hurts."
    )

    class Meta:
        icon = "pick"
        label = "Touchpoint"


class JourneyActionBlock(blocks.StructBlock):
    action = blocks.CharBlock(
        max_length=120,
        help_text="What the customer does at this step, in their words, e.g. 'Reports the damage'.",
    )
    description = blocks.TextBlock(
        required=False, help_text="Optional: more about this step (one or two sentences)."
    )
    people = blocks.ListBlock(
        blocks.CharBlock(max_length=120, label="Person or team"),
        default=[],
        help_text="The people and teams the customer deals with at this step.",
    )
    touchpoints = blocks.ListBlock(
        TouchpointBlock(),
        default=[],
        help_text="The touchpoints of this step, above or below the line of visibility.",
    )

    class Meta:
        icon = "arrow-right"
        label = "Customer action"


class JourneyBlocks(blocks.StreamBlock):
    action = JourneyActionBlock()

    class Meta:
        min_num = 1


class PlaybookStepBlock(blocks.StructBlock):
    title = blocks.CharBlock(
        max_length=120, help_text="The step in a few words, e.g. 'Listen without interrupting'."
    )
    detail = blocks.RichTextBlock(
        features=RICH_FEATURES, help_text="How to do it well, with example phrases."
    )

    class Meta:
        icon = "list-ol"
        label = "Step"


TIME_UNITS = [("minutes", "minutes"), ("hours", "hours"), ("working_days", "working days")]


class EscalationLevelBlock(blocks.StructBlock):
    to = blocks.CharBlock(
        max_length=120, help_text="Who takes it at this level, e.g. 'Team lead on shift'."
    )
    when = blocks.TextBlock(help_text="When to escalate to this level.")
    time_limit = blocks.IntegerBlock(
        min_value=1, help_text="How long they have to respond (a whole number)."
    )
    unit = blocks.ChoiceBlock(
        choices=TIME_UNITS, default="hours", help_text="The unit of the time limit."
    )

    class Meta:
        icon = "warning"
        label = "Escalation level"


class RootCauseBlock(blocks.StructBlock):
    cause = blocks.CharBlock(max_length=120, help_text="A root cause to record, e.g. 'Courier'.")
    how_to_record = blocks.TextBlock(
        required=False, help_text="Where and how to record it, e.g. the case field or tag."
    )

    class Meta:
        icon = "tag"
        label = "Root cause"
