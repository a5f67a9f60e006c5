"""Signal receivers for scorecards. They only hand over to services (and guard immutability).

- Wagtail's `published` signal for a Framework (the admin's publish button, a scheduled publish,
  publishing an older revision) creates the next `FrameworkVersion` through
  `services.frameworks.publish_version`, attributed to the revision's author (who pressed
  publish in the admin).
- `FrameworkVersion` rows are never updated or deleted: reviews are shown and scored under the
  version they were graded on. Saving an existing version or deleting one raises.
- After migrations, the "QA managers" Wagtail group gets its permissions.
"""

from __future__ import annotations

from typing import Any


class ImmutableVersionError(RuntimeError):
    """Someone tried to change or delete a published framework version."""


def framework_published(sender: Any, instance: Any, revision: Any = None, **kwargs: Any) -> None:
    from scorecards.services.frameworks import publish_version

    if not instance.live:
        # Scheduled for later: Wagtail signals now, and again when it really goes live.
        return
    publish_version(framework=instance, by=getattr(revision, "user", None))


def refuse_version_update(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw and not instance._state.adding:
        raise ImmutableVersionError(
            f"{instance} is published and cannot be changed; publish a new version instead."
        )


def refuse_version_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    raise ImmutableVersionError(
        f"{instance} is published and cannot be deleted; retire the framework instead."
    )


def ensure_groups(sender: Any, **kwargs: Any) -> None:
    from scorecards.services.frameworks import ensure_qa_manager_group

    ensure_qa_manager_group()
