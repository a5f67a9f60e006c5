"""Survey results (views_results.py): the list, overview, heatmap, item detail and comments.
Exports and the engagement ↔ CX view (H5b) add their lines below."""

from django.urls import URLPattern, path

from . import views_results as views

urlpatterns: list[URLPattern] = [
    path("results/", views.results_list, name="results_list"),
    path("results/<int:survey_id>/", views.overview, name="results_overview"),
    path("results/<int:survey_id>/heatmap/", views.heatmap, name="results_heatmap"),
    path("results/<int:survey_id>/items/<str:item_key>/", views.item_detail, name="results_item"),
    path(
        "results/<int:survey_id>/comments/<str:item_key>/", views.comments, name="results_comments"
    ),
]
