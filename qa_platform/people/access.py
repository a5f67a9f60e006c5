"""The one access policy: who holds which role on which team subtree.

Every app's access helpers build on these functions. A person's grants are read once per request
(one query) and cached on the user object. Superusers count as administrators of everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from .roles import OVERSIGHT_ROLES, Role, main_role

if TYPE_CHECKING:
    from .models import Team

_CACHE_ATTR = "_qa_grants"


@dataclass(frozen=True)
class Grants:
    """Active role grants of one person: role -> team paths the role reaches (subtrees)."""

    by_role: dict[str, tuple[str, ...]] = field(default_factory=dict)
    superuser: bool = False

    @property
    def roles(self) -> set[str]:
        held = set(self.by_role)
        if self.superuser:
            held.add(Role.ADMIN)
        return held

    def paths(self, roles: Iterable[str]) -> tuple[str, ...] | None:
        """Team paths reached by any of `roles`; None means everything (superuser)."""
        if self.superuser:
            return None
        found = {p for r in roles for p in self.by_role.get(r, ())}
        # Drop paths already covered by an ancestor path: shorter queries, same meaning.
        return tuple(sorted(p for p in found if not any(p != q and p.startswith(q) for q in found)))


def grants_of(user: Any) -> Grants:
    if not getattr(user, "is_authenticated", False):
        return Grants()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    from .models import RoleGrant

    by_role: dict[str, list[str]] = {}
    rows = RoleGrant.objects.active().filter(user=user, team__is_active=True)
    for role, path in rows.values_list("role", "team__path"):
        by_role.setdefault(role, []).append(path)
    grants = Grants(
        by_role={r: tuple(p) for r, p in by_role.items()}, superuser=bool(user.is_superuser)
    )
    setattr(user, _CACHE_ATTR, grants)
    return grants


def forget_grants(user: Any) -> None:
    """Drop the cached grants after a grant changes within the same request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def has_role(user: Any, *roles: str) -> bool:
    held = grants_of(user).roles
    return any(r in held for r in roles)


def is_admin(user: Any) -> bool:
    return has_role(user, Role.ADMIN)


def user_main_role(user: Any) -> Role | None:
    return main_role(grants_of(user).roles)


def role_reaches_team(user: Any, team: Team, *roles: str) -> bool:
    paths = grants_of(user).paths(roles)
    return paths is None or any(team.path.startswith(p) for p in paths)


def _path_q(paths: tuple[str, ...] | None, lookup: str) -> Q:
    if paths is None:
        return Q()
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for p in paths:
        q |= Q(**{f"{lookup}__startswith": p})
    return q


def teams_q(user: Any, roles: Iterable[str] = tuple(Role)) -> Q:
    """Teams inside the subtrees where `user` holds any of `roles`."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    return _path_q(grants_of(user).paths(roles), "path")


def people_q(user: Any, roles: Iterable[str] = OVERSIGHT_ROLES) -> Q:
    """People `user` may see: themselves, and current members of teams their oversight roles
    reach."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    paths = grants_of(user).paths(roles)
    if paths is None:
        return Q()
    if not paths:
        return Q(pk=user.pk)
    from .models import Membership

    # An IN over the members of the reachable teams: the database reads the memberships of those
    # teams instead of probing every person in the organisation (bench/: ~4x faster for a lead).
    in_scope = Membership.objects.current().filter(_path_q(paths, "team__path")).values("user_id")
    return Q(pk=user.pk) | Q(pk__in=in_scope)


def require_role(user: Any, *roles: str) -> None:
    """403 unless `user` holds one of `roles` somewhere."""
    if not has_role(user, *roles):
        raise PermissionDenied


def get_visible_or_404[M: Model](queryset: QuerySet[M], **lookup: Any) -> M:
    """Fetch from an already scoped queryset (`X.objects.visible_to(user)`), or 404."""
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
