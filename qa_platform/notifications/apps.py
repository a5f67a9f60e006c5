from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "qa_platform.notifications"
    label = "notifications"
    verbose_name = "Notifications"
