from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ContentConfig(AppConfig):
    name = "content"
    label = "content"
    verbose_name = "Knowledge library"

    def ready(self) -> None:
        from content.home import ensure_library_home

        post_migrate.connect(ensure_library_home, sender=self, dispatch_uid="content-library-home")
