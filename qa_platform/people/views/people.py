"""People: the list, a person's page, and the administrator's actions on a person.

Every view fetches through a scoped queryset (404 when the person is not visible) and checks the
role (403 when visible but not allowed). Administrators act on the people their administrator
grants reach; the writes go through `people.services`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from qa_platform.audit.models import AuditEvent
from qa_platform.http import AuthedRequest

from ..access import (
    get_visible_or_404,
    is_admin,
    people_q,
    require_role,
    role_reaches_team,
    teams_q,
)
from ..forms import EndMembershipForm, GrantForm, MoveForm, PersonCreateForm, PersonEditForm
from ..forms import PersonFilterForm as FilterForm
from ..models import Membership, RoleGrant, Team, User, UserQuerySet
from ..roles import OVERSIGHT_ROLES, Role
from ..services import (
    PeopleError,
    create_person,
    end_membership,
    grant_role,
    move_to_team,
    revoke_role,
    update_person,
)
from ..summaries import PersonSummary, TeamRow, people_page, team_rows

ADMIN_ONLY = (Role.ADMIN,)
FORM_PAGE = "people/form_page.html"


# ---------------------------------------------------------------------------------------------
# Scope helpers shared by the people, team and token views
# ---------------------------------------------------------------------------------------------


def people_in_admin_scope(user: Any) -> QuerySet[User]:
    """People the user's administrator grants reach (themselves included)."""
    return User.objects.filter(people_q(user, ADMIN_ONLY))


def teams_in_admin_scope(user: Any) -> QuerySet[Team]:
    """Teams inside the subtrees where the user is an administrator."""
    return Team.objects.filter(teams_q(user, ADMIN_ONLY))


