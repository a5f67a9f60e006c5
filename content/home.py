"""The library home page is always there: migration 0002 creates it on a fresh database; this
post_migrate safety recreates it (with Wagtail's root page and root collection, the default locale
and the default Site, all made by Wagtail's own migrations) after a `flush` emptied the tables,
e.g. at the end of a transactional test."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction

TITLE = "Knowledge and training"
SLUG = "library"


@transaction.atomic
def ensure_library_home(**kwargs: Any) -> None:
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page, Site

    from content.models import HomePage

    using = kwargs.get("using", "default")
    if using != "default":
        return
    if Collection.get_first_root_node() is None:  # Wagtail's migration made it; a flush removed it
        Collection.add_root(name="Root")
    home = HomePage.objects.order_by("path").first()
    if home is None:
        locale, _ = Locale.objects.get_or_create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
        )
        root = Page.get_first_root_node()
        if root is None:
            root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
        home = HomePage(title=TITLE, slug=SLUG, locale=locale)
        root.add_child(instance=home)
    if not Site.objects.filter(is_default_site=True).exists():
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
