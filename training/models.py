"""Learner state: assignments and their rules, attempts and answers, free-response grades,
certificates. The pages themselves (modules, role-plays, paths) live in `training.pages`.

Learner state never lives in page fields. An attempt is pinned to the page revision it began on
(`Attempt.revision`), so publishing a new revision never changes an attempt in progress or an old
result. Nothing here is deleted when content changes: pages and revisions are PROTECTed.

Every read that reaches a person's data goes through `visible_to(user)` (training.access).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from qa_platform.people.roles import Role

from . import access


class AssignmentSource(models.TextChoices):
    MANUAL = "manual", "Assigned by a person"
    RULE = "rule", "Assignment rule"
    RECERTIFICATION = "recertification", "Recertification"
    QA_TRIGGER = "qa_trigger", "QA trigger"


class AttemptKind(models.TextChoices):
    MODULE = "module", "Module"
    SCENARIO = "scenario", "Role-play"


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    PENDING_GRADING = "pending_grading", "Pending grading"
    COMPLETED = "completed", "Completed"
    ABANDONED = "abandoned", "Abandoned"


class AnswerKind(models.TextChoices):
    QUESTION = "question", "Knowledge-check answer"
    STEP = "step", "Role-play step"


# --- Rules -----------------------------------------------------------------------------------


class AssignmentRuleQuerySet(models.QuerySet["AssignmentRule"]):
    def active(self) -> AssignmentRuleQuerySet:
        return self.filter(is_active=True)

    def visible_to(self, user: Any) -> AssignmentRuleQuerySet:
        return self.filter(access.rules_q(user))


class AssignmentRule(models.Model):
    """Gives `page` to everyone it reaches: a team subtree, a role, people in their first N days
    (all that are set must hold). Reconciled by `services.reconcile_rules`."""

    name = models.CharField(max_length=200)
    page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        related_name="training_rules",
        help_text="The module, role-play or learning path to assign.",
    )
    team = models.ForeignKey(
        "people.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_rules",
        help_text="Everyone in this team and the teams below it; empty: every team.",
    )
    role = models.CharField(
        max_length=20,
        choices=Role.choices,
        blank=True,
        help_text="Only people holding this role; empty: any role.",
    )
    first_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Only people in their first N days (new starters); empty: everyone.",
    )
    due_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Due this many days after it is assigned; empty: no date."
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssignmentRuleQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["is_active", "page"])]

    def __str__(self) -> str:
        return self.name


# --- Assignments -----------------------------------------------------------------------------


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def visible_to(self, user: Any) -> AssignmentQuerySet:
        return self.filter(access.person_scope_q(user))

    def open(self) -> AssignmentQuerySet:
        """Neither withdrawn nor completed."""
        return self.filter(withdrawn_at__isnull=True, completed_at__isnull=True)

    def current(self) -> AssignmentQuerySet:
        """Not withdrawn (open or completed): what "My training" lists."""
        return self.filter(withdrawn_at__isnull=True)

    def overdue(self, today: dt.date | None = None) -> AssignmentQuerySet:
        return self.open().filter(due_at__lt=today or timezone.localdate())

    def for_team(self, team: Any) -> AssignmentQuerySet:
        """Assignments of current members of `team` and the teams below it."""
        from qa_platform.people.models import Membership

        members = Membership.objects.current().filter(team__path__startswith=team.path)
        return self.filter(person_id__in=members.values("user_id"))


class Assignment(models.Model):
    """Training given to one person, with a due date and where it came from.

    At most one open assignment per person and page (constraint). `started_at` is set when the
    person starts an official attempt of the page (or of an item of the path), so rules know what
    they may still withdraw."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_assignments"
    )
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.PROTECT, related_name="training_assignments"
    )
    due_at = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=20, choices=AssignmentSource.choices)
    rule = models.ForeignKey(
        AssignmentRule,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    due_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    overdue_reminder_sent_at = models.DateTimeField(null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "page"],
                condition=Q(withdrawn_at__isnull=True, completed_at__isnull=True),
                name="training_one_open_assignment_per_person_page",
            ),
        ]
        indexes = [
            # "My training" and the status filters: a person's current assignments by due date.
            models.Index(fields=["person", "withdrawn_at", "due_at"]),
            # Reports by item, and reconciling a page's assignments.
            models.Index(fields=["page", "withdrawn_at", "completed_at"]),
            # Overdue lists and reminders.
            models.Index(fields=["due_at", "completed_at", "withdrawn_at"]),
            # The completions API (updated_since) and recent completions.
            models.Index(fields=["completed_at"]),
            models.Index(fields=["source", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.page} for {self.person}"

    @property
    def is_open(self) -> bool:
        return self.withdrawn_at is None and self.completed_at is None


# --- Attempts --------------------------------------------------------------------------------


class AttemptQuerySet(models.QuerySet["Attempt"]):
    def visible_to(self, user: Any) -> AttemptQuerySet:
        return self.filter(access.person_scope_q(user))

    def official(self) -> AttemptQuerySet:
        return self.filter(practice=False)

    def practice(self) -> AttemptQuerySet:
        return self.filter(practice=True)

    def counting(self) -> AttemptQuerySet:
        """Official attempts that used up a try (everything but abandoned ones)."""
        return self.official().exclude(status=AttemptStatus.ABANDONED)

    def passed(self) -> AttemptQuerySet:
        return self.official().filter(status=AttemptStatus.COMPLETED, passed=True)

    def pending_grading(self) -> AttemptQuerySet:
        return self.filter(status=AttemptStatus.PENDING_GRADING)


class Attempt(models.Model):
    """One run through a module or role-play, pinned to the revision it began on."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_attempts"
    )
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.PROTECT, related_name="training_attempts"
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision", on_delete=models.PROTECT, related_name="training_attempts"
    )
    kind = models.CharField(max_length=10, choices=AttemptKind.choices)
    practice = models.BooleanField(default=False)
    status = models.CharField(
        max_length=20, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    points = models.IntegerField(default=0)
    max_points = models.IntegerField(default=0)
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    current_step = models.CharField(max_length=100, blank=True)
    outcome = models.CharField(max_length=20, blank=True, help_text="A role-play's end outcome.")
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.SET_NULL, related_name="attempts"
    )

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            # Resuming, not restarting: one open attempt per person, page and kind of attempt.
            models.UniqueConstraint(
                fields=["person", "page", "practice"],
                condition=Q(status="in_progress"),
                name="training_one_open_attempt_per_person_page",
            ),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__gte=0, percent__lte=100),
                name="training_attempt_percent_0_100",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "page", "practice", "status"]),
            # Reports: pass rates and attempts per item over a period.
            models.Index(fields=["page", "practice", "status", "finished_at"]),
            # The grading queue.
            models.Index(fields=["status", "finished_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} attempt at {self.page} by {self.person}"

    @property
    def is_open(self) -> bool:
        return self.status == AttemptStatus.IN_PROGRESS


class AttemptAnswer(models.Model):
    """One stored answer: a knowledge-check answer (`key` = the question key, once per attempt) or
    a role-play step (`key` = the step key, `ordinal` = its place in the path taken)."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    kind = models.CharField(max_length=10, choices=AnswerKind.choices)
    key = models.CharField(max_length=100)
    ordinal = models.PositiveIntegerField()
    answer = models.JSONField(default=dict)
    correct = models.BooleanField(null=True, blank=True)
    points = models.IntegerField(default=0)
    critical = models.BooleanField(default=False)
    feedback = models.TextField(blank=True)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["attempt", "ordinal"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "key"],
                condition=Q(kind="question"),
                name="training_one_answer_per_question",
            ),
            models.UniqueConstraint(
                fields=["attempt", "ordinal"], name="training_one_answer_per_ordinal"
            ),
        ]
        indexes = [
            # "Answered wrongly most often": per page and key, through the attempt.
            models.Index(fields=["key", "correct"]),
        ]

    def __str__(self) -> str:
        return f"{self.key} in attempt {self.attempt_id}"


