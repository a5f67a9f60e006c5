"""The NinjaAPI instance at /api/v1/. Each app contributes a router; auth is a per-user token."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer

from qa_platform.people.tokens import user_for_token


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; the token's owner becomes request.user for scoping."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        return user


api = NinjaAPI(
    title="QA Platform API",
    version="1",
    urls_namespace="api",
    auth=TokenAuth(),
    docs_url="/docs",
)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """422 with each field and reason, in a shape a script can act on."""
    details = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "payload", "query")]
        details.append({"field": ".".join(loc) or None, "reason": err.get("msg", "invalid")})
    return api.create_response(request, {"detail": details}, status=422)


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Send a valid API token: 'Authorization: Bearer <token>'."}, status=401
    )


def _register_routers() -> None:
    from qa_platform.engagement.api import router as engagement_router
    from qa_platform.engagement.api_customers import router as customer_periods_router
    from qa_platform.people.api import router as people_router
    from scorecards.api import router as interactions_router
    from scorecards.api_reviews import router as reviews_router
    from training.api import router as training_router

    api.add_router("/", people_router)
    api.add_router("/", reviews_router)
    api.add_router("/", interactions_router)
    api.add_router("/", training_router)
    api.add_router("/", customer_periods_router)
    api.add_router("/", engagement_router)


_register_routers()
