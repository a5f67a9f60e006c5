"""Factories for people, teams, memberships, grants and tokens.

Writes that matter go through services in the tests themselves; factories arrange state quickly."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from qa_platform.people.models import ApiToken, Membership, RoleGrant, Team, TeamKind, User
from qa_platform.people.roles import Role
from qa_platform.people.tokens import hash_key

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    # Plain, predictable names: a random one could match a search term in a test.
    full_name = factory.Sequence(lambda n: f"Person {n}")
    employee_id = factory.Sequence(lambda n: f"E{n:05d}")
    password = factory.django.Password(PASSWORD)


class TeamFactory(factory.django.DjangoModelFactory):
    """A team whose materialised path is set the way services.create_team sets it."""

    class Meta:
        model = Team
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Team {n}")
    kind = TeamKind.TEAM
    parent = None

    @factory.post_generation
    def _path(obj: Team, create: bool, extracted: object, **kwargs: object) -> None:
        prefix = obj.parent.path if obj.parent else "/"
        obj.path = f"{prefix}{obj.pk}/"
        obj.depth = prefix.count("/") - 1
        if create:
            obj.save(update_fields=["path", "depth"])


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    start = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=365))
    end = None


class RoleGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleGrant

    user = factory.SubFactory(UserFactory)
    role = Role.AGENT
    team = factory.SubFactory(TeamFactory)


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """Use `ApiTokenFactory(key="qap_...")` to know the plain key in a test."""

    class Meta:
        model = ApiToken
        exclude = ["key"]

    user = factory.SubFactory(UserFactory)
    name = "Test token"
    key = factory.Sequence(lambda n: f"qap_test_key_{n:06d}")
    prefix = factory.LazyAttribute(lambda o: o.key[:12])
    key_hash = factory.LazyAttribute(lambda o: hash_key(o.key))


def person_with_role(
    role: str, team: Team, *, member_of: Team | None = None, **kwargs: object
) -> User:
    """A person holding `role` on `team`, and a current member of `member_of` (default `team`)."""
    user = UserFactory(**kwargs)
    MembershipFactory(user=user, team=member_of or team)
    RoleGrantFactory(user=user, role=role, team=team)
    return user
