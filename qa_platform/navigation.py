"""The left navigation: grouped by what a person does, showing only what their roles allow."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.urls import reverse

from qa_platform.engagement.access import RESULTS_ROLES, SURVEY_ADMIN_ROLES
from qa_platform.people.roles import OVERSIGHT_ROLES, Role


@lru_cache(maxsize=64)
def _reverse(url_name: str) -> str:
    """Navigation URLs never change while the process runs; reverse each once."""
    return reverse(url_name)


ROLE_HOME_URL = {
    Role.AGENT: "home_agent",
    Role.REVIEWER: "home_reviewer",
    Role.LEAD: "home_lead",
    Role.QA_MANAGER: "home_qa",
    Role.HR: "home_hr",
    Role.ADMIN: "home_admin",
    Role.TRAINER: "home_trainer",
    Role.TRAINING_LEAD: "home_trainer",
}


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[str, ...]  # shown to anyone holding one of these
    icon: str = "dot"

    @property
    def url(self) -> str:
        return _reverse(self.url_name)


@dataclass(frozen=True)
class NavGroup:
    label: str
    items: tuple[NavItem, ...]


ALL_ROLES = tuple(Role)

# Who sees the quality pages (kept in step with scorecards.access, which enforces them).
QUALITY = (Role.REVIEWER, Role.LEAD, Role.QA_MANAGER, Role.ADMIN)
OVERVIEW = (Role.LEAD, Role.QA_MANAGER, Role.ADMIN)
QA_ADMIN = (Role.QA_MANAGER, Role.ADMIN)
# Who sees the training pages for leads and trainers (kept in step with training.access).
TRAINING = (Role.TRAINER, Role.TRAINING_LEAD)
TRAINING_OVERVIEW = (*OVERVIEW, *TRAINING)

NAVIGATION: tuple[NavGroup, ...] = (
    NavGroup(
        "My work",
        (
            NavItem("Home", "home", ALL_ROLES, "home"),
            NavItem("My reviews", "scorecards:my_reviews", (Role.AGENT,), "check"),
            NavItem("My training", "training:my_training", ALL_ROLES, "check"),
            NavItem("Library", "library", ALL_ROLES, "tree"),
            NavItem("My surveys", "engagement:my_surveys", ALL_ROLES, "check"),
        ),
    ),
    NavGroup(
        "Review",
        (
            NavItem("Interactions", "scorecards:interactions", QUALITY, "audit"),
            NavItem("Reviews", "scorecards:reviews", OVERVIEW, "check"),
            NavItem("Role-play grading", "training:grading", (*QUALITY, *TRAINING), "check"),
        ),
    ),
    NavGroup(
        "Team",
        (
            NavItem("Quality overview", "scorecards:overview", OVERVIEW, "dot"),
            NavItem("People", "people:list", OVERSIGHT_ROLES, "people"),
            NavItem("Assign training", "training:assign", TRAINING_OVERVIEW, "people"),
            NavItem("Training reports", "training:reports", TRAINING_OVERVIEW, "dot"),
        ),
    ),
    NavGroup(
        "Programme",
        (
            NavItem("Frameworks", "scorecards:frameworks", QA_ADMIN, "tree"),
            NavItem("Import interactions", "scorecards:interactions_import", QA_ADMIN, "upload"),
            NavItem("Import feedback", "scorecards:feedback_import", QA_ADMIN, "upload"),
        ),
    ),
    NavGroup(
        "Engagement",
        (
            NavItem("Surveys", "engagement:manage_list", SURVEY_ADMIN_ROLES, "people"),
            NavItem("Survey results", "engagement:results_list", RESULTS_ROLES, "dot"),
            NavItem("CX overview", "engagement:cx_overview", SURVEY_ADMIN_ROLES, "dot"),
            NavItem("Engagement and CX", "engagement:engagement_cx", SURVEY_ADMIN_ROLES, "dot"),
        ),
    ),
    NavGroup(
        "Admin",
        (
            NavItem("Teams", "people:teams", (Role.ADMIN,), "tree"),
            NavItem("Import people", "people:import", (Role.ADMIN,), "upload"),
            NavItem("Audit trail", "audit:list", (Role.ADMIN,), "audit"),
            NavItem("API tokens", "people:tokens", (Role.ADMIN,), "key"),
        ),
    ),
)


def navigation_for(held_roles: set[str], current_path: str = "") -> list[dict[str, object]]:
    visible = [
        (group, [item for item in group.items if any(r in held_roles for r in item.roles)])
        for group in NAVIGATION
    ]
    # The current page is the item with the longest URL that prefixes the path ("/" only exactly).
    matches = [
        item.url
        for _, items in visible
        for item in items
        if current_path == item.url or (item.url != "/" and current_path.startswith(item.url))
    ]
    active = max(matches, key=len, default=None)
    return [
        {
            "label": group.label,
            "items": [
                {"label": i.label, "url": i.url, "icon": i.icon, "active": i.url == active}
                for i in items
            ],
        }
        for group, items in visible
        if items
    ]
