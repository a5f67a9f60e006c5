"""Framework services: publishing versions, duplicating, retiring; versions never change."""

from __future__ import annotations

import inspect
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from wagtail.snippets.models import get_snippet_models

from qa_platform.audit.models import AuditEvent
from qa_platform.people.models import RoleGrant, User
from qa_platform.people.roles import Role
from qa_platform.people.services import grant_role, revoke_role
from scorecards import framework_def as fd
from scorecards.frameworks import blocks_from_definition, definition_from_blocks
from scorecards.models import Framework, FrameworkVersion
from scorecards.receivers import ImmutableVersionError
from scorecards.services import frameworks as services
from scorecards.services.frameworks import (
    FrameworkError,
    duplicate_framework,
    publish_version,
    reinstate_framework,
    retire_framework,
)
from tests.conftest import Org
from tests.scorecards.factories import demo_definition

pytestmark = pytest.mark.django_db


def make_framework(defn: fd.FrameworkDef | None = None) -> Framework:
    defn = defn or demo_definition()
    return Framework.objects.create(
        name=defn.name,
        scoring_mode=defn.scoring_mode,
        pass_mark=defn.pass_mark,
        use_section_weights=defn.use_section_weights,
        sections=blocks_from_definition(defn),
    )


def test_publishing_freezes_the_definition_as_version_one(qa_manager: User) -> None:
    framework = make_framework()

    version = publish_version(framework=framework, by=qa_manager)

    assert version.number == 1
    assert version.published_by == qa_manager
    assert version.definition == fd.to_json(definition_from_blocks(framework))
    assert [c.key for c in version.defn.criteria] == [
        "verify-identity",
        "greeting",
        "empathy",
        "contact-reason",
    ]


def test_publishing_an_unchanged_definition_returns_the_latest_version(qa_manager: User) -> None:
    framework = make_framework()
    first = publish_version(framework=framework, by=qa_manager)

    again = publish_version(framework=framework, by=qa_manager)

    assert again.pk == first.pk
    assert FrameworkVersion.objects.filter(framework=framework).count() == 1


def test_publishing_a_changed_definition_creates_the_next_version_and_keeps_the_old_one(
    qa_manager: User,
) -> None:
    framework = make_framework()
    first = publish_version(framework=framework, by=qa_manager)
    frozen = dict(first.definition)
    framework.pass_mark = Decimal(85)
    framework.save()

    second = publish_version(framework=framework, by=qa_manager)

    assert second.number == 2
    assert second.defn.pass_mark == Decimal(85)
    first.refresh_from_db()
    assert first.definition == frozen
    assert first.defn.pass_mark == Decimal(80)


def test_publishing_writes_an_audit_event(qa_manager: User) -> None:
    framework = make_framework()

    publish_version(framework=framework, by=qa_manager)
    publish_version(framework=framework, by=qa_manager)  # unchanged: no second event

    events = AuditEvent.objects.filter(action="framework.version_published")
    assert events.count() == 1
    event = events.get()
    assert event.actor == qa_manager
    assert event.object_id == str(framework.pk)
    assert event.after is not None and event.after["version"] == 1


def test_an_invalid_framework_is_refused_with_every_problem_and_nothing_is_created(
    qa_manager: User,
) -> None:
    framework = make_framework(
        fd.FrameworkDef(
            name="Broken",
            scoring_mode="weighted",
            pass_mark=Decimal(80),
            use_section_weights=True,
            sections=(
                fd.Section(
                    key="one",
                    title="One",
                    weight=Decimal(60),
                    criteria=(
                        fd.Criterion(
                            key="dup",
                            title="First",
                            guidance="",
                            scale="yes_no",
                            options=fd.yes_no_options(),
                            severity="fatal",
                            na_allowed=True,
                        ),
                        fd.Criterion(
                            key="dup",
                            title="Second",
                            guidance="",
                            scale="points",
                            options=(fd.ScaleOption(Decimal(1), "Only"),),
                        ),
                    ),
                ),
            ),
        )
    )

    with pytest.raises(ValidationError) as raised:
        publish_version(framework=framework, by=qa_manager)

    messages = raised.value.messages
    assert any("Two criteria use the key 'dup'" in m for m in messages)
    assert any("add up to exactly 100; they add up to 60" in m for m in messages)
    assert any("'Second' needs at least two options" in m for m in messages)
    assert any("fatal and allows N/A" in m and "criterion 'First'" in m for m in messages)
    assert not FrameworkVersion.objects.exists()
    assert not AuditEvent.objects.filter(action="framework.version_published").exists()


def test_a_framework_without_criteria_cannot_be_published(qa_manager: User) -> None:
    framework = Framework.objects.create(name="Empty")

    with pytest.raises(ValidationError, match="no scoring criteria"):
        publish_version(framework=framework, by=qa_manager)


def test_duplicating_makes_a_draft_copy_of_the_latest_revision(qa_manager: User) -> None:
    framework = make_framework()
    publish_version(framework=framework, by=qa_manager)
    # An unpublished change in the editor: the copy takes it.
    framework.pass_mark = Decimal(90)
    framework.save_revision(user=qa_manager)

    copy = duplicate_framework(framework=framework, by=qa_manager, name="  Support v2  ")

    assert copy.pk != framework.pk
    assert copy.name == "Support v2"
    assert copy.live is False
    assert copy.pass_mark == Decimal(90)
    assert not copy.versions.exists()
    assert copy.latest_revision is not None
    assert definition_from_blocks(copy).criteria == definition_from_blocks(framework).criteria
    assert AuditEvent.objects.filter(action="framework.duplicated", actor=qa_manager).exists()


