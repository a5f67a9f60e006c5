"""Reviews: one reviewer's grading of one interaction under one framework version."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from qa_platform.people.models import User


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class ReviewPurpose(models.TextChoices):
    # Only quality reviews count in agents' quality scores; calibration arrives in a later issue.
    QUALITY = "quality", "Quality review"
    CALIBRATION = "calibration", "Calibration"


class ReviewSource(models.TextChoices):
    APP = "app", "Graded here"
    IMPORT = "import", "Imported"


class ReviewQuerySet(models.QuerySet["Review"]):
    def visible_to(self, user: User | AnonymousUser) -> ReviewQuerySet:
        from scorecards.access import reviews_q

        return self.filter(reviews_q(user))

    def submitted(self) -> ReviewQuerySet:
        return self.filter(status=ReviewStatus.SUBMITTED)

    def counting(self) -> ReviewQuerySet:
        """Submitted quality reviews: the ones agents' quality scores are made of."""
        return self.filter(status=ReviewStatus.SUBMITTED, purpose=ReviewPurpose.QUALITY)

    def for_period(self, start: object, end: object) -> ReviewQuerySet:
        """Reviews of interactions that started in [start, end)."""
        return self.filter(interaction_started_at__gte=start, interaction_started_at__lt=end)


class Review(models.Model):
    interaction = models.ForeignKey(
        "scorecards.Interaction", on_delete=models.PROTECT, related_name="reviews"
    )
    framework_version = models.ForeignKey(
        "scorecards.FrameworkVersion", on_delete=models.PROTECT, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_given"
    )
    # Copied from the interaction so scoping and period figures need no join.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_received"
    )
    team = models.ForeignKey("people.Team", on_delete=models.PROTECT, related_name="reviews")
    interaction_started_at = models.DateTimeField()
    channel = models.CharField(max_length=20)

    purpose = models.CharField(
        max_length=20, choices=ReviewPurpose.choices, default=ReviewPurpose.QUALITY
    )
    status = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    source = models.CharField(max_length=20, choices=ReviewSource.choices, default=ReviewSource.APP)
    # For imported reviews: the other tool's id, so re-importing the same batch changes nothing.
    external_id = models.CharField(max_length=200, blank=True)

    raw_score = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)
    final_score = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    fatal_failed = models.BooleanField(default=False)
    comment = models.TextField(blank=True)
    # Answers to non-scoring questions, by key.
    answers = models.JSONField(default=dict, blank=True)

    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="review_external_id",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="review_submitted_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["agent", "status", "interaction_started_at"]),
            models.Index(fields=["team", "status", "interaction_started_at"]),
            models.Index(fields=["reviewer", "status"]),
            models.Index(fields=["updated_at"]),
        ]

    def __str__(self) -> str:
        return f"Review {self.pk} of {self.interaction_id}"

    @property
    def is_submitted(self) -> bool:
        return self.status == ReviewStatus.SUBMITTED


class ReviewRating(models.Model):
    """One criterion's rating in a review. `normalised` is the 0–100 criterion score (null for
    N/A or unrated), kept so per-criterion averages are database aggregates."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="ratings")
    criterion_key = models.CharField(max_length=50)
    value = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    na = models.BooleanField(default=False)
    normalised = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)
    root_cause = models.CharField(max_length=200, blank=True)
    comment = models.TextField(blank=True)
    # Evidence: [{"kind": "quote", "message": index, "text": str} | {"kind": "time", "seconds": n}]
    evidence = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["review", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "criterion_key"], name="rating_per_criterion"
            ),
            models.CheckConstraint(
                condition=Q(na=False) | Q(value__isnull=True), name="rating_na_has_no_value"
            ),
        ]
        indexes = [models.Index(fields=["criterion_key", "review"])]

    def __str__(self) -> str:
        return f"{self.criterion_key}={self.value}"
