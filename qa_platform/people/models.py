"""People, the team tree, dated memberships, role grants and API tokens.

Teams form a tree stored as a materialised path ("/1/4/9/") so that "this team and everything under
it" is one indexed prefix query on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .roles import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class TeamKind(models.TextChoices):
    ORGANISATION = "organisation", "Organisation"
    DEPARTMENT = "department", "Department"
    TEAM = "team", "Team"


class UserQuerySet(models.QuerySet["User"]):
    def visible_to(self, user: User | AnonymousUser) -> UserQuerySet:
        from .access import people_q

        return self.filter(people_q(user))

    def active(self) -> UserQuerySet:
        return self.filter(is_active=True)

    def in_team(self, team: Team) -> UserQuerySet:
        """Current members of `team` or of any team below it."""
        members = Membership.objects.current().filter(team__path__startswith=team.path)
        return self.filter(pk__in=members.values("user_id"))

    def holding(self, role: str) -> UserQuerySet:
        """People with an active grant of `role` anywhere."""
        return self.filter(pk__in=RoleGrant.objects.active().filter(role=role).values("user_id"))


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_queryset(self) -> UserQuerySet:
        return UserQuerySet(self.model, using=self._db)

    def visible_to(self, user: User | AnonymousUser) -> UserQuerySet:
        return self.get_queryset().visible_to(user)

    def get_by_natural_key(self, username: str | None) -> User:
        """Sign-in matches the email whatever its case (emails are stored lower-case)."""
        return self.get(email__iexact=(username or "").strip())

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    employee_id = models.CharField(
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text="The person's id in the HR system; imports match on it first, then on email.",
    )
    time_zone = models.CharField(max_length=64, default="UTC")
    # Engagement results can be filtered by location (and tenure band and role); optional.
    location = models.CharField(max_length=100, blank=True, help_text="Site or city, if recorded.")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May sign in to the Wagtail admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    class Meta:
        ordering = ["full_name", "email"]
        indexes = [models.Index(fields=["is_active", "full_name"])]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name.split(" ")[0] if self.full_name else "") or self.email


class TeamQuerySet(models.QuerySet["Team"]):
    def visible_to(self, user: User | AnonymousUser) -> TeamQuerySet:
        from .access import teams_q

        return self.filter(teams_q(user))

    def subtree_of(self, team: Team) -> TeamQuerySet:
        return self.filter(path__startswith=team.path)

    def active(self) -> TeamQuerySet:
        return self.filter(is_active=True)


class Team(models.Model):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=TeamKind.choices, default=TeamKind.TEAM)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path of ids, e.g. "/1/4/9/"; maintained by services.create_team/move_team.
    path = models.CharField(max_length=1000, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    external_id = models.CharField(
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text="The team's code in the HR system; imports match on it.",
    )
    is_active = models.BooleanField(default=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]


class MembershipQuerySet(models.QuerySet["Membership"]):
    def on(self, day: dt.date) -> MembershipQuerySet:
        """Memberships in force on `day` (start inclusive, end exclusive)."""
        return self.filter(Q(end__isnull=True) | Q(end__gt=day), start__lte=day)

    def current(self) -> MembershipQuerySet:
        return self.on(timezone.localdate())


class Membership(models.Model):
    """A person's membership of a team from `start` until `end` (exclusive); open-ended when null.

    History is kept: moving a person closes the old row and opens a new one, so later figures can
    attribute work to the team of the day.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="memberships")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["-start"]
        indexes = [
            models.Index(fields=["team", "end", "start"]),
            models.Index(fields=["user", "start"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gt=models.F("start")),
                name="membership_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} from {self.start}"


class RoleGrantQuerySet(models.QuerySet["RoleGrant"]):
    def active(self) -> RoleGrantQuerySet:
        return self.filter(revoked_at__isnull=True)


class RoleGrant(models.Model):
    """`user` holds `role` on `team` and everything below it. Revoking keeps the row for history."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=20, choices=Role.choices)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="role_grants")
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        ordering = ["role", "team__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "team"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_grant_per_user_role_team",
            ),
        ]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} on {self.team}"


class ApiToken(models.Model):
    """A per-user API token. Only a SHA-256 hash is stored; the key is shown once when issued."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="platform_api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
