"""Who authors and who approves training in the Wagtail admin.

- "Trainers" (a Wagtail group) add and edit pages under each top-level training index and submit
  them for approval; they cannot publish.
- "Training approvers" (training leads) and the "QA managers" group (people holding the QA manager
  role, see `qa_platform.people.services.ROLE_ADMIN_GROUPS`) edit and publish there, and approve
  the "Training review" workflow's single task.
- The workflow is assigned to every top-level training index (one whose parent is not a training
  index), so everything under it goes through review.

`ensure_training_moderation()` sets all this up and is safe to re-run: after every `migrate`,
when a top-level training index is created, and by the demo seeder.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from qa_platform.people.roles import Role
from qa_platform.people.services import ROLE_ADMIN_GROUPS

TRAINERS = "Trainers"
APPROVERS = "Training approvers"
WORKFLOW_NAME = "Training review"
TASK_NAME = "Training lead or QA manager approves"

AUTHOR_PAGE_PERMISSIONS = ("add_page", "change_page")
APPROVER_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")
# Images and documents (module figures, videos, job aids, customer audio) in the root collection.
MEDIA_PERMISSIONS = (
    ("wagtailimages", "image", ("add_image", "change_image", "choose_image")),
    ("wagtaildocs", "document", ("add_document", "change_document", "choose_document")),
)


def _permission(app_label: str, model: str, codename: str) -> Permission:
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": codename}
    )
    return permission


def approver_groups() -> list[Group]:
    return [
        Group.objects.get_or_create(name=APPROVERS)[0],
        Group.objects.get_or_create(name=ROLE_ADMIN_GROUPS[Role.QA_MANAGER])[0],
    ]


def top_level_indexes() -> list[Page]:
    from training.pages import TrainingIndexPage

    indexes = list(TrainingIndexPage.objects.all())
    index_paths = {index.path for index in indexes}
    step = TrainingIndexPage.steplen
    return [index for index in indexes if index.path[:-step] not in index_paths]


@transaction.atomic
def ensure_training_moderation(index: Page | None = None) -> Workflow:
    """Groups, their permissions, and the review workflow on `index` (or every top-level index)."""
    trainers = Group.objects.get_or_create(name=TRAINERS)[0]
    approvers = approver_groups()
    admin_access = _permission("wagtailadmin", "admin", "access_admin")
    root_collection = Collection.get_first_root_node()
    for group in [trainers, *approvers]:
        group.permissions.add(admin_access)
        if root_collection is not None:
            for app_label, model, codenames in MEDIA_PERMISSIONS:
                for codename in codenames:
                    GroupCollectionPermission.objects.get_or_create(
                        group=group,
                        collection=root_collection,
                        permission=_permission(app_label, model, codename),
                    )

    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME)
    task.groups.add(*approvers)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})

    indexes = [index] if index is not None else top_level_indexes()
    for page in indexes:
        WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": workflow})
        for codename in AUTHOR_PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=trainers, page=page, permission=_permission("wagtailcore", "page", codename)
            )
        for group in approvers:
            for codename in APPROVER_PAGE_PERMISSIONS:
                GroupPagePermission.objects.get_or_create(
                    group=group, page=page, permission=_permission("wagtailcore", "page", codename)
                )
    return workflow


def after_migrate(sender: Any, **kwargs: Any) -> None:
    ensure_training_moderation()


def index_created(
    sender: Any, instance: Page, created: bool = False, raw: bool = False, **kwargs: Any
) -> None:
    """A new top-level training index gets the workflow and permissions at once."""
    if not created or raw:
        return
    parent = instance.get_parent()
    from training.pages import TrainingIndexPage

    if parent is not None and not isinstance(parent.specific_deferred, TrainingIndexPage):
        ensure_training_moderation(instance)
