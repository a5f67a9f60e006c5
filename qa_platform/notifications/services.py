from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Notification
from .tasks import send_email


@transaction.atomic
def notify(
    *,
    recipient: Any,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    email: bool = True,
) -> Notification:
    """Tell one person about an event in the app and, unless `email=False`, by email too."""
    notification = Notification.objects.create(
        recipient=recipient, kind=kind, title=title[:200], body=body, url=url
    )
    if email and recipient.is_active and recipient.email:
        link = f"\n\n{settings.WAGTAILADMIN_BASE_URL}{url}" if url else ""
        text = f"{body}{link}".strip() or title
        transaction.on_commit(
            lambda: send_email.enqueue(
                to=recipient.email, subject=f"[{settings.PLATFORM_NAME}] {title}", body=text
            )
        )
    return notification


def mark_read(*, user: Any, notification_id: int | None = None) -> int:
    """Mark one notification (or all of `user`'s) as read; returns how many changed."""
    qs = Notification.objects.visible_to(user).unread()
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


def unread_count(user: Any) -> int:
    return Notification.objects.visible_to(user).unread().count()