def is_htmx(request: AuthedRequest) -> bool:
    """An htmx swap (not a history restore, which needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_page(
    request: AuthedRequest,
    template: str,
    context: dict[str, Any],
    *,
    partial: str,
    status: int = 200,
) -> HttpResponse:
    """The full page, or for htmx the named partial of the same template."""
    name = f"{template}#{partial}" if is_htmx(request) else template
    return render(request, name, context, status=status)


def done(request: AuthedRequest, url: str) -> HttpResponse:
    """After a successful form: a redirect, or for htmx a client-side redirect to the same place."""
    if is_htmx(request):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def form_page(
    request: AuthedRequest,
    *,
    form: Any,
    title: str,
    description: str,
    submit_label: str,
    cancel_url: str,
    crumbs: list[tuple[str, str | None]],
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """Render the shared form page (full, or its `form` partial for htmx)."""
    context = {
        "form": form,
        "title": title,
        "description": description,
        "submit_label": submit_label,
        "cancel_url": cancel_url,
        "crumbs": crumbs,
        "action_url": request.get_full_path(),
        **(extra or {}),
    }
    return render_page(request, FORM_PAGE, context, partial="form")


def day(value: dt.date) -> str:
    """A date the way pages show it: 3 Mar 2026."""
    return format_date(value, "j M Y")


def _people_crumbs(*rest: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [("People", reverse("people:list")), *rest]


def _person_crumbs(person: User, label: str) -> list[tuple[str, str | None]]:
    return _people_crumbs((str(person), reverse("people:detail", args=[person.pk])), (label, None))


# ---------------------------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------------------------


def _filtered_people(user: User, filters: dict[str, Any]) -> UserQuerySet:
    people = User.objects.visible_to(user)
    status = filters["status"]
    if status == "active":
        people = people.filter(is_active=True)
    elif status == "inactive":
        people = people.filter(is_active=False)
    for word in filters["q"].split()[:8]:
        people = people.filter(
            Q(full_name__icontains=word) | Q(email__icontains=word) | Q(employee_id__icontains=word)
        )
    team: Team | None = filters["team"]
    if team is not None:
        people = people.in_team(team)
    if filters["role"]:
        people = people.holding(filters["role"])
    return people.order_by("full_name", "email", "pk")  # as people_page sorts them


@dataclass(slots=True)  # not frozen: building frozen ones took three times as long
class PersonListRow:
    """One row of the people table: the person, and the row's cells as HTML built here.

    The cells, in the order of the table's columns: the name (the email when there is none)
    linking to the person's page; the email; the current teams by name, or "No team"; each
    active role with the team it is on, one per line, or "No role"; the status in words. Every
    value is escaped. One value per row instead of a template variable per cell (and loops and
    conditions in the template) cut the table's rendering from ~1.7 to ~0.6 ms (bench/).
    """

    pk: int
    email: str
    cells: SafeString


NO_TEAM = '<span class="muted">No team</span>'
NO_ROLE = '<span class="muted">No role</span>'
ACTIVE = '<span class="pill pill-success">Active</span>'
DEACTIVATED = '<span class="pill pill-neutral">Deactivated</span>'
ROLE_LABELS = {str(role): escape(str(role.label)) for role in Role}  # escaped once


def _list_row(person: PersonSummary, list_url: str) -> PersonListRow:
    # html.escape is what django.utils.html.escape calls; format_html per cell took ~4x as long.
    # A person's page is "<list>/<pk>/" (people/urls.py); one reverse instead of one per row.
    name = f'<a href="{list_url}{person.pk}/">{escape(person.full_name or person.email)}</a>'
    teams = ", ".join(escape(team) for team in person.teams) or NO_TEAM
    roles = (
        "<br>".join(
            f'{ROLE_LABELS.get(role) or escape(role)} <span class="muted">on {escape(team)}</span>'
            for role, team in person.grants
        )
        or NO_ROLE
    )
    status = ACTIVE if person.is_active else DEACTIVATED
    cells = (
        f"<td>{name}</td><td>{escape(person.email)}</td>"
        f"<td>{teams}</td><td>{roles}</td><td>{status}</td>"
    )
    return PersonListRow(pk=person.pk, email=person.email, cells=mark_safe(cells))  # noqa: S308


def _page_number(raw: str | None) -> int | None:
    """The page asked for, read as Paginator.get_page reads it: not a whole number means the
    first page; None (below 1) means the last. Beyond any real list it is capped, so the offset
    stays a number the database takes (the page then falls back to the last one)."""
    try:
        number = int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 1
    return min(number, 10**9) if number >= 1 else None


def _people_page(
    people: UserQuerySet, raw_number: str | None, *, teams: QuerySet[Team] | None
) -> tuple[Page[Any], list[TeamRow] | None]:
    """The page of `people` asked for, as Paginator.get_page picks it (out of range: the last
    page), and the rows of `teams` when given: one query (people_page), two when the page asked
    for is out of range."""
    per_page = settings.PEOPLE_PAGE_SIZE
    asked = _page_number(raw_number)
    number = asked or 1
    found = people_page(people, offset=(number - 1) * per_page, limit=per_page, teams=teams)
    paginator = Paginator(people, per_page)
    paginator.count = found.total  # counted with the page; Paginator would count again
    rows, last = found.people, paginator.num_pages
    if (asked is None or number > last) and number != last:
        number = last
        again = people_page(people, offset=(number - 1) * per_page, limit=per_page)
        paginator.count, rows = again.total, again.people
    return Page(rows, number, paginator), found.teams


@require_GET
def person_list(request: AuthedRequest) -> HttpResponse:
    """Everyone the person's oversight roles reach, filtered and paginated."""
    require_role(request.user, *OVERSIGHT_ROLES)
    teams = Team.objects.filter(teams_q(request.user, OVERSIGHT_ROLES))
    form = FilterForm(request.GET)
    if form.asks_for_team:  # the chosen team narrows the list: its row first
        form.set_teams(team_rows(teams))
    filters = form.filters()
    page, picker = _people_page(
        _filtered_people(request.user, filters),
        request.GET.get("page"),
        teams=None if form.asks_for_team else teams,
    )
    if picker is not None:
        form.set_teams(picker)
    list_url = escape(reverse("people:list"))
    page.object_list = [_list_row(person, list_url) for person in page.object_list]
    query = {
        k: v
        for k, v in (
            ("q", filters["q"]),
            ("team", filters["team"].pk if filters["team"] else ""),
            ("role", filters["role"]),
            ("status", filters["status"] if filters["status"] != "active" else ""),
        )
        if v
    }
    context = {
        "form": form,
        "page_obj": page,
        "people": page.object_list,
        "query_string": urlencode(query),
        "filtered": bool(query),
        "can_manage": is_admin(request.user),
    }
    return render_page(request, "people/person_list.html", context, partial="results")