class FreeResponseGrade(models.Model):
    """A lead's or reviewer's grade of one free role-play response against framework criteria."""

    answer = models.OneToOneField(AttemptAnswer, on_delete=models.CASCADE, related_name="grade")
    grader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    ratings = models.JSONField(default=dict)  # {criterion_key: value}
    points = models.IntegerField(default=0)
    comment = models.TextField(blank=True)
    graded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Grade of {self.answer}"


# --- Certificates ----------------------------------------------------------------------------


class CertificateQuerySet(models.QuerySet["Certificate"]):
    def visible_to(self, user: Any) -> CertificateQuerySet:
        return self.filter(access.person_scope_q(user))

    def valid(self, at: dt.datetime | None = None) -> CertificateQuerySet:
        at = at or timezone.now()
        return self.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=at), revoked_at__isnull=True
        )


class Certificate(models.Model):
    """Issued when a person completes a learning path that gives one. `code` is public (the
    verification page) and unguessable."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_certificates"
    )
    path = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.PROTECT, related_name="training_certificates"
    )
    path_title = models.CharField(max_length=255, help_text="The path's title when issued.")
    person_name = models.CharField(max_length=200, help_text="The person's name when issued.")
    code = models.CharField(max_length=32, unique=True)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recertification = models.ForeignKey(
        Assignment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The assignment that asks the person to renew this certificate.",
    )

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        indexes = [
            models.Index(fields=["person", "path", "issued_at"]),
            # Recertification: certificates expiring soon.
            models.Index(fields=["expires_at", "revoked_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.path_title} — {self.person_name}"

    def state(self, at: dt.datetime | None = None) -> str:
        """ "valid", "expired" or "revoked"."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= (at or timezone.now()):
            return "expired"
        return "valid"
