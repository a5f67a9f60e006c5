"""Who may open what: every URL name and every role → the expected outcome.

The table is the product's access contract. A URL without a row fails
`test_every_url_has_a_row_in_the_matrix`, so every new view must declare who may see it.

Outcomes: 200/403/404/405/401 are status codes; LOGIN is a redirect to the sign-in page;
REDIRECT is a redirect elsewhere (an action that succeeded); OK is 200 or REDIRECT.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.people.factories import ApiTokenFactory

LOGIN, REDIRECT, OK = "login", "redirect", "ok"
ROLES = (
    "anonymous",
    "agent",
    "other_team_agent",
    "reviewer",
    "lead",
    "other_team_lead",
    "qa_manager",
    "hr",
    "admin",
    "trainer",
    "training_lead",
)

# URL prefixes whose views are not ours: Wagtail's admin and page serving keep their own
# permission system (administrators, and QA managers, trainers and training leads through their
# Wagtail groups, get Wagtail admin access, see people.services.ROLE_ADMIN_GROUPS).
FOREIGN_PREFIXES = ("cms/", "documents/")


def row(anonymous: Any, **by_role: Any) -> dict[str, Any]:
    """Expected outcome per role; `rest=` fills the roles not named."""
    rest = by_role.pop("rest", None)
    table = {"anonymous": anonymous, **{r: rest for r in ROLES[1:]}, **by_role}
    missing = [r for r, v in table.items() if v is None]
    assert not missing, f"no expectation for {missing}"
    return table


def only(role: str | tuple[str, ...], yes: Any = 200, no: Any = 403) -> dict[str, Any]:
    roles = (role,) if isinstance(role, str) else role
    return row(LOGIN, rest=no, **{r: yes for r in roles})


SIGNED_IN = row(LOGIN, rest=200)
PUBLIC = row(200, rest=200)
# The oversight roles (people.roles.OVERSIGHT_ROLES): trainers and training leads are not among
# them, they see people's training only.
OVERSIGHT = row(LOGIN, rest=200, agent=403, other_team_agent=403, trainer=403, training_lead=403)
# Trainers and training leads have no part in quality reviews: refused, or (where the object is
# looked up first) not found.
NOT_TRAINERS_403 = {"trainer": 403, "training_lead": 403}
NOT_TRAINERS_404 = {"trainer": 404, "training_lead": 404}


@dataclass
class Case:
    expected: dict[str, Any]
    method: str = "get"
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    data: Any = None
    api: bool = False  # authenticate with the role's API token instead of the session
    args: tuple[str, ...] | None = None  # for patterns with unnamed groups (Wagtail's serve)


def _agent(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["agent"].pk}


def _review(w: dict[str, Any]) -> dict[str, Any]:
    """A submitted review of the agent's chat in Billing by the reviewer (made on first use)."""
    if "review" not in w:
        from tests.scorecards.test_review_pages import graded_review

        w["review"] = graded_review(agent=w["agent"], reviewer=w["reviewer"])
    return {"pk": w["review"].pk}


def _interaction(w: dict[str, Any]) -> dict[str, Any]:
    """The agent's chat in Billing, with a framework in use to grade it (made on first use)."""
    if "interaction" not in w:
        from tests.scorecards.factories import InteractionFactory, published_version

        w["version"] = published_version()
        w["interaction"] = InteractionFactory(agent=w["agent"], team=w["org"].team)
    return {"pk": w["interaction"].pk}


def _draft(w: dict[str, Any]) -> dict[str, Any]:
    """The reviewer's draft review of that chat (made on first use)."""
    if "draft" not in w:
        from scorecards.services.reviews import start_review

        _interaction(w)
        w["draft"] = start_review(
            reviewer=w["reviewer"], interaction=w["interaction"], framework_version=w["version"]
        )
    return {"pk": w["draft"].pk}


def _framework(w: dict[str, Any]) -> dict[str, Any]:
    """A published framework (made on first use); frameworks belong to the whole organisation."""
    if "framework_version" not in w:
        from tests.scorecards.factories import published_version

        w["framework_version"] = published_version()
    return {"pk": w["framework_version"].framework_id}


