"""Quality rollups: the counting reviews summed per day and per ISO week, so the quality overview
reads a few thousand rows instead of every review and rating of a quarter.

Each counting review (submitted, purpose quality) adds itself to two cells of `QualityRollup`,
the day and the ISO week (Monday) of its interaction's start in the default time zone, keyed by
the team of the day, the agent, the framework version and the channel; each of its ratings adds
itself to the same two cells of `CriterionRollup` (without the agent: the overview of one agent
reads that agent's ratings directly). A period that is not whole weeks reads whole weeks from the
week cells and its edge days from the day cells (scorecards.overview).

Only scorecards.services.rollups writes these tables (called by the review services inside their
transaction, and by `manage.py rebuild_quality_rollups`), always by adding or subtracting, so the
sums stay exact and two writers never overwrite each other. The sums are exact decimals, as the
live aggregates of the reviews are, so the figures are the same to the last digit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RollupSpan(models.TextChoices):
    DAY = "d", "Day"
    WEEK = "w", "Week (Monday to Sunday)"


def _total() -> models.DecimalField:  # type: ignore[type-arg]
    """Σ of scores 0..100 with 4 places: room for 10^13 reviews."""
    return models.DecimalField(max_digits=20, decimal_places=4, default=0)


def _squares() -> models.DecimalField:  # type: ignore[type-arg]
    """Σ of squared scores (8 places, exact): room for 10^13 reviews."""
    return models.DecimalField(max_digits=26, decimal_places=8, default=0)


class QualityRollup(models.Model):
    """The counting reviews of one day or week, team, agent, framework version and channel."""

    span = models.CharField(max_length=1, choices=RollupSpan.choices)
    start = models.DateField(help_text="The day, or the Monday of the week.")
    week = models.DateField(help_text="The Monday of the week the day or week belongs to.")
    team = models.ForeignKey("people.Team", on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    framework_version = models.ForeignKey(
        "scorecards.FrameworkVersion", on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(max_length=20)

    reviews = models.IntegerField(default=0)  # counting reviews (with or without a final score)
    n = models.IntegerField(default=0)  # ... with a final score
    total = _total()  # Σ final score
    squares = _squares()  # Σ final score²
    passed = models.IntegerField(default=0)
    pass_n = models.IntegerField(default=0)  # reviews with a pass/fail verdict
    fatal = models.IntegerField(default=0)  # reviews failed by a fatal criterion

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["span", "start", "team", "agent", "framework_version", "channel"],
                name="quality_rollup_cell",
            )
        ]
        indexes = [models.Index(fields=["span", "start"], name="quality_rollup_when")]

    def __str__(self) -> str:
        return f"{self.get_span_display()} {self.start}: {self.reviews} reviews"


class CriterionRollup(models.Model):
    """The ratings of one criterion in the counting reviews of one day or week, team, framework
    version and channel. `normalised` scores never carry the fatal override (DOMAIN.md §4)."""

    span = models.CharField(max_length=1, choices=RollupSpan.choices)
    start = models.DateField()
    week = models.DateField()
    team = models.ForeignKey("people.Team", on_delete=models.CASCADE, related_name="+")
    framework_version = models.ForeignKey(
        "scorecards.FrameworkVersion", on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(max_length=20)
    criterion_key = models.CharField(max_length=50)

    ratings = models.IntegerField(default=0)  # rating rows, N/A included
    n = models.IntegerField(default=0)  # ... with a normalised score (not N/A)
    total = _total()
    squares = _squares()
    na = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["span", "start", "team", "framework_version", "channel", "criterion_key"],
                name="criterion_rollup_cell",
            )
        ]
        indexes = [models.Index(fields=["span", "start"], name="criterion_rollup_when")]

    def __str__(self) -> str:
        return f"{self.criterion_key} {self.get_span_display()} {self.start}: {self.ratings}"
