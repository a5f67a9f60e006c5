"""Answering surveys (views_answer.py): My surveys, the form, the email link, the receipt."""

from django.urls import URLPattern, path

from . import views_answer as views

urlpatterns: list[URLPattern] = [
    path("surveys/mine/", views.my_surveys, name="my_surveys"),
    path("surveys/<int:survey_id>/answer/", views.answer, name="answer"),
    path("surveys/<int:survey_id>/answer/save/", views.answer_save, name="answer_save"),
    path("surveys/<int:survey_id>/answer/submit/", views.answer_submit, name="answer_submit"),
    path("surveys/<int:survey_id>/thanks/", views.answer_thanks, name="answer_thanks"),
    path("surveys/<int:survey_id>/receipt/", views.receipt, name="receipt"),
    path("answer/<str:token>/", views.answer_token, name="answer_token"),
]