# ---------------------------------------------------------------------------------------------
# A person's page
# ---------------------------------------------------------------------------------------------


def _can_manage(user: User, person: User) -> bool:
    return is_admin(user) and people_in_admin_scope(user).filter(pk=person.pk).exists()


@dataclass(frozen=True)
class MembershipRow:
    membership: Membership
    status: str  # "current", "upcoming" or "ended"


def _membership_rows(person: User) -> list[MembershipRow]:
    today = timezone.localdate()
    rows = []
    for m in person.memberships.select_related("team").order_by("-start", "-pk"):
        if m.start > today:
            status = "upcoming"
        elif m.end is None or m.end > today:
            status = "current"
        else:
            status = "ended"
        rows.append(MembershipRow(m, status))
    return rows


def _detail_context(request: AuthedRequest, person: User) -> dict[str, Any]:
    memberships = _membership_rows(person)
    grants = list(
        RoleGrant.objects.active()
        .filter(user=person)
        .select_related("team", "granted_by")
        .order_by("role", "team__path")
    )
    can_manage = _can_manage(request.user, person)
    events: list[AuditEvent] = []
    if can_manage:
        events = list(
            AuditEvent.objects.visible_to(request.user).filter(
                object_type=User._meta.label_lower, object_id=str(person.pk)
            )[:10]
        )
    return {
        "person": person,
        "memberships": memberships,
        "current_teams": [r.membership.team for r in memberships if r.status == "current"],
        "grants": grants,
        "events": events,
        "can_manage": can_manage,
        "is_self": person.pk == request.user.pk,
        "crumbs": _people_crumbs((str(person), None)) if person.pk != request.user.pk else None,
    }


@require_GET
def person_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_visible_or_404(User.objects.visible_to(request.user), pk=pk)
    context = _detail_context(request, person)
    return render_page(request, "people/person_detail.html", context, partial="grants")


# ---------------------------------------------------------------------------------------------
# Administrator actions
# ---------------------------------------------------------------------------------------------


def _admin_person(request: AuthedRequest, pk: int) -> User:
    """403 unless an administrator; 404 unless the person is in their administrator scope."""
    require_role(request.user, Role.ADMIN)
    return get_visible_or_404(people_in_admin_scope(request.user), pk=pk)


def _active_admin_teams(request: AuthedRequest) -> QuerySet[Team]:
    return teams_in_admin_scope(request.user).filter(is_active=True).order_by("path")


