"""Quality frameworks: authored as Wagtail snippets with drafts and revisions; each publish that
changes the definition freezes an immutable `FrameworkVersion` that reviews point at."""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from wagtail.fields import StreamField
from wagtail.models import DraftStateMixin, PreviewableMixin, RevisionMixin

from scorecards.blocks import FRAMEWORK_BLOCKS

if TYPE_CHECKING:
    from scorecards.framework_def import FrameworkDef


class ScoringMode(models.TextChoices):
    WEIGHTED = "weighted", "Weighted mean"
    POINTS = "points", "Points"


class FrameworkQuerySet(models.QuerySet["Framework"]):
    def in_use(self) -> FrameworkQuerySet:
        """Published and not retired: reviewers can grade with these."""
        return self.filter(live=True, retired_at__isnull=True, versions__isnull=False).distinct()


class Framework(DraftStateMixin, RevisionMixin, PreviewableMixin, models.Model):  # type: ignore[misc]
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    scoring_mode = models.CharField(
        max_length=20, choices=ScoringMode.choices, default=ScoringMode.WEIGHTED
    )
    pass_mark = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal(80),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="A review passes when its final score is at least this (0–100).",
    )
    use_section_weights = models.BooleanField(
        default=False,
        help_text="Score each section, then combine sections by their weights (summing to 100).",
    )
    sections = StreamField(FRAMEWORK_BLOCKS, blank=True)
    retired_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Retired frameworks keep their reviews but take no new ones.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FrameworkQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_preview_template(self, request: Any, mode_name: str) -> str:
        return "scorecards/framework_preview.html"

    def get_preview_context(self, request: Any, mode_name: str) -> dict[str, Any]:
        from scorecards.frameworks import definition_from_blocks

        context = super().get_preview_context(request, mode_name)
        context["definition"] = definition_from_blocks(self)
        return context


class FrameworkVersion(models.Model):
    """An immutable, published definition of a framework. Never updated; reviews point here."""

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    # scorecards.framework_def.to_json(FrameworkDef): the whole definition, frozen.
    definition = models.JSONField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["framework", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "number"], name="framework_version_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.framework} v{self.number}"

    @property
    def defn(self) -> FrameworkDef:
        """The parsed definition, cached on the instance and per version in the process."""
        cached = self.__dict__.get("_defn")
        if cached is None:
            cached = self.__dict__["_defn"] = parsed_definition(self.pk, self.definition)
        return cached


# Parsed definitions by version id. Versions are immutable, so a parse is reused by every
# request that reads the same version (the grading workspace's rate POST parses a 30-criterion
# framework otherwise). The stored JSON is compared on a hit, which is far cheaper than parsing
# and keeps the cache right even where an id is reused (a test database rolled back).
_DEFINITIONS: OrderedDict[int, tuple[Any, FrameworkDef]] = OrderedDict()
_DEFINITIONS_MAX = 64
_DEFINITIONS_LOCK = threading.Lock()


def parsed_definition(version_id: int | None, definition: Any) -> FrameworkDef:
    """`from_json(definition)`, cached by version id (the parse is immutable and shared)."""
    from scorecards.framework_def import from_json

    if version_id is None:  # not saved yet: nothing to key on
        return from_json(definition)
    with _DEFINITIONS_LOCK:
        entry = _DEFINITIONS.get(version_id)
        if entry is not None and entry[0] == definition:
            _DEFINITIONS.move_to_end(version_id)
            return entry[1]
    parsed = from_json(definition)
    with _DEFINITIONS_LOCK:
        _DEFINITIONS[version_id] = (copy.deepcopy(definition), parsed)
        _DEFINITIONS.move_to_end(version_id)
        while len(_DEFINITIONS) > _DEFINITIONS_MAX:
            _DEFINITIONS.popitem(last=False)
    return parsed
