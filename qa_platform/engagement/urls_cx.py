"""Engagement ↔ CX (HR) and the exports of survey results (CSV of aggregates, PDF report)."""

from django.urls import path

from . import views_cx, views_exports

urlpatterns: list = [
    path("engagement-cx/", views_cx.engagement_cx, name="engagement_cx"),
    path(
        "surveys/<int:survey_id>/results.csv",
        views_exports.results_csv,
        name="results_csv",
    ),
    path(
        "surveys/<int:survey_id>/report.pdf",
        views_exports.results_pdf,
        name="results_pdf",
    ),
]
