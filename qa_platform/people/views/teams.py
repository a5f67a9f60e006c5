"""The team tree: administrators see it with member counts and add or change teams."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib import messages
from django.db import IntegrityError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from qa_platform.http import AuthedRequest

from ..access import get_visible_or_404, grants_of, require_role
from ..forms import TeamForm
from ..models import Team
from ..roles import Role
from ..services import PeopleError, create_team, update_team
from .people import done, form_page, render_page, teams_in_admin_scope

MAX_INDENT = 8


@dataclass(frozen=True)
class TreeRow:
    team: Team
    level: int  # depth below the top of what this person sees
    parent_name: str = ""

    @property
    def indent(self) -> int:
        return min(self.level, MAX_INDENT)


def _tree(teams: Sequence[Team]) -> list[TreeRow]:
    """Depth-first, siblings by name; a subtree admin's top teams start at level 0."""
    by_id = {t.pk: t for t in teams}
    ids = set(by_id)
    children: dict[int | None, list[Team]] = {}
    for t in teams:
        parent_id = t.parent_id if t.parent_id in ids else None
        children.setdefault(parent_id, []).append(t)
    for siblings in children.values():
        siblings.sort(key=lambda t: (t.name.casefold(), t.pk))
    rows: list[TreeRow] = []
    stack: list[tuple[Team, int]] = [(t, 0) for t in reversed(children.get(None, []))]
    while stack:
        team, level = stack.pop()
        parent = by_id.get(team.parent_id) if team.parent_id else None
        rows.append(TreeRow(team, level, parent.name if parent else ""))
        stack.extend((c, level + 1) for c in reversed(children.get(team.pk, [])))
    return rows


def _parent_required(request: AuthedRequest) -> bool:
    """Only someone who administers everything may add a team at the top of the tree."""
    return grants_of(request.user).paths((Role.ADMIN,)) is not None


@require_GET
def team_list(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, Role.ADMIN)
    today = timezone.localdate()
    current = Q(memberships__start__lte=today) & (
        Q(memberships__end__isnull=True) | Q(memberships__end__gt=today)
    )
    teams = list(
        teams_in_admin_scope(request.user).annotate(
            member_count=Count("memberships__user", filter=current, distinct=True)
        )
    )
    context = {"rows": _tree(teams), "team_count": len(teams)}
    return render_page(request, "people/team_list.html", context, partial="tree")


def _crumbs(label: str) -> list[tuple[str, str | None]]:
    return [("Teams", reverse("people:teams")), (label, None)]


@require_http_methods(["GET", "POST"])
def team_create(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, Role.ADMIN)
    initial = {}
    parent_id = request.GET.get("parent", "")
    if parent_id.isdigit():
        initial["parent"] = parent_id
    form = TeamForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        parents=teams_in_admin_scope(request.user).order_by("path"),
        parent_required=_parent_required(request),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team = create_team(
                name=data["name"],
                kind=data["kind"],
                parent=data["parent"],
                external_id=data["external_id"],
                actor=request.user,
                request=request,
            )
        except PeopleError as exc:
            form.add_error(None, str(exc))
        except IntegrityError:
            form.add_error("external_id", "Another team already has this external id.")
        else:
            messages.success(request, f"Added the team {team}.")
            return done(request, reverse("people:teams"))
    return form_page(
        request,
        form=form,
        title="Add a team",
        description="Teams form a tree: organisation, departments, teams, at any depth.",
        submit_label="Add team",
        cancel_url=reverse("people:teams"),
        crumbs=_crumbs("Add a team"),
    )


@require_http_methods(["GET", "POST"])
def team_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.ADMIN)
    team = get_visible_or_404(teams_in_admin_scope(request.user), pk=pk)
    form = TeamForm(
        request.POST if request.method == "POST" else None,
        team=team,
        parents=teams_in_admin_scope(request.user).order_by("path"),
        parent_required=_parent_required(request) or team.parent_id is not None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team = update_team(
                team=team,
                name=data["name"],
                kind=data["kind"],
                parent=data["parent"],
                external_id=data["external_id"],
                is_active=data["is_active"],
                actor=request.user,
                request=request,
            )
        except PeopleError as exc:
            form.add_error("parent", str(exc))
        except IntegrityError:
            form.add_error("external_id", "Another team already has this external id.")
        else:
            messages.success(request, f"Saved the team {team}.")
            return done(request, reverse("people:teams"))
    return form_page(
        request,
        form=form,
        title=f"Edit {team}",
        description="Moving a team under another parent moves its whole subtree; "
        "roles on the new parent then reach it.",
        submit_label="Save team",
        cancel_url=reverse("people:teams"),
        crumbs=_crumbs(team.name),
    )
