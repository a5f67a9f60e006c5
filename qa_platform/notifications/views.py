"""A person's own notifications: the list, the bell that polls, and marking them read."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from qa_platform.http import AuthedRequest
from qa_platform.people.access import get_visible_or_404

from . import services
from .models import Notification

PAGE_SIZE = 25
TEMPLATE = "notifications/notification_list.html"


def _safe_next(request: AuthedRequest, *candidates: str) -> str:
    """The first candidate that is a path on this site, else the list."""
    for url in candidates:
        if url.startswith("/") and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return url
    return reverse("notifications:list")


@require_GET
def notification_list(request: AuthedRequest) -> HttpResponse:
    notifications = Notification.objects.visible_to(request.user)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page_obj": page, "notifications": page.object_list}
    template = TEMPLATE
    if request.htmx and not request.htmx.history_restore_request:
        template += "#items"
    return render(request, template, context)


@require_GET
def bell(request: AuthedRequest) -> HttpResponse:
    """The bell with its unread count (from the shell context processor), for htmx polling."""
    return render(request, "notifications/bell.html")


@require_POST
def mark_one_read(request: AuthedRequest, pk: int) -> HttpResponse:
    notification = get_visible_or_404(Notification.objects.visible_to(request.user), pk=pk)
    if services.mark_read(user=request.user, notification_id=notification.pk):
        notification.refresh_from_db(fields=["read_at"])
    if request.htmx:
        return render(request, f"{TEMPLATE}#read_one", {"n": notification})
    return HttpResponseRedirect(_safe_next(request, request.POST.get("next", ""), notification.url))


@require_POST
def mark_all_read(request: AuthedRequest) -> HttpResponse:
    changed = services.mark_read(user=request.user)
    if request.htmx:
        page = Paginator(Notification.objects.visible_to(request.user), PAGE_SIZE).get_page(
            request.POST.get("page")
        )
        return render(
            request,
            f"{TEMPLATE}#read_all",
            {"page_obj": page, "notifications": page.object_list},
        )
    if changed:
        messages.success(
            request, f"Marked {changed} notification{'s' if changed != 1 else ''} as read."
        )
    return HttpResponseRedirect(_safe_next(request, request.POST.get("next", "")))
