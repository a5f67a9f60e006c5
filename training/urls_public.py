"""Public training URLs (no sign-in): certificate verification. Mounted at the site root:
`path("", include("training.urls_public"))` in qa_platform/urls.py."""

from django.urls import path

from training.certificates import verify

urlpatterns = [
    path("verify/<str:code>/", verify, name="verify_certificate"),
]
