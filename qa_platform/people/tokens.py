"""API tokens: issue (shown once), verify by hash, revoke."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from qa_platform.audit.services import record

from .models import ApiToken, User

PREFIX_LEN = 8


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def issue_token(
    *, owner: User, name: str, actor: Any = None, request: HttpRequest | None = None
) -> tuple[ApiToken, str]:
    """Create a token for `owner`; returns it with the plain key, which is never stored."""
    key = "qap_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=owner,
        name=name.strip()[:100] or "API token",
        prefix=key[: PREFIX_LEN + 4],
        key_hash=hash_key(key),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record(
        action="api_token.issue",
        actor=actor,
        obj=owner,
        after={"token": token.pk, "name": token.name, "prefix": token.prefix},
        request=request,
    )
    return token, key


@transaction.atomic
def revoke_token(
    *, token: ApiToken, actor: Any = None, request: HttpRequest | None = None
) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(
            action="api_token.revoke",
            actor=actor,
            obj=token.user,
            before={"token": token.pk, "name": token.name, "prefix": token.prefix},
            request=request,
        )
    return token


def user_for_token(key: str) -> User | None:
    """The active owner of an active token, or None. Touches last_used_at at most once a minute."""
    if not key or len(key) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
