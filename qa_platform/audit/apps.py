from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "qa_platform.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
