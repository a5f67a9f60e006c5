"""Serving library pages in a fixed number of queries, whatever their depth.

Wagtail routes a URL one level at a time: each level reads the child with that slug and then its
specific page (two queries a level), and checking view restrictions reads the page's ancestors and
then their restrictions. A module at /library/training/refunds/ cost six queries before its own
content. Here:

- `route_by_url_path`: the library home (the default Site's root) finds the page at the end of the
  path by its stored `url_path` (one query) and its specific type (one more), then lets that page
  route the empty remainder itself (so a routable page such as the journey map still resolves its
  own index view, and an unpublished page is still a 404). Anything the shortcut does not find
  (a routable page's sub-route such as /print/) falls back to Wagtail's walk.
- `ViewRestrictionsInOneQuery.get_view_restrictions`: the restrictions on the page and its
  ancestors in one query, from the ancestors' tree paths (a prefix of the page's own path), with
  Wagtail's alias rule: an alias page uses its source page's restrictions, never its own.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from wagtail.models import Page, PageViewRestriction


def ancestor_paths(page: Page) -> list[str]:
    """The tree paths of the page and its ancestors (Wagtail's materialised path)."""
    step = page.steplen
    return [page.path[:end] for end in range(step, len(page.path) + 1, step)]


class ViewRestrictionsInOneQuery:
    """Mix into a Page type (before Page) to read its view restrictions in one query."""

    def get_view_restrictions(self) -> QuerySet[PageViewRestriction]:
        paths = ancestor_paths(self)  # type: ignore[arg-type]
        return PageViewRestriction.objects.filter(
            Q(page__path__in=paths, page__alias_of__isnull=True) | Q(page__aliases__path__in=paths)
        ).distinct()


def route_by_url_path(root: Page, request: HttpRequest, path_components: list[str]) -> Any:
    """The route to the page at `path_components` below `root` in two queries, or None when no
    page has that URL path (the caller falls back to Wagtail's level-by-level walk)."""
    url_path = root.url_path + "/".join(path_components) + "/"
    found = (
        Page.objects.filter(url_path=url_path, path__startswith=root.path)
        .only("pk", "content_type_id")
        .first()
    )
    if found is None:
        return None
    model = found.specific_class
    if model is None:  # a page type whose code was removed: let Wagtail decide
        return None
    page = model.objects.get(pk=found.pk)
    return page.route(request, [])