def test_duplicating_needs_a_name(qa_manager: User) -> None:
    framework = make_framework()

    with pytest.raises(FrameworkError, match="Give the copy a name"):
        duplicate_framework(framework=framework, by=qa_manager, name="   ")

    assert Framework.objects.count() == 1


def test_retiring_takes_the_framework_out_of_use_and_reinstating_brings_it_back(
    qa_manager: User,
) -> None:
    framework = make_framework()
    framework.save_revision(user=qa_manager).publish()
    assert list(Framework.objects.in_use()) == [framework]

    retire_framework(framework=framework, by=qa_manager)
    retire_framework(framework=framework, by=qa_manager)  # twice: once is enough

    framework.refresh_from_db()
    assert framework.retired_at is not None
    assert list(Framework.objects.in_use()) == []
    reinstate_framework(framework=framework, by=qa_manager)
    framework.refresh_from_db()
    assert framework.retired_at is None
    assert list(Framework.objects.in_use()) == [framework]
    assert AuditEvent.objects.filter(action="framework.retired").count() == 1
    assert AuditEvent.objects.filter(action="framework.reinstated").count() == 1


def test_publishing_through_wagtail_creates_the_version_by_the_publisher(org: Org) -> None:
    publisher = User.objects.create_user("publisher@example.test", "pw")
    grant_role(person=publisher, role=Role.QA_MANAGER, team=org.root)
    framework = make_framework()

    framework.save_revision(user=publisher).publish(user=publisher)

    version = FrameworkVersion.objects.get(framework=framework)
    assert version.number == 1
    assert version.published_by == publisher
    framework.refresh_from_db()
    assert framework.live


def test_a_published_version_cannot_be_saved_again() -> None:
    framework = make_framework()
    version = publish_version(framework=framework)
    version.definition = {"changed": True}

    with pytest.raises(ImmutableVersionError):
        version.save()

    version.refresh_from_db()
    assert "changed" not in version.definition


def test_a_published_version_cannot_be_deleted_nor_its_framework() -> None:
    framework = make_framework()
    version = publish_version(framework=framework)

    with pytest.raises(ImmutableVersionError), transaction.atomic():
        version.delete()
    with pytest.raises(ImmutableVersionError), transaction.atomic():
        FrameworkVersion.objects.filter(pk=version.pk).delete()
    with pytest.raises((ProtectedError, ImmutableVersionError)), transaction.atomic():
        framework.delete()

    assert FrameworkVersion.objects.filter(pk=version.pk).exists()


def test_no_code_path_updates_or_deletes_framework_versions() -> None:
    """Versions are created by publish_version and nothing else touches them: the services
    never update or delete one, and the admin does not offer them for editing."""
    source = inspect.getsource(services)
    assert not re.search(r"versions?\.[^\n]*\.(update|delete)\(", source)
    assert not re.search(r"FrameworkVersion\.objects\.[^\n]*\.(update|delete)\(", source)
    assert FrameworkVersion not in get_snippet_models()
    assert Framework in get_snippet_models()


def test_qa_managers_get_the_wagtail_group_with_framework_permissions(org: Org) -> None:
    person = User.objects.create_user("newqa@example.test", "pw")

    grant = grant_role(person=person, role=Role.QA_MANAGER, team=org.root)

    person = User.objects.get(pk=person.pk)  # fresh permission cache
    assert person.groups.filter(name="QA managers").exists()
    assert person.has_perm("wagtailadmin.access_admin")
    assert person.has_perm("scorecards.add_framework")
    assert person.has_perm("scorecards.change_framework")
    assert person.has_perm("scorecards.publish_framework")
    assert not person.has_perm("scorecards.delete_framework")
    assert not person.is_staff

    revoke_role(grant=RoleGrant.objects.get(pk=grant.pk))

    person = User.objects.get(pk=person.pk)
    assert not person.groups.filter(name="QA managers").exists()
    assert not person.has_perm("wagtailadmin.access_admin")


def test_other_roles_do_not_get_the_qa_managers_group(org: Org, lead: User, agent: User) -> None:
    group = Group.objects.get(name="QA managers")

    assert not group.user_set.filter(pk__in=[lead.pk, agent.pk]).exists()


def test_the_qa_managers_group_setup_is_safe_to_repeat() -> None:
    first = services.ensure_qa_manager_group()
    second = services.ensure_qa_manager_group()

    assert first.pk == second.pk
    assert second.permissions.count() == len(services.QA_MANAGER_PERMISSIONS)


def test_the_group_setup_brings_in_qa_managers_granted_before_it_existed(
    qa_manager: User, lead: User
) -> None:
    group = Group.objects.get(name="QA managers")
    group.user_set.add(lead)  # not a QA manager: taken out
    assert not group.user_set.filter(pk=qa_manager.pk).exists()  # granted by a factory

    services.ensure_qa_manager_group()

    assert list(group.user_set.all()) == [qa_manager]
