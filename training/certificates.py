"""Certificate PDFs and the public verification page.

The PDF is `training/certificate.html` rendered by WeasyPrint with the same static-file fetcher
as review PDFs (scorecards.pdf): nothing is fetched over the network, and the fonts named in
`training/certificate.css` (DejaVu Sans / Liberation Sans, Debian packages) are embedded as
subsets, so the PDF reads the same everywhere.

`/verify/<code>/` is public (no sign-in): it says whether the certificate with that code is
valid, expired or revoked, with the facts printed on the certificate itself (name, path, dates,
code) and nothing else. An unknown code gets a 404 page that says no certificate has it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from qa_platform.people.models import Membership, Team
from scorecards.pdf import html_to_pdf
from training.models import Certificate
from training.services.completion import display_code, normalise_code

TEMPLATE = "training/certificate.html"
VERIFY_TEMPLATE = "training/certificates/verify.html"


def _day(when: dt.datetime | None) -> str:
    if when is None:
        return ""
    return f"{timezone.localtime(when):%-d %B %Y}"


def organisation_name(certificate: Certificate) -> str:
    """The root of the person's team tree (their organisation), else the platform's name."""
    path = (
        Membership.objects.filter(user_id=certificate.person_id)
        .order_by("-start")
        .values_list("team__path", flat=True)
        .first()
    )
    if path:
        root = path.strip("/").split("/")[0]
        name = Team.objects.filter(pk=int(root)).values_list("name", flat=True).first()
        if name:
            return name
    return str(settings.PLATFORM_NAME)


def verify_url(code: str) -> str:
    return f"{settings.WAGTAILADMIN_BASE_URL}{reverse('verify_certificate', args=[code])}"


def certificate_context(certificate: Certificate) -> dict[str, Any]:
    return {
        "certificate": certificate,
        "organisation": organisation_name(certificate),
        "issued_on": _day(certificate.issued_at),
        "expires_on": _day(certificate.expires_at),
        "code": display_code(certificate.code),
        "verify_url": verify_url(certificate.code),
    }


def render_certificate_html(certificate: Certificate) -> str:
    return render_to_string(TEMPLATE, certificate_context(certificate))


def render_certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate as a one-page A4 PDF. Callers fetch `certificate` through
    `Certificate.objects.visible_to(user)`."""
    return html_to_pdf(render_certificate_html(certificate))


def pdf_filename(certificate: Certificate) -> str:
    return f"certificate-{certificate.code}.pdf"


@login_not_required
@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: is the certificate with this code valid, expired or revoked?"""
    clean = normalise_code(code)
    certificate = (
        Certificate.objects.filter(code=clean)
        .only("code", "person_name", "path_title", "issued_at", "expires_at", "revoked_at")
        .first()
    )
    context: dict[str, Any] = {
        "certificate": certificate,
        "code_display": display_code(clean) if clean else code[:40],
    }
    if certificate is None:
        response = render(request, VERIFY_TEMPLATE, context, status=404)
    else:
        context.update(
            state=certificate.state(),
            issued_on=_day(certificate.issued_at),
            expires_on=_day(certificate.expires_at),
        )
        response = render(request, VERIFY_TEMPLATE, context)
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "no-store"
    return response
