"""Learner-state reads are scoped through the access policy (`visible_to`)."""

from __future__ import annotations

import pytest

from qa_platform.people.models import User
from qa_platform.people.roles import Role
from tests.conftest import Org
from tests.people.factories import person_with_role
from tests.training.factories import module_page, path_page
from training import access
from training.models import Assignment, AssignmentRule, Attempt, Certificate
from training.services import assign_training, issue_certificate, save_rule, start_attempt

pytestmark = pytest.mark.django_db


@pytest.fixture
def state(org: Org, agent: User, other_team_agent: User, qa_manager: User) -> None:
    page = module_page()
    assign_training(page=page, people=[agent, other_team_agent], actor=qa_manager)
    start_attempt(person=agent, page=page)
    start_attempt(person=other_team_agent, page=page)
    path = path_page(items=[(page, [], True)])
    issue_certificate(person=agent, path=path)
    issue_certificate(person=other_team_agent, path=path)


def emails(qs: object, field: str = "person__email") -> set[str]:
    return set(qs.values_list(field, flat=True))  # type: ignore[attr-defined]


def test_an_agent_sees_only_their_own_learning(state: None, agent: User) -> None:
    for model in (Assignment, Attempt, Certificate):
        assert emails(model.objects.visible_to(agent)) == {"agent@example.test"}


def test_a_lead_sees_their_team_not_another(state: None, lead: User) -> None:
    for model in (Assignment, Attempt, Certificate):
        assert emails(model.objects.visible_to(lead)) == {"agent@example.test"}


def test_reviewers_hr_and_qa_managers_see_the_teams_they_reach(
    state: None, reviewer: User, hr: User, qa_manager: User
) -> None:
    assert emails(Attempt.objects.visible_to(reviewer)) == {"agent@example.test"}
    both = {"agent@example.test", "agent2@example.test"}
    assert emails(Assignment.objects.visible_to(hr)) == both
    assert emails(Certificate.objects.visible_to(qa_manager)) == both


def test_anonymous_and_people_without_a_role_see_nothing_of_others(
    state: None, no_role_user: User
) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not Assignment.objects.visible_to(AnonymousUser()).exists()
    assert not Assignment.objects.visible_to(no_role_user).exists()


def test_who_may_assign_and_grade(
    org: Org, agent: User, lead: User, other_team_lead: User, reviewer: User, qa_manager: User
) -> None:
    assert access.can_assign_to(lead, agent)
    assert not access.can_assign_to(other_team_lead, agent)
    assert not access.can_assign_to(reviewer, agent)
    assert access.can_assign_to(qa_manager, agent)
    assert access.can_grade(reviewer, agent) and access.can_grade(lead, agent)
    assert not access.can_grade(agent, agent)
    assert access.is_trainer(qa_manager) and not access.is_trainer(lead)


def test_rules_are_visible_to_trainers_and_to_leads_for_their_teams(
    org: Org, lead: User, other_team_lead: User, qa_manager: User, agent: User
) -> None:
    page = module_page()
    ours = save_rule(name="Billing", page=page, team=org.team, actor=qa_manager)
    theirs = save_rule(name="Renewals", page=page, team=org.other_team, actor=qa_manager)
    everyone = save_rule(name="All agents", page=page, role=Role.AGENT, actor=qa_manager)
    assert set(AssignmentRule.objects.visible_to(qa_manager)) == {ours, theirs, everyone}
    assert set(AssignmentRule.objects.visible_to(lead)) == {ours, everyone}
    assert not AssignmentRule.objects.visible_to(agent).exists()


def test_a_person_who_moves_team_leaves_their_former_leads_sight(
    state: None, org: Org, agent: User, lead: User
) -> None:
    from qa_platform.people.services import move_to_team

    move_to_team(person=agent, team=org.other_team)
    assert not Assignment.objects.visible_to(lead).exists()
    newcomer = person_with_role(Role.AGENT, org.team)
    assert newcomer.pk not in set(
        Assignment.objects.visible_to(lead).values_list("person_id", flat=True)
    )


def test_trainers_and_training_leads_assign_and_grade_in_the_teams_their_role_reaches(
    org: Org, agent: User, other_team_agent: User, trainer: User, training_lead: User
) -> None:
    # The trainer holds the role on Support (the agent's department), the training lead on the
    # whole organisation.
    assert access.can_assign_to(trainer, agent)
    assert not access.can_assign_to(trainer, other_team_agent)
    assert access.can_assign_to(training_lead, agent)
    assert access.can_assign_to(training_lead, other_team_agent)
    assert access.can_grade(trainer, agent) and not access.can_grade(trainer, other_team_agent)
    assert access.can_grade(training_lead, other_team_agent)
    assert access.is_trainer(trainer) and access.is_trainer(training_lead)


def test_a_trainer_sees_the_learning_of_the_teams_they_reach_only(
    state: None, trainer: User, training_lead: User
) -> None:
    for model in (Assignment, Attempt, Certificate):
        assert emails(model.objects.visible_to(trainer)) == {"agent@example.test"}
    both = {"agent@example.test", "agent2@example.test"}
    assert emails(Certificate.objects.visible_to(training_lead)) == both


def test_trainers_see_every_rule_as_qa_managers_do(
    org: Org, trainer: User, qa_manager: User
) -> None:
    page = module_page()
    ours = save_rule(name="Billing", page=page, team=org.team, actor=qa_manager)
    theirs = save_rule(name="Renewals", page=page, team=org.other_team, actor=qa_manager)
    assert set(AssignmentRule.objects.visible_to(trainer)) == {ours, theirs}


def test_trainers_are_not_oversight_roles_outside_training(
    agent: User, trainer: User, training_lead: User
) -> None:
    from qa_platform.people.access import people_q

    for user in (trainer, training_lead):
        assert not User.objects.filter(people_q(user), pk=agent.pk).exists()
