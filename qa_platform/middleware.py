from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import HttpRequest, HttpResponse, HttpResponseBase


class AdminCSPMiddleware:
    """Give the Wagtail admin its relaxed policy; app pages keep the strict nonce policy.

    Sits after (inside) Django's ContentSecurityPolicyMiddleware, which then builds the header
    from the response's own `_csp_config`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(("/cms/", "/api/v1/docs")):
            response._csp_config = settings.ADMIN_CSP  # type: ignore[attr-defined]
        return response


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Django's login-by-default, except the API, which authenticates each call by token.

    The API's documentation pages stay behind the session sign-in.
    """

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if request.path.startswith("/api/v1/") and not request.path.startswith(
            ("/api/v1/docs", "/api/v1/openapi.json")
        ):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
