from django.apps import AppConfig


class QaPlatformConfig(AppConfig):
    name = "qa_platform"
    label = "qa_platform"
    verbose_name = "QA Platform"
