"""The home page of each role."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from qa_platform.audit.models import AuditEvent
from qa_platform.http import AuthedRequest
from qa_platform.navigation import ROLE_HOME_URL
from qa_platform.notifications.models import Notification
from qa_platform.people.access import has_role, require_role, teams_q, user_main_role
from qa_platform.people.models import Membership, RoleGrant, Team, User
from qa_platform.people.roles import Role
from scorecards.overview import home_quality
from scorecards.views.reviews import reviews_to_read
from training import moderation
from training.access import TRAINING_ROLES
from training.views.grading import waiting_for_grade


@require_GET
def home(request: AuthedRequest) -> HttpResponse:
    """Send each person to the home of their main role."""
    role = user_main_role(request.user)
    if role is None:
        return render(request, "home/no_role.html")
    return redirect(ROLE_HOME_URL[role])


def _teams_in_scope(request: AuthedRequest, *roles: str) -> list[Team]:
    """Teams the person's `roles` reach, with current member counts, in one query."""
    today = timezone.localdate()
    current = Q(memberships__start__lte=today) & (
        Q(memberships__end__isnull=True) | Q(memberships__end__gt=today)
    )
    return list(
        Team.objects.filter(teams_q(request.user, roles), is_active=True)
        .select_related("parent")
        .annotate(member_count=Count("memberships", filter=current, distinct=True))
        .order_by("path")[:50]
    )


def _recent_notifications(request: AuthedRequest) -> list[Notification]:
    return list(Notification.objects.visible_to(request.user)[:5])


@require_GET
def home_agent(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, Role.AGENT)
    memberships = list(
        Membership.objects.filter(user=request.user).select_related("team", "team__parent")[:10]
    )
    to_read, to_read_count = reviews_to_read(request.user)
    return render(
        request,
        "home/agent.html",
        {
            "memberships": memberships,
            "notifications": _recent_notifications(request),
            "reviews_to_read": to_read,
            "reviews_to_read_count": to_read_count,
            "reviews_to_read_more": to_read_count - len(to_read),
        },
    )


@require_GET
def home_reviewer(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, Role.REVIEWER)
    return render(
        request,
        "home/reviewer.html",
        {
            "teams": _teams_in_scope(request, Role.REVIEWER),
            "notifications": _recent_notifications(request),
        },
    )


@require_GET
def home_lead(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, Role.LEAD)
    return render(
        request,
        "home/lead.html",
        {
            "teams": _teams_in_scope(request, Role.LEAD),
            "notifications": _recent_notifications(request),
            "quality": home_quality(request.user),
        },
    )


@require_GET
def home_qa(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, Role.QA_MANAGER)
    return render(
        request,
        "home/qa.html",
        {
            "teams": _teams_in_scope(request, Role.QA_MANAGER),
            "notifications": _recent_notifications(request),
            "quality": home_quality(request.user),
        },
    )


@require_GET
def home_hr(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, Role.HR)
    return render(
        request,
        "home/hr.html",
        {
            "teams": _teams_in_scope(request, Role.HR),
            "notifications": _recent_notifications(request),
        },
    )


@require_GET
def home_admin(request: AuthedRequest) -> HttpResponse:
    require_role(request.user, Role.ADMIN)
    people = User.objects.visible_to(request.user).aggregate(
        active=Count("pk", filter=Q(is_active=True)),
        inactive=Count("pk", filter=Q(is_active=False)),
    )
    counts = {
        **people,
        "teams": Team.objects.visible_to(request.user).filter(is_active=True).count(),
        "grants": RoleGrant.objects.active().count(),
    }
    return render(
        request,
        "home/admin.html",
        {
            "counts": counts,
            "events": list(AuditEvent.objects.visible_to(request.user)[:8]),
            "notifications": _recent_notifications(request),
            "cms_url": reverse("wagtailadmin_home"),
        },
    )


@require_GET
def home_trainer(request: AuthedRequest) -> HttpResponse:
    """Trainers and training leads: pages in review (theirs, or waiting for their approval), the
    grading queue, and the way into the training content in the Wagtail admin."""
    require_role(request.user, *TRAINING_ROLES)
    awaiting, awaiting_count = moderation.awaiting_approval(request.user)
    submitted, submitted_count = moderation.submitted_by(request.user)
    indexes = [
        {"title": index.title, "url": reverse("wagtailadmin_explore", args=[index.pk])}
        for index in moderation.top_level_indexes()
    ]
    return render(
        request,
        "home/trainer.html",
        {
            "can_approve": has_role(request.user, Role.TRAINING_LEAD) or awaiting_count > 0,
            "awaiting": awaiting,
            "awaiting_count": awaiting_count,
            "submitted": submitted,
            "submitted_count": submitted_count,
            "grading_count": waiting_for_grade(request.user).count(),
            "indexes": indexes,
            "cms_url": reverse("wagtailadmin_home"),
            "teams": _teams_in_scope(request, *TRAINING_ROLES),
            "notifications": _recent_notifications(request),
        },
    )