def _framework_version(w: dict[str, Any]) -> dict[str, Any]:
    _framework(w)
    return {"pk": w["framework_version"].pk}


# Who grades: reviewers, leads, QA managers and administrators of the agent's team; people who
# never grade are refused before anything is looked up.
GRADERS = row(
    LOGIN,
    rest=200,
    agent=403,
    other_team_agent=403,
    hr=403,
    other_team_lead=404,
    **NOT_TRAINERS_403,
)
# Written role-play replies: the same graders, plus trainers and training leads of the agent.
ROLE_PLAY_GRADERS = {**GRADERS, "trainer": 200, "training_lead": 200}
# A draft is written by its author only; QA managers and administrators see it (403), leads
# do not (404).
DRAFT_AUTHOR = row(LOGIN, rest=403, reviewer=REDIRECT, lead=404, other_team_lead=404)


def _no_job(w: dict[str, Any]) -> dict[str, Any]:
    return {"job_id": "0" * 32}


# A review of the agent's work: the agent, and the quality roles of the agent's team.
REVIEW_READERS = row(
    LOGIN, rest=200, other_team_agent=404, other_team_lead=404, hr=404, **NOT_TRAINERS_404
)
QUALITY_LEADS = ("lead", "other_team_lead", "qa_manager", "admin")


# --- Training (training-views) -------------------------------------------------------------


def _training(w: dict[str, Any]) -> dict[str, Any]:
    """A module, a role-play with a free step, a path with a certificate; the agent's attempts
    of both (the role-play waiting for a grade) and certificate (made on first use)."""
    if "training" not in w:
        from tests.training.factories import module_page, scenario_page
        from tests.training.views_helpers import make_path
        from training.models import AttemptAnswer
        from training.services import answer_step, issue_certificate, start_attempt

        module = module_page("Matrix module")
        role_play = scenario_page("Matrix role-play", free=True)
        path = make_path("Matrix path", [(module, [], True)])
        module_attempt = start_attempt(person=w["agent"], page=module)
        played = start_attempt(person=w["agent"], page=role_play)
        answer_step(attempt=played, step_key="greet", reply_key="kind")
        answer_step(attempt=played, step_key="middle", text="Sorry, fixing it now.")
        w["training"] = {
            "module": module,
            "role_play": role_play,
            "path": path,
            "module_attempt": module_attempt,
            "answer": AttemptAnswer.objects.get(attempt=played, key="middle"),
            "certificate": issue_certificate(person=w["agent"], path=path),
        }
        # A role-play attempt still in progress, for the answer endpoint.
        w["training"]["open_play"] = start_attempt(person=w["agent"], page=role_play, practice=True)
    return w["training"]


