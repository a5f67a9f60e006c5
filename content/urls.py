"""The library under /library/: search, then Wagtail's page serving (the default Site's root,
content.HomePage, is /library/ itself). Wagtail's own URL names stay un-namespaced."""

from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views

from content import views

urlpatterns = [
    path("search/", views.search, name="library_search"),
    path("", wagtail_views.serve, {"path": ""}, name="library"),
    path("", include(wagtail_urls)),
]
