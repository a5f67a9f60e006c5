"""Sign-in events for the audit trail: receivers only turn a signal into `record(...)`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.http import HttpRequest
from django.utils import timezone

from .models import AuditEvent
from .services import client_ip, record

EMAIL_MAX = 254


def _attempted_email(credentials: dict[str, Any] | None) -> str:
    """The email someone typed; never anything else from the credentials (no password)."""
    value = (credentials or {}).get("username") or (credentials or {}).get("email") or ""
    return str(value).strip().lower()[:EMAIL_MAX]


def _cooloff() -> dt.timedelta:
    value = getattr(settings, "AXES_COOLOFF_TIME", None)
    if isinstance(value, dt.timedelta):
        return value
    if isinstance(value, int | float) and value > 0:
        return dt.timedelta(hours=value)
    return dt.timedelta(hours=1)


def on_login_failed(
    sender: Any,
    credentials: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    **kwargs: Any,
) -> None:
    email = _attempted_email(credentials)
    record(
        action="auth.login_failed",
        object_type="people.user",
        object_repr=email,
        after={"email": email},
        request=request,
    )


def on_logged_in(
    sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any
) -> None:
    if user is None:
        return
    record(action="auth.login", actor=user, obj=user, request=request)


def on_locked_out(
    sender: Any,
    request: HttpRequest | None = None,
    username: str | None = None,
    ip_address: str | None = None,
    **kwargs: Any,
) -> None:
    """django-axes signals a lockout on the failure that crosses the limit and again on every
    refused attempt during it; one `auth.lockout` per email + address per cool-off is enough."""
    email = str(username or "").strip().lower()[:EMAIL_MAX]
    ip = ip_address or client_ip(request)
    since = timezone.now() - _cooloff()
    already = AuditEvent.objects.filter(
        action="auth.lockout", object_repr=email, ip=ip, at__gte=since
    ).exists()
    if already:
        return
    record(
        action="auth.lockout",
        object_type="people.user",
        object_repr=email,
        after={"email": email, "failures": getattr(settings, "AXES_FAILURE_LIMIT", None)},
        ip=ip,
        request=request,
    )


def connect() -> None:
    from axes.signals import user_locked_out

    user_login_failed.connect(on_login_failed, dispatch_uid="audit.login_failed")
    user_logged_in.connect(on_logged_in, dispatch_uid="audit.logged_in")
    user_locked_out.connect(on_locked_out, dispatch_uid="audit.locked_out")
