"""Flat read models for lists: a person's current teams and active roles in two queries.

Lists of people (the people page, the API) show each person's team and roles. Prefetching model
instances built four objects per row and was a third of the page's time in bench/; plain tuples
carry the same facts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .models import Membership, RoleGrant, User
from .roles import Role


@dataclass(frozen=True)
class TeamRef:
    pk: int
    name: str
    code: str | None
    start: dt.date


@dataclass(frozen=True)
class GrantRef:
    role: str
    team_pk: int
    team_name: str
    team_code: str | None

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


def attach_teams_and_roles[P: Iterable[User]](people: P) -> P:
    """Set `teams_now` (by name) and `grants_now` (by role) on each person; returns `people`."""
    ids = [p.pk for p in people]
    teams: dict[int, list[TeamRef]] = defaultdict(list)
    grants: dict[int, list[GrantRef]] = defaultdict(list)
    if ids:
        memberships = (
            Membership.objects.current()
            .filter(user_id__in=ids)
            .order_by("team__name", "pk")
            .values_list("user_id", "team_id", "team__name", "team__external_id", "start")
        )
        for user_id, pk, name, code, start in memberships:
            teams[user_id].append(TeamRef(pk, name, code, start))
        active = (
            RoleGrant.objects.active()
            .filter(user_id__in=ids)
            .order_by("role", "team__path")
            .values_list("user_id", "role", "team_id", "team__name", "team__external_id")
        )
        for user_id, role, pk, name, code in active:
            grants[user_id].append(GrantRef(role, pk, name, code))
    for person in people:
        person.teams_now = teams[person.pk]  # type: ignore[attr-defined]
        person.grants_now = grants[person.pk]  # type: ignore[attr-defined]
    return people
