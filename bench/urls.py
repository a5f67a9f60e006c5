"""The app's URLs plus the baseline view, only inside the bench process."""

from django.urls import path

from qa_platform.urls import urlpatterns as app_urlpatterns

from .views import bare

urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *app_urlpatterns]
