from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_delete, pre_save


class ScorecardsConfig(AppConfig):
    name = "scorecards"
    label = "scorecards"

    def ready(self) -> None:
        from wagtail.signals import published

        from . import receivers
        from .models import Framework, FrameworkVersion

        published.connect(
            receivers.framework_published, sender=Framework, dispatch_uid="framework_published"
        )
        pre_save.connect(
            receivers.refuse_version_update,
            sender=FrameworkVersion,
            dispatch_uid="framework_version_immutable",
        )
        pre_delete.connect(
            receivers.refuse_version_delete,
            sender=FrameworkVersion,
            dispatch_uid="framework_version_undeletable",
        )
        post_migrate.connect(receivers.ensure_groups, sender=self, dispatch_uid="scorecards_groups")
