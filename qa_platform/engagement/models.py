"""Engagement surveys: definitions, the invited population, answers, results, action plans.

Identity and answers live apart (DOMAIN.md §7):

- **Identity side**: `Invitation` (who was invited, their team and attributes snapshotted at
  launch, whether they have submitted, their answers *while still in progress* in `draft`).
- **Answer side**: `Response` and `Answer`. A response has a random UUID key (no insert order to
  line up with anything), no timestamp, no IP address and, in anonymous mode, **no link to a
  person**: only the team and the attributes snapshotted at launch, which is what results need.
  In confidential and identifiable modes `respondent` is set (confidential: never shown per person).

Submitting moves the draft from the invitation into a new response in one transaction and marks the
invitation submitted; the one-way `token_hash` on the invitation is what stops a second answer.

Results are decided once, when the survey closes (`ItemResult`): the anonymity decision of every
item (which cells are shown) and the per-team answer counts they are computed from. Pages,
fragments, exports and the API read those rows; none of them decides anything itself.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .question_bank import Part, Privacy, Scale

# Attributes results can be filtered by, snapshotted per invitation at launch.
TENURE_BAND = "tenure_band"
ROLE = "role"
LOCATION = "location"
DIMENSIONS: tuple[str, ...] = (LOCATION, ROLE, TENURE_BAND)  # sorted, as anonymity expects


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"  # launched, opens later
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class PrivacyMode(models.TextChoices):
    ANONYMOUS = Privacy.ANONYMOUS.value, "Anonymous"
    CONFIDENTIAL = Privacy.CONFIDENTIAL.value, "Confidential"
    IDENTIFIABLE = Privacy.IDENTIFIABLE.value, "Identifiable"


class QuestionScale(models.TextChoices):
    AGREEMENT_5 = Scale.AGREEMENT_5.value, "Agreement (5 points)"
    ZERO_TO_TEN = Scale.ZERO_TO_TEN.value, "0 to 10"
    SINGLE_CHOICE = Scale.SINGLE_CHOICE.value, "Single choice"
    MULTIPLE_CHOICE = Scale.MULTIPLE_CHOICE.value, "Multiple choice"
    COMMENT = Scale.COMMENT.value, "Comment"


class QuestionPart(models.TextChoices):
    INDEX = Part.INDEX.value, "Engagement index"
    ENPS = Part.ENPS.value, "eNPS"
    DRIVER = Part.DRIVER.value, "Driver"
    COMMENT = Part.COMMENT.value, "Comment"
    ONBOARDING = Part.ONBOARDING.value, "Onboarding"
    EXIT = Part.EXIT.value, "Exit"
    CUSTOM = "custom", "Own question"


# --- Definition ------------------------------------------------------------------------------


class SurveyQuerySet(models.QuerySet["Survey"]):
    def launched(self) -> SurveyQuerySet:
        return self.exclude(status=SurveyStatus.DRAFT)

    def open_now(self) -> SurveyQuerySet:
        return self.filter(status=SurveyStatus.OPEN)

    def closed(self) -> SurveyQuerySet:
        return self.filter(status=SurveyStatus.CLOSED)


class Survey(models.Model):
    title = models.CharField(max_length=200)
    introduction = models.TextField(
        blank=True, help_text="Shown on the first page, above the privacy notice."
    )
    template_key = models.CharField(
        max_length=40, blank=True, help_text="The bank template it started from."
    )
    privacy = models.CharField(
        max_length=20, choices=PrivacyMode.choices, default=PrivacyMode.ANONYMOUS
    )
    # Reporting thresholds (anonymity.Thresholds); locked with the privacy mode at launch.
    score_threshold = models.PositiveSmallIntegerField(default=5)
    comment_threshold = models.PositiveSmallIntegerField(default=10)
    status = models.CharField(
        max_length=20, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    # Days before closing on which non-respondents are reminded, e.g. [7, 2].
    reminder_days = models.JSONField(default=list, blank=True)
    # The earlier wave whose results this one is compared with (same item keys).
    previous_wave = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_waves"
    )
    # Population picked before launch (each team with its subtree); snapshotted into invitations.
    teams = models.ManyToManyField("people.Team", blank=True, related_name="surveys")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    launched_at = models.DateTimeField(null=True, blank=True)
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    invited_count = models.PositiveIntegerField(default=0)  # counted at launch
    results_computed_at = models.DateTimeField(null=True, blank=True)
    is_archived = models.BooleanField(default=False)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score_threshold__gte=3), name="survey_score_k_at_least_3"
            ),
            models.CheckConstraint(
                condition=Q(comment_threshold__gte=10), name="survey_comment_k_at_least_10"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_locked(self) -> bool:
        """Privacy mode, thresholds, questions and population are fixed from launch on."""
        return self.status != SurveyStatus.DRAFT


class SurveySection(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["survey", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class SurveyQuestion(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(
        SurveySection, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    order = models.PositiveSmallIntegerField(default=0)
    # Stable across waves: a bank key ("driver.manager.helps") or "own.<slug>" for HR's own.
    key = models.CharField(max_length=80)
    text = models.CharField(max_length=500)
    scale = models.CharField(max_length=20, choices=QuestionScale.choices)
    part = models.CharField(
        max_length=20, choices=QuestionPart.choices, default=QuestionPart.CUSTOM
    )
    driver = models.CharField(max_length=40, blank=True)  # driver key for driver items
    options = models.JSONField(default=list, blank=True)  # single/multiple choice labels
    required = models.BooleanField(default=True)
    follow_up_of = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["survey", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "key"], name="survey_question_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.text}"


# --- Identity side ---------------------------------------------------------------------------


class Invitation(models.Model):
    """One invited person (identity side). Never joined to `Response` by any column."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    # Snapshotted at launch: the team results count the answer in, and the filter attributes.
    team = models.ForeignKey("people.Team", on_delete=models.PROTECT, related_name="+")
    attributes = models.JSONField(default=dict, blank=True)
    # sha256 of the random token in the invitation link (the token itself is never stored).
    token_hash = models.CharField(max_length=64, unique=True)
    invited_at = models.DateTimeField(default=timezone.now)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    # Answers while in progress; emptied in the transaction that creates the response.
    draft = models.JSONField(default=dict, blank=True)
    # Only the system reads this (to stop a second answer, to remind non-respondents); no page
    # lists who has or has not responded.
    submitted = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "person"], name="invitation_once_per_person")
        ]
        indexes = [models.Index(fields=["person", "submitted"])]

    def __str__(self) -> str:
        return f"Invitation #{self.pk} to {self.survey_id}"


