"""Every write to quality frameworks: publish a version, duplicate, retire, reinstate.

Authoring (drafts, revisions, previews) happens in the Wagtail admin on the `Framework` snippet;
publishing there calls `publish_version` (scorecards.receivers), which freezes the definition as
an immutable `FrameworkVersion`. Versions are only ever created here: nothing updates or deletes
one (scorecards.receivers refuses both), because reviews are shown and scored under the version
they were graded on.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from qa_platform.audit.services import record
from qa_platform.people.models import RoleGrant, User
from qa_platform.people.roles import Role
from qa_platform.people.services import ROLE_ADMIN_GROUPS
from scorecards import framework_def as fd
from scorecards.frameworks import definition_from_blocks, located_problems
from scorecards.models import Framework, FrameworkVersion

# What QA managers may do with frameworks in the Wagtail admin (administrators are superusers).
QA_MANAGER_PERMISSIONS: tuple[tuple[str, str], ...] = (
    ("wagtailadmin", "access_admin"),
    ("scorecards", "add_framework"),
    ("scorecards", "change_framework"),
    ("scorecards", "publish_framework"),
)


class FrameworkError(ValueError):
    """A request that breaks a framework rule; the message is shown to the user as is."""


def check_publishable(defn: fd.FrameworkDef) -> None:
    """Raise ValidationError listing every problem (each naming its section or criterion)."""
    problems = fd.validate(defn)
    if problems:
        raise ValidationError(located_problems(defn, problems))


@transaction.atomic
def publish_version(
    *, framework: Framework, by: Any = None, request: HttpRequest | None = None
) -> FrameworkVersion:
    """Freeze what the framework's fields say now as version N+1, or return the latest version
    when the definition is unchanged (publishing twice, or a change to the description only).

    Raises ValidationError with every problem when the definition cannot be published.
    """
    defn = definition_from_blocks(framework)
    check_publishable(defn)
    definition = fd.to_json(defn)
    # Lock the framework so two publishes at once cannot both create the same number.
    Framework.objects.select_for_update().filter(pk=framework.pk).first()
    latest = framework.versions.order_by("-number").first()
    if latest is not None and latest.definition == definition:
        return latest
    version = FrameworkVersion.objects.create(
        framework=framework,
        number=(latest.number + 1) if latest else 1,
        definition=definition,
        published_at=timezone.now(),
        published_by=by if getattr(by, "is_authenticated", False) else None,
    )
    record(
        action="framework.version_published",
        actor=by,
        obj=framework,
        before={"version": latest.number} if latest else None,
        after={
            "version": version.number,
            "criteria": len(defn.scoring_criteria),
            "questions": len(defn.criteria) - len(defn.scoring_criteria),
            "scoring_mode": defn.scoring_mode,
            "pass_mark": str(defn.pass_mark),
        },
        request=request,
    )
    return version


@transaction.atomic
def duplicate_framework(
    *, framework: Framework, by: Any = None, name: str, request: HttpRequest | None = None
) -> Framework:
    """A new draft framework with the content of `framework`'s latest revision (what its editor
    shows, unpublished changes included). It has no versions until it is published."""
    name = name.strip()
    if not name:
        raise FrameworkError("Give the copy a name.")
    if len(name) > Framework._meta.get_field("name").max_length:  # type: ignore[operator]
        raise FrameworkError("The name is too long (at most 200 characters).")
    source = framework.get_latest_revision_as_object()
    copy = Framework.objects.create(
        name=name,
        description=source.description,
        scoring_mode=source.scoring_mode,
        pass_mark=source.pass_mark,
        use_section_weights=source.use_section_weights,
        sections=source.sections.raw_data,
        live=False,
        has_unpublished_changes=True,
    )
    copy.save_revision(user=by if getattr(by, "is_authenticated", False) else None)
    record(
        action="framework.duplicated",
        actor=by,
        obj=copy,
        before={"framework": framework.pk, "name": framework.name},
        after={"framework": copy.pk, "name": copy.name},
        request=request,
    )
    return copy


@transaction.atomic
def retire_framework(
    *, framework: Framework, by: Any = None, request: HttpRequest | None = None
) -> Framework:
    """Take no new reviews on it; its reviews and versions stay as they are."""
    locked = Framework.objects.select_for_update().get(pk=framework.pk)
    if locked.retired_at is not None:
        return locked
    locked.retired_at = timezone.now()
    locked.save(update_fields=["retired_at", "updated_at"])
    record(
        action="framework.retired",
        actor=by,
        obj=locked,
        after={"retired_at": locked.retired_at.isoformat()},
        request=request,
    )
    return locked


@transaction.atomic
def reinstate_framework(
    *, framework: Framework, by: Any = None, request: HttpRequest | None = None
) -> Framework:
    """Undo `retire_framework`: reviewers can grade with it again (if it is published)."""
    locked = Framework.objects.select_for_update().get(pk=framework.pk)
    if locked.retired_at is None:
        return locked
    before = {"retired_at": locked.retired_at.isoformat()}
    locked.retired_at = None
    locked.save(update_fields=["retired_at", "updated_at"])
    record(
        action="framework.reinstated",
        actor=by,
        obj=locked,
        before=before,
        after={"retired_at": None},
        request=request,
    )
    return locked


@transaction.atomic
def ensure_qa_manager_group() -> Group:
    """The Wagtail group QA managers are put in when they get the role (people.services), with
    the permissions to open the admin and add, edit and publish frameworks, and with exactly the
    people who hold the role. Runs after every `migrate`; safe to re-run."""
    group, _ = Group.objects.get_or_create(name=ROLE_ADMIN_GROUPS[Role.QA_MANAGER])
    wanted = []
    for app_label, codename in QA_MANAGER_PERMISSIONS:
        if app_label == "wagtailadmin":
            content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model="admin")
            name = "Can access Wagtail admin"
        else:
            content_type = ContentType.objects.get_for_model(Framework)
            name = f"Can {codename.split('_')[0]} framework"
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        wanted.append(permission)
    group.permissions.add(*wanted)
    # Everyone holding the role is in the group and nobody else (people.services keeps this
    # true on every grant and revoke; this covers grants made before the group existed).
    holders = User.objects.filter(
        pk__in=RoleGrant.objects.active().filter(role=Role.QA_MANAGER).values("user_id")
    )
    group.user_set.add(*holders.exclude(groups=group))
    group.user_set.remove(*group.user_set.exclude(pk__in=holders.values("pk")))
    return group
