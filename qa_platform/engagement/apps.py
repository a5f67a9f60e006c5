from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "qa_platform.engagement"
    label = "engagement"
    verbose_name = "Engagement surveys"
