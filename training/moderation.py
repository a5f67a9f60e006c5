"""Who authors and who approves training in the Wagtail admin.

- "Trainers" (the Wagtail group of people holding the trainer role) add and edit pages under each
  top-level training index and submit them for approval; they cannot publish.
- "Training approvers" (people holding the training lead role) and "QA managers" (people holding
  the QA manager role) edit and publish there, and approve the "Training review" workflow's
  single task. Roles are mapped to groups in `qa_platform.people.services.ROLE_ADMIN_GROUPS`,
  which puts people in and out of them as roles are granted and revoked.
- The workflow is assigned to every top-level training index (one whose parent is not a training
  index), so everything under it goes through review.

`ensure_training_moderation()` sets all this up and is safe to re-run: after every `migrate`,
when a top-level training index is created, and by the demo seeder.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast
from django.urls import reverse
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    TaskState,
    Workflow,
    WorkflowPage,
    WorkflowState,
    WorkflowTask,
)

from qa_platform.people.roles import Role
from qa_platform.people.services import ROLE_ADMIN_GROUPS

TRAINERS = ROLE_ADMIN_GROUPS[Role.TRAINER]
APPROVERS = ROLE_ADMIN_GROUPS[Role.TRAINING_LEAD]
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


@dataclass(frozen=True)
class InReview:
    """A page in the training review workflow, as a home page lists it."""

    page_id: int
    title: str
    status: str  # "Awaiting approval" or "Changes requested"
    requested_by: str
    submitted_at: Any
    edit_url: str


def _in_review(**filters: Any) -> QuerySet[WorkflowState]:
    """Workflow states of pages, with each page's id and title, in one query."""
    page_id = Cast("object_id", output_field=IntegerField())
    return (
        WorkflowState.objects.filter(
            base_content_type__app_label="wagtailcore", base_content_type__model="page", **filters
        )
        .annotate(
            page_id=page_id,
            page_title=Subquery(Page.objects.filter(pk=OuterRef("page_id")).values("title")[:1]),
        )
        .select_related("requested_by")
    )


def _rows(states: QuerySet[WorkflowState], limit: int) -> tuple[list[InReview], int]:
    found = list(states[:limit])
    count = len(found) if len(found) < limit else states.count()
    rows = []
    for state in found:
        requested_by = state.requested_by
        rows.append(
            InReview(
                page_id=state.page_id,  # type: ignore[attr-defined]
                title=state.page_title,  # type: ignore[attr-defined]
                status=(
                    "Changes requested"
                    if state.status == WorkflowState.STATUS_NEEDS_CHANGES
                    else "Awaiting approval"
                ),
                requested_by=(
                    (requested_by.get_full_name() or requested_by.get_username())
                    if requested_by is not None
                    else ""
                ),
                submitted_at=state.created_at,
                edit_url=reverse("wagtailadmin_pages:edit", args=[state.page_id]),  # type: ignore[attr-defined]
            )
        )
    return rows, count


def awaiting_approval(user: Any, limit: int = 10) -> tuple[list[InReview], int]:
    """Pages whose current review task `user` may approve (a group approval task of one of their
    groups, as Wagtail decides), oldest first, and how many in all."""
    states = _in_review(current_task_state__status=TaskState.STATUS_IN_PROGRESS)
    if not user.is_superuser:
        tasks = GroupApprovalTask.objects.filter(active=True, groups__user=user)
        states = states.filter(current_task_state__task__in=tasks.values("pk"))
    return _rows(states.order_by("created_at", "pk"), limit)


def submitted_by(user: Any, limit: int = 10) -> tuple[list[InReview], int]:
    """Pages `user` submitted that are still in review (or sent back for changes), newest first."""
    states = _in_review(
        requested_by=user,
        status__in=[WorkflowState.STATUS_IN_PROGRESS, WorkflowState.STATUS_NEEDS_CHANGES],
    )
    return _rows(states.order_by("-created_at", "-pk"), limit)
