"""Customer interactions and customer feedback, as they arrive from other systems."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from qa_platform.people.models import User


class Channel(models.TextChoices):
    CALL = "call", "Call"
    CHAT = "chat", "Chat"
    EMAIL = "email", "Email"
    MESSAGING = "messaging", "Messaging"
    SOCIAL = "social", "Social"


class InteractionQuerySet(models.QuerySet["Interaction"]):
    def visible_to(self, user: User | AnonymousUser) -> InteractionQuerySet:
        from scorecards.access import interactions_q

        return self.filter(interactions_q(user))

    def with_review_flag(self) -> InteractionQuerySet:
        from .reviews import Review, ReviewStatus

        submitted = Review.objects.filter(interaction=OuterRef("pk"), status=ReviewStatus.SUBMITTED)
        return self.annotate(has_review=Exists(submitted))

    def unreviewed(self) -> InteractionQuerySet:
        from .reviews import Review

        return self.exclude(Exists(Review.objects.filter(interaction=OuterRef("pk"))))


class Interaction(models.Model):
    """One customer contact, keyed by the source system's own id so re-imports update it."""

    source = models.CharField(max_length=50, help_text="The system it came from, e.g. 'zendesk'.")
    source_id = models.CharField(max_length=200, help_text="Its id in that system.")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    # No single-column indexes on agent and team: the (agent, started_at) and (team, started_at)
    # indexes below serve every lookup by either (and the PROTECT checks) and cost an import
    # less to keep up to date.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="interactions",
        db_index=False,
    )
    # The agent's team on the day of the contact: later figures attribute work to it.
    team = models.ForeignKey(
        "people.Team", on_delete=models.PROTECT, related_name="interactions", db_index=False
    )
    started_at = models.DateTimeField()
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    queue = models.CharField(max_length=200, blank=True)
    topic = models.CharField(max_length=200, blank=True)
    recording_url = models.URLField(max_length=1000, blank=True)
    recording_file = models.FileField(upload_to="recordings/%Y/%m/", blank=True)
    ticket_url = models.URLField(max_length=1000, blank=True)
    escalated = models.BooleanField(default=False)
    repeat_contact = models.BooleanField(default=False)
    custom_fields = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InteractionQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="interaction_source_key"),
        ]
        indexes = [
            models.Index(fields=["team", "started_at"]),
            models.Index(fields=["agent", "started_at"]),
            models.Index(fields=["started_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.source}:{self.source_id}"


class Speaker(models.TextChoices):
    AGENT = "agent", "Agent"
    CUSTOMER = "customer", "Customer"
    SYSTEM = "system", "System"


class Transcript(models.Model):
    """The transcript or message thread, apart from the interaction so lists stay narrow.

    `messages` is a list of {"speaker": agent|customer|system, "name": str, "at": ISO time or null,
    "offset": seconds into the recording or null, "text": str, "internal": bool}.
    """

    interaction = models.OneToOneField(
        Interaction, on_delete=models.CASCADE, primary_key=True, related_name="transcript"
    )
    messages = models.JSONField(default=list)
    masked = models.BooleanField(
        default=False, help_text="Card numbers, emails and phone numbers were masked on import."
    )

    def __str__(self) -> str:
        return f"Transcript of {self.interaction_id}"


class CesVersion(models.TextChoices):
    AGREE_7 = "7pt-agree", "7-point agreement (higher is easier)"
    EFFORT_5 = "5pt-effort", "5-point effort (lower is easier)"


class CustomerFeedbackQuerySet(models.QuerySet["CustomerFeedback"]):
    def visible_to(self, user: User | AnonymousUser) -> CustomerFeedbackQuerySet:
        from scorecards.access import feedback_q

        return self.filter(feedback_q(user))


class CustomerFeedback(models.Model):
    """A customer's answer (CSAT 1–5, NPS 0–10, CES with its version), on an interaction or alone.

    Raw answers are stored with their scale; figures never mix CES versions.
    """

    source = models.CharField(max_length=50)
    source_id = models.CharField(max_length=200)
    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customer_feedback",
    )
    team = models.ForeignKey(
        "people.Team", on_delete=models.PROTECT, related_name="customer_feedback"
    )
    received_at = models.DateTimeField()
    csat = models.PositiveSmallIntegerField(null=True, blank=True)
    nps = models.PositiveSmallIntegerField(null=True, blank=True)
    ces = models.PositiveSmallIntegerField(null=True, blank=True)
    ces_version = models.CharField(max_length=20, choices=CesVersion.choices, blank=True)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CustomerFeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="feedback_source_key"),
            models.CheckConstraint(
                condition=Q(csat__isnull=True) | Q(csat__gte=1, csat__lte=5), name="feedback_csat"
            ),
            models.CheckConstraint(
                condition=Q(nps__isnull=True) | Q(nps__lte=10), name="feedback_nps"
            ),
            models.CheckConstraint(
                condition=Q(ces__isnull=True)
                | Q(ces_version="7pt-agree", ces__gte=1, ces__lte=7)
                | Q(ces_version="5pt-effort", ces__gte=1, ces__lte=5),
                name="feedback_ces_with_version",
            ),
        ]
        indexes = [
            models.Index(fields=["agent", "received_at"]),
            models.Index(fields=["team", "received_at"]),
        ]

    def __str__(self) -> str:
        return f"Feedback {self.source}:{self.source_id}"
