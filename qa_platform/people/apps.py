from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "qa_platform.people"
    label = "people"
    verbose_name = "People and teams"
