"""HR builds, launches and closes surveys: /engagement/manage/..."""

from django.urls import path

from . import views_manage as views

urlpatterns = [
    path("manage/", views.survey_list, name="manage_list"),
    path("manage/new/", views.survey_create, name="manage_create"),
    path("manage/<int:survey_id>/", views.survey_builder, name="manage_builder"),
    path(
        "manage/<int:survey_id>/questions/bank/",
        views.question_add_bank,
        name="manage_question_add_bank",
    ),
    path(
        "manage/<int:survey_id>/questions/own/",
        views.question_add_own,
        name="manage_question_add_own",
    ),
    path(
        "manage/<int:survey_id>/questions/<int:question_id>/remove/",
        views.question_remove,
        name="manage_question_remove",
    ),
    path(
        "manage/<int:survey_id>/questions/<int:question_id>/move/",
        views.question_move,
        name="manage_question_move",
    ),
    path("manage/<int:survey_id>/sections/", views.section_add, name="manage_section_add"),
    path(
        "manage/<int:survey_id>/sections/<int:section_id>/remove/",
        views.section_remove,
        name="manage_section_remove",
    ),
    path(
        "manage/<int:survey_id>/sections/<int:section_id>/move/",
        views.section_move,
        name="manage_section_move",
    ),
    path("manage/<int:survey_id>/population/", views.survey_population, name="manage_population"),
    path("manage/<int:survey_id>/schedule/", views.survey_schedule, name="manage_schedule"),
    path("manage/<int:survey_id>/preview/", views.survey_preview, name="manage_preview"),
    path("manage/<int:survey_id>/launch/", views.survey_launch, name="manage_launch"),
    path("manage/<int:survey_id>/close/", views.survey_close, name="manage_close"),
]