# --- Answer side -----------------------------------------------------------------------------


class Response(models.Model):
    """One submitted response: a random key, no timestamp, no IP; in anonymous mode, no person."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    team = models.ForeignKey("people.Team", on_delete=models.PROTECT, related_name="+")
    attributes = models.JSONField(default=dict, blank=True)
    # Set in confidential and identifiable modes only. A check constraint cannot look at the
    # survey's privacy mode in another table, so services.responses.submit_response enforces it
    # and tests inspect every anonymous response.
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The respondent's engagement index (0-100, mean of the index items answered), for the group
    # index; None when no index item was answered.
    index_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["survey", "team"])]

    def __str__(self) -> str:
        return f"Response to {self.survey_id}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="answers")
    value = models.SmallIntegerField(null=True, blank=True)  # agreement 1-5, 0-10, choice index
    choices = models.JSONField(null=True, blank=True)  # multiple choice: list of option indexes
    text = models.TextField(blank=True)  # comments

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="answer_once_per_question"
            )
        ]
        indexes = [models.Index(fields=["question", "value"])]

    def __str__(self) -> str:
        return f"Answer to {self.question_id}"


# --- Results, decided at close ---------------------------------------------------------------


class ResultKind(models.TextChoices):
    SCORES = "scores", "Scores"
    COMMENTS = "comments", "Comments"


class ItemResult(models.Model):
    """The published result of one item (a question, or "index" / "enps" / "driver.<key>") of a
    closed survey: the anonymity decision over every cell and the counts behind it.

    `shown` maps a cell key ("<team id>" or "<team id>|attr=value;attr=value") to its n for every
    cell that may be shown; `hidden` maps every other cell with answers to its reason. `counts`
    holds, per team id (answers attached to that team itself, not its subtree), what the figures
    are computed from: a list of counts per scale value, plus sums for means."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="item_results")
    item_key = models.CharField(max_length=80)
    kind = models.CharField(max_length=20, choices=ResultKind.choices, default=ResultKind.SCORES)
    threshold = models.PositiveSmallIntegerField()
    shown = models.JSONField(default=dict)
    hidden = models.JSONField(default=dict)
    counts = models.JSONField(default=dict)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "item_key", "kind"], name="item_result_once_per_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_key} ({self.kind})"


# --- Acting on results -----------------------------------------------------------------------


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class ActionPlanQuerySet(models.QuerySet["ActionPlan"]):
    def open(self) -> ActionPlanQuerySet:
        return self.filter(status__in=[ActionStatus.PLANNED, ActionStatus.IN_PROGRESS])


class ActionPlan(models.Model):
    """An action on one driver for one team (its subtree), in response to one survey's results."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="action_plans")
    team = models.ForeignKey("people.Team", on_delete=models.PROTECT, related_name="action_plans")
    driver = models.CharField(max_length=80)  # driver key, or an item key
    action = models.CharField(max_length=300)
    details = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_action_plans"
    )
    due_date = models.DateField()
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ActionPlanQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["team", "driver"])]

    def __str__(self) -> str:
        return self.action


class ActionUpdate(models.Model):
    """A "you said, we did" update, shown on the home of the plan's team members once published."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]

    def __str__(self) -> str:
        return self.text[:60]


# --- Customer results beyond feedback (for the CX overview) ----------------------------------


class CustomerPeriod(models.Model):
    """Customer counts and revenue for one month, for the whole organisation (team empty) or one
    team, imported by CSV or API. Retention, churn and the estimated customer lifetime value on the
    CX overview are computed from these and labelled as estimates."""

    month = models.DateField(help_text="The first day of the month.")
    team = models.ForeignKey(
        "people.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    customers_at_start = models.PositiveIntegerField()
    customers_lost = models.PositiveIntegerField(default=0)
    customers_gained = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    source = models.CharField(max_length=100, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["month"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "team"], name="customer_period_once_per_team_month"
            ),
            models.UniqueConstraint(
                fields=["month"],
                condition=Q(team__isnull=True),
                name="customer_period_once_per_org_month",
            ),
        ]

    def __str__(self) -> str:
        return f"Customers {self.month:%Y-%m}"


def attributes_filter_key(attributes: dict[str, Any]) -> str:
    """The canonical cell key suffix for a filter combination ("attr=value;attr=value")."""
    return ";".join(f"{k}={attributes[k]}" for k in sorted(attributes))