@require_http_methods(["GET", "POST"])
def person_create(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, Role.ADMIN)
    form = PersonCreateForm(
        request.POST if request.method == "POST" else None, teams=_active_admin_teams(request)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                person = create_person(
                    email=data["email"],
                    full_name=data["full_name"],
                    employee_id=data["employee_id"],
                    actor=request.user,
                    request=request,
                )
                move_to_team(
                    person=person,
                    team=data["team"],
                    start=data["start"],
                    actor=request.user,
                    request=request,
                )
                if data["role"]:
                    grant_role(
                        person=person,
                        role=data["role"],
                        team=data["team"],
                        actor=request.user,
                        request=request,
                    )
        except PeopleError as exc:
            form.add_error(None, str(exc))
        except IntegrityError:
            form.add_error(None, "Someone else just saved this email or employee id. Try again.")
        else:
            messages.success(request, f"Added {person} to {data['team']}.")
            return done(request, reverse("people:detail", args=[person.pk]))
    return form_page(
        request,
        form=form,
        title="Add a person",
        description="They get an account without a password; they set one with “Forgot "
        "password” on the sign-in page.",
        submit_label="Add person",
        cancel_url=reverse("people:list"),
        crumbs=_people_crumbs(("Add a person", None)),
    )


@require_http_methods(["GET", "POST"])
def person_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _admin_person(request, pk)
    form = PersonEditForm(request.POST if request.method == "POST" else None, person=person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if person.pk == request.user.pk and not data["is_active"]:
            form.add_error("is_active", "You cannot deactivate your own account.")
        else:
            try:
                update_person(
                    person=person,
                    email=data["email"],
                    full_name=data["full_name"],
                    employee_id=data["employee_id"],
                    is_active=data["is_active"],
                    actor=request.user,
                    request=request,
                )
            except PeopleError as exc:
                form.add_error(None, str(exc))
            except IntegrityError:
                form.add_error(None, "Someone else just saved this email or employee id.")
            else:
                messages.success(request, f"Saved the details of {person}.")
                return done(request, reverse("people:detail", args=[person.pk]))
        person.refresh_from_db()
    return form_page(
        request,
        form=form,
        title=f"Edit {person}",
        description="Deactivate people who leave instead of deleting them: their history stays.",
        submit_label="Save details",
        cancel_url=reverse("people:detail", args=[person.pk]),
        crumbs=_person_crumbs(person, "Edit"),
    )


@require_http_methods(["GET", "POST"])
def person_move(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _admin_person(request, pk)
    form = MoveForm(
        request.POST if request.method == "POST" else None, teams=_active_admin_teams(request)
    )
    if request.method == "POST" and form.is_valid():
        team, start = form.cleaned_data["team"], form.cleaned_data["start"]
        try:
            move_to_team(person=person, team=team, start=start, actor=request.user, request=request)
        except PeopleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{person} is in {team} from {day(start)}.")
            return done(request, reverse("people:detail", args=[person.pk]))
    current = list(Membership.objects.current().filter(user=person).select_related("team"))
    return form_page(
        request,
        form=form,
        title=f"Move {person} to another team",
        description="Now in: " + (", ".join(m.team.name for m in current) or "no team"),
        submit_label="Move to team",
        cancel_url=reverse("people:detail", args=[person.pk]),
        crumbs=_person_crumbs(person, "Move"),
    )


@require_http_methods(["GET", "POST"])
def role_grant(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _admin_person(request, pk)
    form = GrantForm(
        request.POST if request.method == "POST" else None, teams=_active_admin_teams(request)
    )
    if request.method == "POST" and form.is_valid():
        role, team = form.cleaned_data["role"], form.cleaned_data["team"]
        try:
            grant_role(person=person, role=role, team=team, actor=request.user, request=request)
        except PeopleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{person} is now {Role(role).label} on {team}.")
            return done(request, reverse("people:detail", args=[person.pk]))
    return form_page(
        request,
        form=form,
        title=f"Grant a role to {person}",
        description="A role on a team reaches that team and every team under it.",
        submit_label="Grant role",
        cancel_url=reverse("people:detail", args=[person.pk]),
        crumbs=_person_crumbs(person, "Grant a role"),
    )


@require_POST
def role_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.ADMIN)
    grant = get_visible_or_404(
        RoleGrant.objects.filter(user__in=people_in_admin_scope(request.user)).select_related(
            "user", "team"
        ),
        pk=pk,
    )
    if not role_reaches_team(request.user, grant.team, Role.ADMIN):
        raise PermissionDenied  # the person is in scope, but the grant is on a team outside it
    person = grant.user
    if grant.revoked_at is not None:
        messages.info(request, "That role was already revoked.")
    else:
        try:
            revoke_role(grant=grant, actor=request.user, request=request)
        except PeopleError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, f"Revoked {grant.get_role_display()} on {grant.team} from {person}."
            )
    if is_htmx(request):
        context = _detail_context(request, person)
        return render(request, "people/person_detail.html#grants", context)
    return redirect("people:detail", pk=person.pk)


@require_http_methods(["GET", "POST"])
def membership_end(request: AuthedRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.ADMIN)
    membership = get_visible_or_404(
        Membership.objects.filter(user__in=people_in_admin_scope(request.user)).select_related(
            "user", "team"
        ),
        pk=pk,
    )
    person = membership.user
    form = EndMembershipForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        end = form.cleaned_data["end"]
        if membership.end is not None:
            form.add_error(None, f"This membership already ended on {day(membership.end)}.")
        else:
            try:
                end_membership(membership=membership, end=end, actor=request.user, request=request)
            except PeopleError as exc:
                form.add_error("end", str(exc))
            else:
                messages.success(request, f"{person} leaves {membership.team} on {day(end)}.")
                return done(request, reverse("people:detail", args=[person.pk]))
    return form_page(
        request,
        form=form,
        title=f"End the membership of {person} in {membership.team}",
        description=f"In {membership.team} since {day(membership.start)}. "
        "Use “Move to team” instead if they change teams.",
        submit_label="End membership",
        cancel_url=reverse("people:detail", args=[person.pk]),
        crumbs=_person_crumbs(person, "End membership"),
    )