def _t_page(name: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda w: {"page_id": _training(w)[name].pk}


def _t_module_attempt(w: dict[str, Any]) -> dict[str, Any]:
    t = _training(w)
    return {"page_id": t["module"].pk, "attempt_id": t["module_attempt"].pk}


def _t_play(w: dict[str, Any]) -> dict[str, Any]:
    t = _training(w)
    return {"page_id": t["role_play"].pk, "attempt_id": t["open_play"].pk}


# Assigning, rules, certificates and reports: leads and the trainer roles.
TRAINING_MANAGERS = ("lead", "other_team_lead", "qa_manager", "admin", "trainer", "training_lead")
# The agent's own attempt: nobody else reaches it, whatever their role.
OWN_ATTEMPT = row(LOGIN, rest=404, agent=200)
OWN_ATTEMPT_POST = row(LOGIN, rest=404, agent=REDIRECT)
# The agent's certificate: the holder and the oversight roles of the agent's team.
CERTIFICATE_READERS = row(LOGIN, rest=200, other_team_agent=404, other_team_lead=404)


# --- Engagement (qa_platform.engagement) ---------------------------------------------------


def _engagement(w: dict[str, Any]) -> dict[str, Any]:
    """HR's draft survey of Support; an open pulse of Billing (the agent, the reviewer and the
    lead are invited); a closed pulse of Support with results decided; the lead's action plan
    for Billing on it (made on first use)."""
    if "engagement" not in w:
        from tests.engagement.factories import closed_survey, launched_survey, make_survey
        from tests.engagement.factories_actions import make_plan

        org = w["org"]
        closed = closed_survey(teams=[org.support], actor=w["hr"])
        w["engagement"] = {
            "draft": make_survey(teams=[org.support], actor=w["hr"], title="Matrix draft"),
            "open": launched_survey(teams=[org.team], actor=w["hr"], title="Matrix pulse"),
            "closed": closed,
            "plan": make_plan(survey=closed, team=org.team, owner=w["lead"], actor=w["lead"]),
        }
    return w["engagement"]


def _e_survey(name: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda w: {"survey_id": _engagement(w)[name].pk}


def _e_draft_question(w: dict[str, Any]) -> dict[str, Any]:
    draft = _engagement(w)["draft"]
    return {"survey_id": draft.pk, "question_id": draft.questions.first().pk}


def _e_draft_section(w: dict[str, Any]) -> dict[str, Any]:
    draft = _engagement(w)["draft"]
    return {"survey_id": draft.pk, "section_id": draft.sections.first().pk}


def _e_plan(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": _engagement(w)["plan"].pk}


def _e_item(kind: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def kwargs(w: dict[str, Any]) -> dict[str, Any]:
        closed = _engagement(w)["closed"]
        questions = closed.questions.order_by("order", "pk")
        if kind == "comment":
            key = questions.filter(scale="comment").first().key
        else:
            key = questions.exclude(scale="comment").first().key
        return {"survey_id": closed.pk, "item_key": key}

    return kwargs


# Building and running surveys: HR and administrators (the survey is HR's, in their reach).
SURVEY_ADMINS = ("hr", "admin")
# Survey results: HR and administrators everywhere, leads for their own teams.
RESULT_READERS = row(LOGIN, rest=403, lead=200, hr=200, admin=200, other_team_lead=404)
# The open pulse of Billing: only the people invited to it (the agent, the reviewer, the lead).
INVITED = row(LOGIN, rest=404, agent=200, reviewer=200, lead=200)
# Action plans for Billing: its lead, HR and administrators; another team's lead finds nothing.
PLAN_KEEPERS = row(LOGIN, rest=403, lead=200, hr=200, admin=200, other_team_lead=404)


MATRIX: dict[str, Case] = {
    # Homes: `/` sends each person to the home of their main role.
    "home": Case(row(LOGIN, rest=REDIRECT)),
    "home_agent": Case(only(("agent", "other_team_agent"))),
    "home_reviewer": Case(only("reviewer")),
    "home_lead": Case(only(("lead", "other_team_lead"))),
    "home_qa": Case(only("qa_manager")),
    "home_hr": Case(only("hr")),
    "home_admin": Case(only("admin")),
    "home_trainer": Case(only(("trainer", "training_lead"))),
    # Sign-in and account.
    "login": Case(row(200, rest=REDIRECT)),
    "logout": Case(row(LOGIN, rest=405)),  # sign-out is a POST
    "password_change": Case(SIGNED_IN),
    "password_change_done": Case(SIGNED_IN),
    "password_reset": Case(PUBLIC),
    "password_reset_done": Case(PUBLIC),
    "password_reset_complete": Case(PUBLIC),
    # Public certificate check: an unknown code is a 404 page for everyone, signed in or not.
    "verify_certificate": Case(row(404, rest=404), kwargs=lambda w: {"code": "NO-SUCH-CODE"}),
    # The library (Wagtail page serving) is for signed-in staff; pages keep Wagtail's own view
    # restrictions on top (tests/content/test_search.py and test_pages.py).
    "library": Case(SIGNED_IN),
    "library_search": Case(SIGNED_IN),
    "wagtail_serve": Case(row(LOGIN, rest=404), args=("no-such-page/",)),
    # Wagtail's sign-in form for pages restricted to a login: a form, like our own login page.
    "wagtailcore_login": Case(PUBLIC),
    "wagtailcore_authenticate_with_password": Case(
        row(LOGIN, rest=404),
        kwargs=lambda w: {"page_view_restriction_id": 999999, "page_id": 999999},
    ),
    "password_reset_confirm": Case(PUBLIC, kwargs=lambda w: {"uidb64": "MQ", "token": "bad-token"}),
    # People and teams.
    "people:list": Case(OVERSIGHT),
    "people:detail": Case(
        row(LOGIN, rest=200, other_team_agent=404, other_team_lead=404, **NOT_TRAINERS_404),
        kwargs=_agent,
    ),
    "people:create": Case(only("admin")),
    "people:edit": Case(only("admin"), kwargs=_agent),
    "people:move": Case(only("admin"), kwargs=_agent),
    "people:grant": Case(only("admin"), kwargs=_agent),
    "people:revoke": Case(
        only("admin", yes=REDIRECT), method="post", kwargs=lambda w: {"pk": w["grant"].pk}
    ),
    "people:end_membership": Case(
        only("admin", yes=OK), method="post", kwargs=lambda w: {"pk": w["membership"].pk}
    ),
    "people:teams": Case(only("admin")),
    "people:team_create": Case(only("admin")),
    "people:team_edit": Case(only("admin"), kwargs=lambda w: {"pk": w["org"].team.pk}),
    "people:tokens": Case(only("admin")),
    "people:token_create": Case(only("admin")),
    "people:token_revoke": Case(
        only("admin", yes=REDIRECT), method="post", kwargs=lambda w: {"pk": w["token"].pk}
    ),
    "people:import": Case(only("admin")),
    "people:import_template": Case(only("admin")),
    # Audit trail.
    "audit:list": Case(only("admin")),
    # Notifications: each person only ever reaches their own.
    "notifications:list": Case(SIGNED_IN),
    "notifications:bell": Case(SIGNED_IN),
    "notifications:read": Case(
        row(LOGIN, rest=404, agent=REDIRECT),
        method="post",
        kwargs=lambda w: {"pk": w["notification"].pk},
    ),
    "notifications:read_all": Case(row(LOGIN, rest=REDIRECT), method="post"),
    # Reviews: the agent's own list and acknowledgement; the page and PDF for those who may read
    # the review; the list and export for leads, QA managers and administrators.
    "scorecards:my_reviews": Case(only(("agent", "other_team_agent"))),
    "scorecards:reviews": Case(only(QUALITY_LEADS)),
    "scorecards:reviews_export": Case(only(QUALITY_LEADS)),
    "scorecards:review": Case(REVIEW_READERS, kwargs=_review),
    "scorecards:review_pdf": Case(REVIEW_READERS, kwargs=_review),
    "scorecards:review_acknowledge": Case(
        row(
            LOGIN,
            rest=403,
            agent=REDIRECT,
            other_team_agent=404,
            other_team_lead=404,
            hr=404,
            **NOT_TRAINERS_404,
        ),
        method="post",
        kwargs=_review,
    ),
    # The grading workspace: open (and start a draft), save ratings, submit.
    "scorecards:workspace": Case(GRADERS, kwargs=_interaction),
    "scorecards:review_rate": Case(DRAFT_AUTHOR, method="post", kwargs=_draft),
    "scorecards:review_submit": Case(
        {**DRAFT_AUTHOR, "reviewer": 400}, method="post", kwargs=_draft
    ),
    # Quality frameworks (authored in the Wagtail admin): versions, duplicate, retire, preview,
    # for QA managers and administrators of any team.
    "scorecards:frameworks": Case(only(("qa_manager", "admin"))),
    "scorecards:framework_duplicate": Case(only(("qa_manager", "admin")), kwargs=_framework),
    "scorecards:framework_retire": Case(
        only(("qa_manager", "admin"), yes=REDIRECT), method="post", kwargs=_framework
    ),
    "scorecards:framework_reinstate": Case(
        only(("qa_manager", "admin"), yes=REDIRECT), method="post", kwargs=_framework
    ),
    "scorecards:framework_version_preview": Case(
        only(("qa_manager", "admin")), kwargs=_framework_version
    ),
    # Interactions: the list for the quality roles; imports (upload, template, the job pages)
    # for QA managers and administrators. A job is its uploader's own: anyone else's is 404.
    "scorecards:interactions": Case(
        only(("reviewer", "lead", "other_team_lead", "qa_manager", "admin"))
    ),
    "scorecards:interactions_import": Case(only(("qa_manager", "admin"))),
    "scorecards:interactions_import_template": Case(only(("qa_manager", "admin"))),
    "scorecards:feedback_import": Case(only(("qa_manager", "admin"))),
    "scorecards:feedback_import_template": Case(only(("qa_manager", "admin"))),
    "scorecards:import_job": Case(only(("qa_manager", "admin"), yes=404), kwargs=_no_job),
    "scorecards:import_job_confirm": Case(
        only(("qa_manager", "admin"), yes=404), method="post", kwargs=_no_job
    ),
    "scorecards:import_job_cancel": Case(
        only(("qa_manager", "admin"), yes=404), method="post", kwargs=_no_job
    ),
    # The quality overview (leads, QA managers, administrators; figures scoped to their teams)
    # and the scoring rules every signed-in person may read.
    "scorecards:overview": Case(only(QUALITY_LEADS)),
    "scorecards:how_scores_work": Case(SIGNED_IN),
    # Training: everyone's own learning; grading, assigning and reports for their roles.
    "training:my_training": Case(SIGNED_IN),
    "training:path": Case(SIGNED_IN, kwargs=_t_page("path")),
    "training:module": Case(SIGNED_IN, kwargs=_t_page("module")),
    "training:module_start": Case(
        row(LOGIN, rest=REDIRECT), method="post", kwargs=_t_page("module")
    ),
    "training:module_attempt": Case(OWN_ATTEMPT, kwargs=_t_module_attempt),
    "training:module_answer": Case(OWN_ATTEMPT_POST, method="post", kwargs=_t_module_attempt),
    "training:module_submit": Case(OWN_ATTEMPT_POST, method="post", kwargs=_t_module_attempt),
    "training:scenario": Case(SIGNED_IN, kwargs=_t_page("role_play")),
    "training:scenario_start": Case(
        row(LOGIN, rest=REDIRECT), method="post", kwargs=_t_page("role_play")
    ),
    "training:scenario_attempt": Case(OWN_ATTEMPT, kwargs=_t_play),
    "training:scenario_answer": Case(OWN_ATTEMPT_POST, method="post", kwargs=_t_play),
    "training:grading": Case(row(LOGIN, rest=200, agent=403, other_team_agent=403, hr=403)),
    "training:grade": Case(
        ROLE_PLAY_GRADERS, kwargs=lambda w: {"answer_id": _training(w)["answer"].pk}
    ),
    "training:assign": Case(only(TRAINING_MANAGERS)),
    "training:rules": Case(only(TRAINING_MANAGERS)),
    "training:certificates": Case(only(TRAINING_MANAGERS)),
    "training:certificate_pdf": Case(
        CERTIFICATE_READERS, kwargs=lambda w: {"certificate_id": _training(w)["certificate"].pk}
    ),
    "training:certificate_revoke": Case(
        row(LOGIN, rest=403, other_team_agent=404, other_team_lead=404, admin=REDIRECT),
        method="post",
        kwargs=lambda w: {"certificate_id": _training(w)["certificate"].pk},
    ),
    "training:reports": Case(only(TRAINING_MANAGERS)),
    # Engagement: HR builds and runs surveys.
    "engagement:manage_list": Case(only(SURVEY_ADMINS)),
    "engagement:manage_create": Case(only(SURVEY_ADMINS)),
    "engagement:manage_builder": Case(only(SURVEY_ADMINS), kwargs=_e_survey("draft")),
    "engagement:manage_question_add_bank": Case(
        only(SURVEY_ADMINS, yes=OK), method="post", kwargs=_e_survey("draft")
    ),
    "engagement:manage_question_add_own": Case(
        only(SURVEY_ADMINS, yes=OK), method="post", kwargs=_e_survey("draft")
    ),
    "engagement:manage_question_remove": Case(
        only(SURVEY_ADMINS, yes=OK), method="post", kwargs=_e_draft_question
    ),
    "engagement:manage_question_move": Case(
        only(SURVEY_ADMINS, yes=OK), method="post", kwargs=_e_draft_question
    ),
    "engagement:manage_section_add": Case(
        only(SURVEY_ADMINS, yes=OK), method="post", kwargs=_e_survey("draft")
    ),
    "engagement:manage_section_remove": Case(
        only(SURVEY_ADMINS, yes=OK), method="post", kwargs=_e_draft_section
    ),
    "engagement:manage_section_move": Case(
        only(SURVEY_ADMINS, yes=OK), method="post", kwargs=_e_draft_section
    ),
    "engagement:manage_population": Case(only(SURVEY_ADMINS), kwargs=_e_survey("draft")),
    "engagement:manage_schedule": Case(only(SURVEY_ADMINS), kwargs=_e_survey("draft")),
    "engagement:manage_preview": Case(only(SURVEY_ADMINS), kwargs=_e_survey("draft")),
    "engagement:manage_launch": Case(only(SURVEY_ADMINS), kwargs=_e_survey("draft")),
    "engagement:manage_close": Case(only(SURVEY_ADMINS), kwargs=_e_survey("open")),
    # Engagement: answering (only one's own invitation; nobody else's exists for them).
    "engagement:my_surveys": Case(SIGNED_IN),
    "engagement:answer": Case(INVITED, kwargs=_e_survey("open")),
    "engagement:answer_save": Case(
        row(LOGIN, rest=404, agent=OK, reviewer=OK, lead=OK),
        method="post",
        kwargs=_e_survey("open"),
    ),
    "engagement:answer_submit": Case(
        row(LOGIN, rest=404, agent=OK, reviewer=OK, lead=OK),
        method="post",
        kwargs=_e_survey("open"),
    ),
    # Thanks only after submitting: before, the invited are sent back to the form.
    "engagement:answer_thanks": Case(
        row(LOGIN, rest=404, agent=REDIRECT, reviewer=REDIRECT, lead=REDIRECT),
        kwargs=_e_survey("open"),
    ),
    "engagement:receipt": Case(INVITED, kwargs=_e_survey("open")),
    "engagement:answer_token": Case(row(LOGIN, rest=404), kwargs=lambda w: {"token": "no-such"}),
    # Engagement: results, exports and action plans.
    "engagement:results_list": Case(only(("lead", "other_team_lead", "hr", "admin"))),
    "engagement:results_overview": Case(RESULT_READERS, kwargs=_e_survey("closed")),
    "engagement:results_heatmap": Case(RESULT_READERS, kwargs=_e_survey("closed")),
    "engagement:results_item": Case(RESULT_READERS, kwargs=_e_item("score")),
    "engagement:results_comments": Case(RESULT_READERS, kwargs=_e_item("comment")),
    "engagement:results_csv": Case(RESULT_READERS, kwargs=_e_survey("closed")),
    "engagement:results_pdf": Case(RESULT_READERS, kwargs=_e_survey("closed")),
    "engagement:action_plans": Case(PLAN_KEEPERS, kwargs=_e_survey("closed")),
    "engagement:action_plan_create": Case(PLAN_KEEPERS, kwargs=_e_survey("closed")),
    "engagement:action_plan": Case(PLAN_KEEPERS, kwargs=_e_plan),
    "engagement:action_plan_update": Case(
        {**PLAN_KEEPERS, "lead": 400, "hr": 400, "admin": 400}, method="post", kwargs=_e_plan
    ),
    "engagement:action_plan_publish": Case(
        {**PLAN_KEEPERS, "lead": 400, "hr": 400, "admin": 400}, method="post", kwargs=_e_plan
    ),
    # Engagement: customer figures and the CX views, for HR and administrators.
    "engagement:customer_import": Case(only(SURVEY_ADMINS)),
    "engagement:customer_import_template": Case(only(SURVEY_ADMINS)),
    "engagement:cx_overview": Case(only(SURVEY_ADMINS)),
    "engagement:engagement_cx": Case(only(SURVEY_ADMINS)),
    # The API's documentation is for signed-in people; the API itself takes tokens (below).
    "api:openapi-view": Case(SIGNED_IN),
    "api:openapi-json": Case(SIGNED_IN),
}

# API endpoints: the same matrix, authenticated by each role's token (anonymous = no token).
API_MATRIX: dict[str, Case] = {
    "api:api-root": Case(row(404, rest=404), api=True),
    "api:people": Case(row(401, rest=200), api=True),
    "api:teams": Case(row(401, rest=200), api=True),
    "api:people_bulk": Case(
        row(401, rest=403, admin=200), method="post", data={"people": []}, api=True
    ),
    "api:teams_bulk": Case(
        row(401, rest=403, admin=200), method="post", data={"teams": []}, api=True
    ),
    "api:reviews": Case(row(401, rest=200), api=True),
    # GET lists what the token may see; POST (same URL) is for QA managers and administrators.
    "api:interactions": Case(row(401, rest=200), api=True),
    # Completions the token's owner may see (their own at least).
    "api:training_completions": Case(row(401, rest=200), api=True),
    "api:customer_feedback": Case(
        row(401, rest=403, qa_manager=200, admin=200), method="post", data=[], api=True
    ),
    "api:customer_periods": Case(
        row(401, rest=403, hr=200, admin=200), method="post", data=[], api=True
    ),
    # Surveys and their (suppressed) results: HR and administrators, leads for their teams.
    "api:list_surveys": Case(
        row(401, rest=403, lead=200, other_team_lead=200, hr=200, admin=200), api=True
    ),
    "api:survey_results": Case(
        row(401, rest=403, lead=200, other_team_lead=404, hr=200, admin=200),
        kwargs=_e_survey("closed"),
        api=True,
    ),
    "api:reviews_import": Case(
        row(401, rest=403, qa_manager=200, admin=200),
        method="post",
        data={"reviews": []},
        api=True,
    ),
}


def _iter_patterns(
    patterns: list[Any], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}{p.namespace}:"
            yield from _iter_patterns(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and p.name:
            yield prefix + str(p.pattern), namespace + p.name


def project_url_names() -> set[str]:
    return {
        name
        for route, name in _iter_patterns(get_resolver().url_patterns)
        if not route.startswith(FOREIGN_PREFIXES)
    }


def test_every_url_has_a_row_in_the_matrix() -> None:
    missing = project_url_names() - set(MATRIX) - set(API_MATRIX)
    assert not missing, f"Add these URL names to the authorisation matrix: {sorted(missing)}"


def test_the_matrix_has_no_rows_for_urls_that_do_not_exist() -> None:
    stale = (set(MATRIX) | set(API_MATRIX)) - project_url_names()
    assert not stale, f"Remove these rows, the URLs are gone: {sorted(stale)}"


def _outcome(response: Any) -> Any:
    if response.status_code == 302:
        return LOGIN if response["Location"].startswith(reverse("login")) else REDIRECT
    return response.status_code


def _matches(expected: Any, actual: Any) -> bool:
    if expected == OK:
        return actual in (200, REDIRECT)
    return expected == actual


def _check(name: str, case: Case, world: dict[str, Any], api: bool) -> None:
    url = reverse(name, args=case.args, kwargs=case.kwargs(world) if case.kwargs else None)
    failures = []
    for role in ROLES:
        client = Client()
        headers: dict[str, str] = {}
        if role != "anonymous":
            if api:
                ApiTokenFactory(user=world[role], key=f"qap_matrix_{role}_{name}")
                headers["Authorization"] = f"Bearer qap_matrix_{role}_{name}"
            else:
                client.force_login(world[role])
        send = getattr(client, case.method)
        if case.method == "post" and api:
            body = json.dumps(case.data)
            response = send(url, data=body, content_type="application/json", headers=headers)
        else:
            response = send(url, data=case.data, headers=headers)
        actual = _outcome(response)
        assert response.status_code < 500, f"{name} as {role}: {response.status_code}"
        if not _matches(case.expected[role], actual):
            failures.append(f"{role}: expected {case.expected[role]}, got {actual}")
    assert not failures, f"{name} ({url}):\n  " + "\n  ".join(failures)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_the_expected_outcome_on_each_page(name: str, world: dict[str, Any]) -> None:
    _check(name, MATRIX[name], world, api=False)


@pytest.mark.parametrize("name", sorted(API_MATRIX))
def test_each_role_gets_the_expected_outcome_on_each_api_endpoint(
    name: str, world: dict[str, Any]
) -> None:
    _check(name, API_MATRIX[name], world, api=True)
