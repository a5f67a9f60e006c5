"""The library's search across content and training pages (Wagtail search; PostgreSQL full-text
search there), limited to live pages the person may see under Wagtail's view restrictions."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from wagtail.models import Page, PageViewRestriction, Site

from qa_platform.http import AuthedRequest

PAGE_SIZE = 20
MAX_QUERY = 200


def library_root(request: AuthedRequest) -> Page | None:
    site = Site.find_for_request(request)
    return site.root_page if site else None


def searchable_pages(request: AuthedRequest) -> Any:
    """Live pages of the library the person may open: pages below a view restriction they do not
    pass (a group they are not in, a password they have not entered) are left out."""
    root = library_root(request)
    pages = Page.objects.live()
    pages = pages.descendant_of(root, inclusive=True) if root else pages.filter(depth__gt=1)
    restrictions = PageViewRestriction.objects.select_related("page").prefetch_related("groups")
    for restriction in restrictions:
        if not restriction.accept_request(request):
            pages = pages.exclude(path__startswith=restriction.page.path)
    return pages


def _summaries(pages: list[Page]) -> dict[int, str]:
    """Each result's one-line summary: its own `summary`/`intro` field, else the search
    description (one query per page type)."""
    specific = Page.objects.filter(pk__in=[p.pk for p in pages]).specific()
    result = {}
    for page in specific:
        text = getattr(page, "summary", "") or page.search_description
        if not text and isinstance(getattr(page, "intro", None), str):
            text = page.intro if "<" not in page.intro else ""
        result[page.pk] = text
    return result


def _kind(page: Page) -> str:
    """The page type's name, e.g. "Persona" (content types come from Django's cache)."""
    model = ContentType.objects.get_for_id(page.content_type_id).model_class()
    return str(model._meta.verbose_name).capitalize() if model else "Page"


def search(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    page_obj = None
    results: list[dict[str, Any]] = []
    if query:
        found = searchable_pages(request).search(query, operator="and")
        page_obj = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
        pages = list(page_obj.object_list)
        summaries = _summaries(pages)
        results = [
            {
                "title": page.title,
                "url": page.get_url(request),
                "kind": _kind(page),
                "summary": summaries.get(page.pk, ""),
            }
            for page in pages
        ]
    context = {
        "query": query,
        "results": results,
        "page_obj": page_obj,
        "query_string": f"q={query}" if query else "",
    }
    return render(request, "content/search.html", context)
