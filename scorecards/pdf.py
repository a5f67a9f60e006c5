"""Review PDFs: the review page's own template with the print stylesheet, rendered by WeasyPrint.

`render_review_html` renders `scorecards/reviews/review_detail.html` with `pdf=True`, which makes
it extend `print_base.html` (no navigation, the organisation's name and the generation time at the
top) instead of `base.html`; `print.css` sets A4 pages with running headers and "Page n of m".

Nothing is fetched over the network: `StaticFileFetcher` serves URLs under STATIC_URL from the
files on disk and refuses everything else. The fonts are DejaVu Sans / Liberation Sans (Debian
packages fonts-dejavu-core, fonts-liberation) named in print.css; WeasyPrint embeds a subset of
every font it uses, so the PDF reads the same everywhere.
"""

from __future__ import annotations

import mimetypes
import posixpath
import zoneinfo
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from qa_platform.people.access import get_visible_or_404
from qa_platform.people.models import Team
from scorecards.models import Review
from scorecards.views.reviews import (
    DETAIL_TEMPLATE,
    page_title,
    review_context,
    review_detail_queryset,
)

# Documents are rendered with this base URL; it never resolves, and nothing is fetched from it:
# the fetcher maps it to static files on disk.
PDF_BASE_URL = "https://pdf.invalid/"


def _static_path(name: str) -> Path | None:
    """The file behind a static name (collected first, then the finders), or None."""
    clean = posixpath.normpath(unquote(name)).lstrip("/")
    if clean.startswith("..") or "/../" in f"/{clean}/":
        return None
    try:
        if staticfiles_storage.exists(clean):
            return Path(staticfiles_storage.path(clean))
    except (NotImplementedError, ValueError, OSError):
        pass
    found = finders.find(clean)
    if isinstance(found, list):
        found = found[0] if found else None
    return Path(found) if found else None


class StaticFileFetcher(URLFetcher):  # type: ignore[misc]
    """Stylesheets and images under STATIC_URL, read from disk; any other URL is refused."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("https", "http", "data"), allow_redirects=False)
        self.static_base = urljoin(PDF_BASE_URL, settings.STATIC_URL)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if not url.startswith(self.static_base):
            raise ValueError(f"PDFs load only the app's static files, not {url}")
        name = urlsplit(url[len(self.static_base) :]).path
        path = _static_path(name)
        if path is None or not path.is_file():
            raise ValueError(f"No static file {name}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": content_type}
        )


def organisation_name(review: Review) -> str:
    """The name of the root of the review's team tree (the organisation)."""
    ancestors = review.team.ancestor_ids()
    root_id = ancestors[0] if ancestors else review.team_id
    name = Team.objects.filter(pk=root_id).values_list("name", flat=True).first()
    return name or settings.PLATFORM_NAME


def _generated_at(viewer: Any) -> str:
    try:
        zone = zoneinfo.ZoneInfo(getattr(viewer, "time_zone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return timezone.now().astimezone(zone).strftime("%-d %b %Y, %H:%M %Z")


def render_review_html(review: Review, viewer: Any) -> str:
    """The review page as the PDF shows it: same template, print layout. The review is fetched
    again through `viewer`'s scope (404 when they may not see it)."""
    review = get_visible_or_404(review_detail_queryset(viewer), pk=review.pk)
    context = review_context(review, viewer, pdf=True)
    context["title"] = page_title(context)
    context["organisation"] = organisation_name(review)
    context["generated_at"] = _generated_at(viewer)
    return render_to_string(DETAIL_TEMPLATE, context)


def html_to_pdf(html: str) -> bytes:
    """WeasyPrint with the static-file fetcher; A4 and the fonts come from print.css."""
    document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticFileFetcher())
    pdf: bytes = document.write_pdf()
    return pdf


def render_review_pdf(review: Review, viewer: Any) -> bytes:
    """The review as an A4 PDF, as `viewer` may see it (the agent sees "A QA reviewer" when the
    organisation hides reviewers' names)."""
    return html_to_pdf(render_review_html(review, viewer))
