"""Action plans and "you said, we did" updates: who may keep them, the owner rule, the checks,
the audit trail, and the reads the homes and results pages use."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qa_platform.audit.models import AuditEvent
from qa_platform.engagement.models import ActionPlan, ActionStatus, ActionUpdate, Survey
from qa_platform.engagement.services.actions import (
    actions_for_driver_change,
    create_action_plan,
    open_plans_for,
    owner_candidates,
    publish_update,
    survey_drivers,
    update_action_plan,
    updates_for_member,
)
from qa_platform.people.models import User
from qa_platform.people.roles import Role
from tests.conftest import Org
from tests.engagement.factories_actions import closed_pulse, make_plan
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + dt.timedelta(days=1)


@pytest.fixture
def survey(org: Org, agent: User, other_team_agent: User, lead: User) -> Survey:
    return closed_pulse([org.support, org.sales])


def test_the_survey_drivers_are_its_driver_keys_in_question_order(survey: Survey) -> None:
    drivers = survey_drivers(survey)
    assert drivers[0] == "manager"
    assert len(drivers) == len(set(drivers)) >= 5


def test_a_lead_creates_a_plan_for_their_team_and_it_is_audited(
    survey: Survey, org: Org, lead: User, agent: User
) -> None:
    plan = make_plan(survey=survey, team=org.team, owner=agent, actor=lead, driver="manager")
    assert plan.status == ActionStatus.PLANNED
    assert plan.created_by == lead
    event = AuditEvent.objects.get(action="engagement.action_plan_created")
    assert event.actor == lead
    assert event.object_id == str(plan.pk)
    assert event.after["driver"] == "manager"
    assert event.after["owner"] == agent.pk


def test_a_lead_cannot_keep_plans_for_another_team(
    survey: Survey, org: Org, lead: User, other_team_agent: User
) -> None:
    with pytest.raises(PermissionDenied):
        make_plan(survey=survey, team=org.other_team, owner=other_team_agent, actor=lead)
    assert not ActionPlan.objects.exists()


def test_an_agent_cannot_keep_plans(survey: Survey, org: Org, agent: User) -> None:
    with pytest.raises(PermissionDenied):
        make_plan(survey=survey, team=org.team, owner=agent, actor=agent)


def test_hr_keeps_plans_for_any_team_of_the_organisation(
    survey: Survey, org: Org, hr: User, other_team_agent: User
) -> None:
    plan = make_plan(survey=survey, team=org.other_team, owner=other_team_agent, actor=hr)
    assert plan.team == org.other_team


def test_the_owner_must_be_a_person_in_the_plans_scope(
    survey: Survey, org: Org, hr: User, lead: User, other_team_agent: User
) -> None:
    with pytest.raises(ValidationError) as refused:
        make_plan(survey=survey, team=org.team, owner=other_team_agent, actor=hr)
    assert "owner" in refused.value.message_dict
    # The team's lead may own it, and so may HR (whose grant reaches the team).
    assert make_plan(survey=survey, team=org.team, owner=lead, actor=hr).owner == lead
    assert make_plan(survey=survey, team=org.team, owner=hr, actor=hr).owner == hr


def test_an_inactive_person_cannot_own_a_plan(
    survey: Survey, org: Org, lead: User, agent: User
) -> None:
    User.objects.filter(pk=agent.pk).update(is_active=False)
    agent.refresh_from_db()
    assert not owner_candidates(org.team).filter(pk=agent.pk).exists()
    with pytest.raises(ValidationError):
        make_plan(survey=survey, team=org.team, owner=agent, actor=lead)


def test_every_bad_field_is_reported_at_once_and_nothing_is_saved(
    survey: Survey, org: Org, lead: User, agent: User
) -> None:
    with pytest.raises(ValidationError) as refused:
        create_action_plan(
            survey=survey,
            team=org.team,
            driver="no_such_driver",
            action="   ",
            details="",
            owner=agent,
            due_date=timezone.localdate(),
            actor=lead,
        )
    assert set(refused.value.message_dict) == {"driver", "action", "due_date"}
    assert "future" in refused.value.message_dict["due_date"][0]
    assert not ActionPlan.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="engagement.action").exists()


def test_a_plan_needs_a_closed_survey_the_team_took_part_in(
    org: Org, lead: User, agent: User, other_team_agent: User, hr: User
) -> None:
    from tests.engagement.factories import launched_survey

    open_survey = launched_survey(teams=[org.support])
    with pytest.raises(ValidationError) as refused:
        make_plan(survey=open_survey, team=org.team, owner=agent, actor=lead, driver="manager")
    assert "survey" in refused.value.message_dict
    only_sales = closed_pulse([org.sales])
    with pytest.raises(ValidationError) as refused:
        make_plan(survey=only_sales, team=org.team, owner=agent, actor=hr, driver="manager")
    assert "team" in refused.value.message_dict


def test_updating_a_plan_changes_only_what_is_given_and_audits_before_and_after(
    survey: Survey, org: Org, lead: User, agent: User
) -> None:
    plan = make_plan(survey=survey, team=org.team, owner=agent, actor=lead)
    update_action_plan(plan=plan, actor=lead, status=ActionStatus.IN_PROGRESS)
    plan.refresh_from_db()
    assert plan.status == ActionStatus.IN_PROGRESS
    event = AuditEvent.objects.get(action="engagement.action_plan_updated")
    assert event.before == {"status": "planned"}
    assert event.after == {"status": "in_progress"}


def test_an_update_that_changes_nothing_writes_no_event(
    survey: Survey, org: Org, lead: User, agent: User
) -> None:
    plan = make_plan(survey=survey, team=org.team, owner=agent, actor=lead)
    update_action_plan(plan=plan, actor=lead, status=plan.status, due_date=plan.due_date)
    assert not AuditEvent.objects.filter(action="engagement.action_plan_updated").exists()


def test_a_new_due_date_must_be_in_the_future_and_a_new_owner_in_scope(
    survey: Survey, org: Org, lead: User, agent: User, other_team_agent: User
) -> None:
    plan = make_plan(survey=survey, team=org.team, owner=agent, actor=lead)
    with pytest.raises(ValidationError) as refused:
        update_action_plan(
            plan=plan,
            actor=lead,
            due_date=timezone.localdate() - dt.timedelta(days=1),
            owner=other_team_agent,
            status="finished",
        )
    assert set(refused.value.message_dict) == {"due_date", "owner", "status"}
    plan.refresh_from_db()
    assert plan.owner == agent and plan.status == ActionStatus.PLANNED


def test_another_teams_lead_cannot_update_or_publish(
    survey: Survey, org: Org, lead: User, agent: User, other_team_lead: User
) -> None:
    plan = make_plan(survey=survey, team=org.team, owner=agent, actor=lead)
    with pytest.raises(PermissionDenied):
        update_action_plan(plan=plan, actor=other_team_lead, status=ActionStatus.DONE)
    with pytest.raises(PermissionDenied):
        publish_update(plan=plan, text="We did it", actor=other_team_lead)
    assert not ActionUpdate.objects.exists()


def test_publishing_an_update_dates_it_and_audits_it(
    survey: Survey, org: Org, lead: User, agent: User
) -> None:
    plan = make_plan(survey=survey, team=org.team, owner=agent, actor=lead)
    update = publish_update(
        plan=plan, text="  You said feedback was rare; we now meet weekly. ", actor=lead
    )
    assert update.published_at is not None
    assert update.text == "You said feedback was rare; we now meet weekly."
    event = AuditEvent.objects.get(action="engagement.action_update_published")
    assert event.after["plan"] == plan.pk


def test_an_empty_update_is_refused(survey: Survey, org: Org, lead: User, agent: User) -> None:
    plan = make_plan(survey=survey, team=org.team, owner=agent, actor=lead)
    with pytest.raises(ValidationError):
        publish_update(plan=plan, text="  ", actor=lead)
    assert not ActionUpdate.objects.exists()


def test_members_see_updates_of_plans_for_their_team_and_the_teams_above_it(
    survey: Survey, org: Org, lead: User, hr: User, agent: User, other_team_agent: User
) -> None:
    team_plan = make_plan(survey=survey, team=org.team, owner=agent, actor=lead)
    department_plan = make_plan(survey=survey, team=org.support, owner=hr, actor=hr)
    sales_plan = make_plan(survey=survey, team=org.other_team, owner=other_team_agent, actor=hr)
    for plan in (team_plan, department_plan, sales_plan):
        publish_update(plan=plan, text=f"Done: {plan.team.name}", actor=hr)
    mine = {u.plan_id for u in updates_for_member(agent)}
    assert mine == {team_plan.pk, department_plan.pk}
    assert {u.plan_id for u in updates_for_member(other_team_agent)} == {sales_plan.pk}
    assert updates_for_member(UserFactory()) == []


def test_open_plans_come_earliest_due_first_and_only_open_ones(
    survey: Survey, org: Org, lead: User, agent: User
) -> None:
    later = make_plan(survey=survey, team=org.team, owner=agent, actor=lead, due_in_days=40)
    sooner = make_plan(survey=survey, team=org.team, owner=agent, actor=lead, due_in_days=5)
    done = make_plan(survey=survey, team=org.team, owner=agent, actor=lead, due_in_days=1)
    update_action_plan(plan=done, actor=lead, status=ActionStatus.DONE)
    plans, total = open_plans_for(lead, roles=(Role.LEAD,))
    assert [p.pk for p in plans] == [sooner.pk, later.pk]
    assert total == 2


def test_the_next_wave_finds_the_previous_waves_plans_for_the_team_and_driver(
    survey: Survey, org: Org, lead: User, agent: User
) -> None:
    plan = make_plan(survey=survey, team=org.team, owner=agent, actor=lead, driver="manager")
    other_driver = survey_drivers(survey)[1]
    make_plan(survey=survey, team=org.team, owner=agent, actor=lead, driver=other_driver)
    next_wave = closed_pulse([org.support, org.sales], previous_wave=survey)
    assert actions_for_driver_change(next_wave, org.team, "manager") == [plan]
    assert actions_for_driver_change(next_wave, org.sibling_team, "manager") == []
    assert actions_for_driver_change(survey, org.team, "manager") == []  # no previous wave
