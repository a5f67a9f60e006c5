"""People and teams endpoints: paginated lists scoped by the access policy, and bulk upserts.

Lists see what the token's owner sees (`visible_to`); bulk upserts are for administrators' tokens
and use the same all-or-nothing import service as the CSV upload. Row errors come back as 422 with
`{"detail": [{"row": n, "field": "...", "reason": "..."}]}`, rows counted from 1 in the array.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer

from .access import is_admin
from .imports import ImportResult, import_people, import_teams
from .models import Team, User
from .summaries import GrantRef, TeamRef, attach_teams_and_roles
from .tokens import user_for_token

router = Router(tags=["people"])

MAX_PAGE = 1_000_000


class AdminTokenAuth(HttpBearer):
    """A valid token (else 401) whose owner is an administrator (else 403, before the body)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        if not is_admin(user):
            raise HttpError(403, "Only an administrator's token may do this.")
        return user


# --- Schemas --------------------------------------------------------------------------------


class PageParams(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    page_size: int = Field(
        settings.API_PAGE_SIZE,
        ge=1,
        le=settings.API_PAGE_SIZE,
        description=f"Items per page, at most {settings.API_PAGE_SIZE}.",
    )


class PeopleFilters(PageParams):
    team: str | None = Field(
        None, max_length=64, description="A team's code or id: its members and its sub-teams'."
    )
    active: bool | None = Field(None, description="Only active (true) or deactivated (false).")


class RoleOut(Schema):
    role: str
    team_id: int
    team_code: str | None


class PersonOut(Schema):
    id: int
    email: str
    full_name: str
    employee_id: str | None
    is_active: bool
    team_id: int | None
    team_code: str | None
    team_name: str | None
    roles: list[RoleOut]


class PeoplePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[PersonOut]


class TeamOut(Schema):
    id: int
    code: str | None
    name: str
    kind: str
    parent_id: int | None
    parent_code: str | None
    depth: int
    is_active: bool


class TeamsPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[TeamOut]


class PersonIn(Schema):
    email: str = Field(max_length=254)
    full_name: str | None = Field(None, max_length=200)
    employee_id: str | None = Field(None, max_length=64)
    team_code: str | None = Field(None, max_length=64)
    team_name: str | None = Field(None, max_length=200)
    parent_team_code: str | None = Field(None, max_length=64)
    team_kind: str | None = Field(None, max_length=20)
    roles: list[str] = Field(default_factory=list, max_length=10)
    start_date: str | None = Field(
        None, max_length=32, description="YYYY-MM-DD; default today.", examples=["2025-03-01"]
    )
    active: bool = True


class PeopleBulkIn(Schema):
    full: bool = Field(
        False, description="A full export: deactivate active people missing from `people`."
    )
    dry_run: bool = Field(False, description="Check and count, but save nothing.")
    people: list[PersonIn] = Field(max_length=settings.API_MAX_BATCH)


class TeamIn(Schema):
    code: str = Field(max_length=64)
    name: str | None = Field(None, max_length=200)
    parent_code: str | None = Field(None, max_length=64)
    kind: str | None = Field(None, max_length=20)


class TeamsBulkIn(Schema):
    dry_run: bool = False
    teams: list[TeamIn] = Field(max_length=settings.API_MAX_BATCH)


class ImportOut(Schema):
    created: int
    updated: int
    moved: int
    granted: int
    deactivated: int
    unchanged: int
    teams_created: int
    teams_updated: int
    dry_run: bool


class TeamsImportOut(Schema):
    created: int
    updated: int
    unchanged: int
    dry_run: bool


class RowErrorOut(Schema):
    row: int | None
    field: str | None
    reason: str


class RowErrorsOut(Schema):
    detail: list[RowErrorOut]


class DetailOut(Schema):
    detail: str


# --- Lists ----------------------------------------------------------------------------------


def _page(queryset: QuerySet[Any], params: PageParams) -> tuple[int, list[Any]]:
    count = queryset.count()
    start = (params.page - 1) * params.page_size
    if start >= count:
        return count, []
    return count, list(queryset[start : start + params.page_size])


def _person_out(person: User) -> dict[str, Any]:
    """One person as the API shows them; needs summaries.attach_teams_and_roles first."""
    current: list[TeamRef] = person.teams_now  # type: ignore[attr-defined]
    team = max(current, key=lambda t: (t.start, t.pk)) if current else None
    grants: list[GrantRef] = person.grants_now  # type: ignore[attr-defined]
    return {
        "id": person.pk,
        "email": person.email,
        "full_name": person.full_name,
        "employee_id": person.employee_id,
        "is_active": person.is_active,
        "team_id": team.pk if team else None,
        "team_code": team.code if team else None,
        "team_name": team.name if team else None,
        "roles": [{"role": g.role, "team_id": g.team_pk, "team_code": g.team_code} for g in grants],
    }


@router.get(
    "/people",
    response={200: PeoplePage, 404: DetailOut},
    url_name="people",
    summary="List people",
)
def list_people(request: HttpRequest, filters: Query[PeopleFilters]) -> Any:
    """People the token's owner may see, by email, with their current team and active roles."""
    user = request.user
    people = User.objects.visible_to(user).order_by("email", "pk")
    if filters.team:
        teams = Team.objects.visible_to(user)
        team = teams.filter(external_id=filters.team).first()
        if team is None and filters.team.isdigit() and len(filters.team) < 16:
            team = teams.filter(pk=int(filters.team)).first()
        if team is None:
            return Status(404, {"detail": f"No team “{filters.team}” that you can see."})
        people = people.in_team(team)
    if filters.active is not None:
        people = people.filter(is_active=filters.active)
    count, items = _page(people, filters)
    attach_teams_and_roles(items)
    return {
        "count": count,
        "page": filters.page,
        "page_size": filters.page_size,
        "items": [_person_out(p) for p in items],
    }


@router.get("/teams", response=TeamsPage, url_name="teams", summary="List teams")
def list_teams(request: HttpRequest, params: Query[PageParams]) -> Any:
    """Teams the token's owner may see, in tree order (each team after its parent)."""
    teams = Team.objects.visible_to(request.user).select_related("parent").order_by("path")
    count, items = _page(teams, params)
    return {
        "count": count,
        "page": params.page,
        "page_size": params.page_size,
        "items": [
            {
                "id": t.pk,
                "code": t.external_id,
                "name": t.name,
                "kind": t.kind,
                "parent_id": t.parent_id,
                "parent_code": t.parent.external_id if t.parent else None,
                "depth": t.depth,
                "is_active": t.is_active,
            }
            for t in items
        ],
    }


# --- Bulk upserts ---------------------------------------------------------------------------


def _errors(result: ImportResult) -> Status[dict[str, Any]]:
    return Status(422, {"detail": [e.as_dict() for e in result.errors]})


@router.post(
    "/people/bulk",
    auth=AdminTokenAuth(),
    response={200: ImportOut, 422: RowErrorsOut},
    url_name="people_bulk",
    summary="Create or update people (and their teams) in one all-or-nothing batch",
)
def bulk_people(request: HttpRequest, payload: PeopleBulkIn) -> Any:
    """The same rules as the CSV import; nothing is saved if any item is wrong."""
    records = [item.model_dump() for item in payload.people]
    result = import_people(
        records=records,
        full=payload.full,
        actor=request.user,  # type: ignore[arg-type]
        request=request,
        dry_run=payload.dry_run,
        source="api",
    )
    if not result.ok:
        return _errors(result)
    return {**result.counts.as_dict(), "dry_run": payload.dry_run}


@router.post(
    "/teams/bulk",
    auth=AdminTokenAuth(),
    response={200: TeamsImportOut, 422: RowErrorsOut},
    url_name="teams_bulk",
    summary="Create or update teams by code in one all-or-nothing batch",
)
def bulk_teams(request: HttpRequest, payload: TeamsBulkIn) -> Any:
    result = import_teams(
        records=[item.model_dump() for item in payload.teams],
        actor=request.user,  # type: ignore[arg-type]
        request=request,
        dry_run=payload.dry_run,
    )
    if not result.ok:
        return _errors(result)
    c = result.counts
    return {
        "created": c.teams_created,
        "updated": c.teams_updated,
        "unchanged": c.unchanged,
        "dry_run": payload.dry_run,
    }
