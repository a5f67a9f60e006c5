"""The roles a person can hold on a team subtree, and which one is their 'main' role."""

from django.db import models


class Role(models.TextChoices):
    AGENT = "agent", "Agent"
    REVIEWER = "reviewer", "QA reviewer"
    LEAD = "lead", "Team lead"
    QA_MANAGER = "qa_manager", "QA manager"
    HR = "hr", "HR"
    ADMIN = "admin", "Administrator"
    # Trainers author training in the Wagtail admin and submit it for approval; training leads
    # approve and publish it. Both assign training and read training reports in their teams.
    TRAINER = "trainer", "Trainer"
    TRAINING_LEAD = "training_lead", "Training lead"


# A person holding several roles lands on the home of the first one they hold in this order:
# the broadest responsibility first, since that is the work they come in for.
MAIN_ROLE_ORDER: tuple[Role, ...] = (
    Role.ADMIN,
    Role.QA_MANAGER,
    Role.TRAINING_LEAD,
    Role.TRAINER,
    Role.HR,
    Role.LEAD,
    Role.REVIEWER,
    Role.AGENT,
)

# Roles that may look at other people's data inside their subtree. Trainers and training leads
# are not among them: they see people's training state only (training.access.VIEW_ROLES).
OVERSIGHT_ROLES: tuple[Role, ...] = (
    Role.REVIEWER,
    Role.LEAD,
    Role.QA_MANAGER,
    Role.HR,
    Role.ADMIN,
)


def main_role(held: set[str]) -> Role | None:
    for role in MAIN_ROLE_ORDER:
        if role in held:
            return role
    return None
