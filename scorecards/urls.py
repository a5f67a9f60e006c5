"""Scorecards URLs: each feature's views module owns its `urlpatterns`; this joins them."""

from scorecards.views import frameworks, interactions, overview, reviews, workspace

app_name = "scorecards"

urlpatterns = [
    *interactions.urlpatterns,
    *workspace.urlpatterns,
    *reviews.urlpatterns,
    *overview.urlpatterns,
    *frameworks.urlpatterns,
]
