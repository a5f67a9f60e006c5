"""Acting on results (action plans, "you said, we did"), customer figures and the CX overview."""

from django.urls import path

from . import views_actions, views_customers, views_cx_overview

urlpatterns: list = [
    path("surveys/<int:survey_id>/actions/", views_actions.action_plans, name="action_plans"),
    path(
        "surveys/<int:survey_id>/actions/new/",
        views_actions.action_plan_create,
        name="action_plan_create",
    ),
    path("actions/<int:pk>/", views_actions.action_plan, name="action_plan"),
    path("actions/<int:pk>/update/", views_actions.action_plan_update, name="action_plan_update"),
    path(
        "actions/<int:pk>/updates/",
        views_actions.action_plan_publish,
        name="action_plan_publish",
    ),
    path("customers/import/", views_customers.customer_import, name="customer_import"),
    path(
        "customers/import/template.csv",
        views_customers.customer_import_template,
        name="customer_import_template",
    ),
    path("cx-overview/", views_cx_overview.cx_overview, name="cx_overview"),
]
