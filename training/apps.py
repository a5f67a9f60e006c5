from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save


class TrainingConfig(AppConfig):
    name = "training"
    label = "training"
    verbose_name = "Training"

    def import_models(self) -> None:
        super().import_models()
        # The page types live in training/pages.py (content), apart from the learner's records in
        # training/models.py; both are this app's models.
        import training.pages  # noqa: F401

    def ready(self) -> None:
        from training import moderation
        from training.pages import TrainingIndexPage

        post_migrate.connect(
            moderation.after_migrate, sender=self, dispatch_uid="training_moderation"
        )
        post_save.connect(
            moderation.index_created,
            sender=TrainingIndexPage,
            dispatch_uid="training_index_moderation",
        )
