"""API tokens: administrators issue them (the key is shown once) and revoke them.

A token acts with its owner's roles: the API applies the same access policy as the pages.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qa_platform.http import AuthedRequest

from ..access import get_visible_or_404, require_role
from ..forms import TokenForm
from ..models import ApiToken
from ..roles import Role
from ..tokens import issue_token, revoke_token
from .people import is_htmx, people_in_admin_scope, render_page


def _tokens_in_scope(request: AuthedRequest) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user__in=people_in_admin_scope(request.user))


def _list_context(request: AuthedRequest) -> dict[str, Any]:
    tokens = _tokens_in_scope(request).select_related("user").order_by("-created_at", "-pk")
    page = Paginator(tokens, settings.PEOPLE_PAGE_SIZE).get_page(request.GET.get("page"))
    return {"page_obj": page, "tokens": page.object_list}


@require_GET
def token_list(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, Role.ADMIN)
    return render_page(request, "people/token_list.html", _list_context(request), partial="tokens")


@never_cache
@require_http_methods(["GET", "POST"])
def token_create(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, Role.ADMIN)
    owners = (
        people_in_admin_scope(request.user).filter(is_active=True).order_by("full_name", "email")
    )
    initial = {}
    owner_id = request.GET.get("owner", "")
    if owner_id.isdigit():
        initial["owner"] = owner_id
    form = TokenForm(
        request.POST if request.method == "POST" else None, initial=initial, owners=owners
    )
    context: dict[str, Any] = {
        "form": form,
        "crumbs": [("API tokens", reverse("people:tokens")), ("Issue a token", None)],
    }
    if request.method == "POST" and form.is_valid():
        token, key = issue_token(
            owner=form.cleaned_data["owner"],
            name=form.cleaned_data["name"],
            actor=request.user,
            request=request,
        )
        # Rendered, not redirected: the key exists only in this response and is never stored.
        context.update(token=token, key=key)
        return render_page(request, "people/token_create.html", context, partial="created")
    return render_page(request, "people/token_create.html", context, partial="form")


@require_POST
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.ADMIN)
    token = get_visible_or_404(_tokens_in_scope(request).select_related("user"), pk=pk)
    if token.revoked_at is not None:
        messages.info(request, f"The token “{token.name}” was already revoked.")
    else:
        revoke_token(token=token, actor=request.user, request=request)
        messages.success(
            request, f"Revoked the token “{token.name}” of {token.user}; it no longer works."
        )
    if is_htmx(request):
        return render(request, "people/token_list.html#tokens", _list_context(request))
    return redirect("people:tokens")
