"""Background work for engagement surveys: invitation and reminder emails, and the schedule.

Run the schedule from cron with `manage.py run_engagement_schedule` (every 15 minutes is plenty;
it enqueues `engagement_schedule`, or runs it in its own process with `--now`).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.utils import timezone

logger = logging.getLogger(__name__)


def _send(to: str, subject: str, body: str) -> int:
    return send_mail(
        f"[{settings.PLATFORM_NAME}] {subject}",
        body,
        settings.DEFAULT_FROM_EMAIL,
        [to],
        fail_silently=False,
    )


def _closes(survey: object) -> str:
    closes_at = getattr(survey, "closes_at", None)
    if closes_at is None:
        return ""
    return f" It closes on {timezone.localtime(closes_at):%d %B %Y at %H:%M}."


@task()
def send_invitation_emails(*, invitation_ids: list[int]) -> int:
    """Email each invited person their own link. The token is made here, its sha256 stored on
    the invitation and the token itself only put in the email: it is never written anywhere in
    the clear (not in the task queue either, which only holds these ids)."""
    from .models import Invitation, SurveyStatus
    from .services.surveys import new_token, token_url

    sent = 0
    rows = Invitation.objects.filter(
        pk__in=invitation_ids, submitted=False, survey__status=SurveyStatus.OPEN
    ).select_related("person", "survey")
    for invitation in rows:
        person = invitation.person
        if not person.is_active or not person.email:
            continue
        token, token_hash = new_token()
        with transaction.atomic():
            Invitation.objects.filter(pk=invitation.pk, submitted=False).update(
                token_hash=token_hash
            )
        survey = invitation.survey
        link = f"{settings.WAGTAILADMIN_BASE_URL}{token_url(token)}"
        body = (
            f"You are invited to answer “{survey.title}”.{_closes(survey)}\n\n"
            f"Your personal link (do not forward it):\n{link}\n\n"
            "The first page says who can see what, and the thresholds that protect you."
        )
        sent += _send(person.email, f"Survey: {survey.title}", body)
    return sent


@task()
def send_reminder_emails(*, invitation_ids: list[int]) -> int:
    """Remind people who have not answered yet (links to the signed-in answer page)."""
    from .models import Invitation, SurveyStatus
    from .services.surveys import answer_url

    sent = 0
    rows = Invitation.objects.filter(
        pk__in=invitation_ids, submitted=False, survey__status=SurveyStatus.OPEN
    ).select_related("person", "survey")
    for invitation in rows:
        person = invitation.person
        if not person.is_active or not person.email:
            continue
        survey = invitation.survey
        url = answer_url(survey)
        link = f"\n\n{settings.WAGTAILADMIN_BASE_URL}{url}" if url else ""
        body = f"A reminder: “{survey.title}” is waiting for your answers.{_closes(survey)}{link}"
        sent += _send(person.email, f"Reminder: {survey.title}", body)
    return sent


@task()
def engagement_schedule() -> dict[str, int]:
    """Open scheduled surveys that are due, remind non-respondents, close surveys that are due."""
    from .services.surveys import run_schedule

    outcome = run_schedule()
    logger.info("Engagement schedule: %s", outcome)
    return outcome
