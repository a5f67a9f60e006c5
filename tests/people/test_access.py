"""The one access policy: who sees which people and teams."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from qa_platform.people.access import (
    Grants,
    get_visible_or_404,
    grants_of,
    has_role,
    is_admin,
    people_q,
    require_role,
    role_reaches_team,
    teams_q,
)
from qa_platform.people.models import Team, User
from qa_platform.people.roles import Role
from tests.conftest import Org
from tests.people.factories import MembershipFactory, RoleGrantFactory, UserFactory

pytestmark = pytest.mark.django_db


def visible_people(user: User) -> set[User]:
    return set(User.objects.visible_to(user))


def visible_teams(user: User) -> set[Team]:
    return set(Team.objects.visible_to(user))


def member_of(team: Team, **kwargs: object) -> User:
    return MembershipFactory(team=team, **kwargs).user


def test_lead_of_a_team_sees_its_members_but_not_the_sibling_team(
    org: Org, lead: User, agent: User
) -> None:
    sibling = member_of(org.sibling_team)

    people = visible_people(lead)

    assert agent in people
    assert lead in people
    assert sibling not in people


def test_lead_sees_people_in_sub_teams_of_their_team(org: Org, lead: User) -> None:
    sub_team = Team.objects.create(name="Billing nights", parent=org.team)
    sub_team.path = f"{org.team.path}{sub_team.pk}/"
    sub_team.save()
    night_agent = member_of(sub_team)

    assert night_agent in visible_people(lead)
    assert sub_team in visible_teams(lead)


def test_reviewer_on_a_department_sees_all_its_teams_and_their_people(
    org: Org, reviewer: User, agent: User, other_team_agent: User
) -> None:
    sibling = member_of(org.sibling_team)

    assert visible_teams(reviewer) == {org.support, org.team, org.sibling_team}
    people = visible_people(reviewer)
    assert {agent, sibling, reviewer} <= people
    assert other_team_agent not in people


def test_agent_sees_only_themself(org: Org, agent: User, lead: User) -> None:
    teammate = member_of(org.team)

    assert visible_people(agent) == {agent}
    assert teammate not in visible_people(agent)


def test_person_without_a_role_sees_only_themself_and_no_team(
    org: Org, no_role_user: User, agent: User
) -> None:
    assert visible_people(no_role_user) == {no_role_user}
    assert visible_teams(no_role_user) == set()


def test_superuser_sees_everyone_and_every_team_even_people_without_a_team(
    org: Org, admin: User, agent: User, other_team_agent: User
) -> None:
    teamless = UserFactory()

    assert admin.is_superuser
    assert {agent, other_team_agent, teamless} <= visible_people(admin)
    assert visible_teams(admin) == set(Team.objects.all())


def test_anonymous_visitors_see_nobody(org: Org, agent: User) -> None:
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()

    assert not User.objects.filter(people_q(anonymous)).exists()
    assert not Team.objects.filter(teams_q(anonymous)).exists()
    assert grants_of(anonymous) == Grants()


def test_revoked_grants_are_ignored(org: Org, lead: User, agent: User) -> None:
    lead.role_grants.update(revoked_at=timezone.now())
    fresh = User.objects.get(pk=lead.pk)  # no cached grants

    assert not has_role(fresh, Role.LEAD)
    assert visible_people(fresh) == {fresh}


def test_grants_on_an_inactive_team_are_ignored(org: Org, lead: User, agent: User) -> None:
    Team.objects.filter(pk=org.team.pk).update(is_active=False)
    fresh = User.objects.get(pk=lead.pk)

    assert not has_role(fresh, Role.LEAD)
    assert agent not in visible_people(fresh)


def test_a_membership_that_ended_yesterday_does_not_count(org: Org, lead: User) -> None:
    today = timezone.localdate()
    left = member_of(
        org.team, start=today - dt.timedelta(days=30), end=today - dt.timedelta(days=1)
    )

    assert left not in visible_people(lead)


def test_a_membership_ending_today_no_longer_counts_but_one_ending_tomorrow_does(
    org: Org, lead: User
) -> None:
    today = timezone.localdate()
    start = today - dt.timedelta(days=30)
    leaves_today = member_of(org.team, start=start, end=today)
    leaves_tomorrow = member_of(org.team, start=start, end=today + dt.timedelta(days=1))

    people = visible_people(lead)

    assert leaves_today not in people
    assert leaves_tomorrow in people


def test_a_membership_starting_tomorrow_does_not_count_yet(org: Org, lead: User) -> None:
    joiner = member_of(org.team, start=timezone.localdate() + dt.timedelta(days=1))

    assert joiner not in visible_people(lead)


def test_grants_are_read_once_per_request_and_cached_on_the_user(
    org: Org, lead: User, django_assert_num_queries: object
) -> None:
    fresh = User.objects.get(pk=lead.pk)
    with django_assert_num_queries(1):  # type: ignore[operator]
        grants_of(fresh)
        has_role(fresh, Role.LEAD)
        is_admin(fresh)
        teams_q(fresh)


def test_paths_already_covered_by_an_ancestor_are_dropped() -> None:
    grants = Grants(by_role={"lead": ("/1/2/", "/1/2/5/"), "reviewer": ("/1/3/",)})

    assert grants.paths(["lead", "reviewer"]) == ("/1/2/", "/1/3/")
    assert grants.paths(["hr"]) == ()
    assert Grants(superuser=True).paths(["hr"]) is None


def test_role_reaches_only_teams_in_its_subtree(org: Org, reviewer: User) -> None:
    assert role_reaches_team(reviewer, org.team, Role.REVIEWER)
    assert role_reaches_team(reviewer, org.support, Role.REVIEWER)
    assert not role_reaches_team(reviewer, org.root, Role.REVIEWER)
    assert not role_reaches_team(reviewer, org.other_team, Role.REVIEWER)
    assert not role_reaches_team(reviewer, org.team, Role.LEAD)


def test_one_person_may_hold_several_roles_on_different_teams(org: Org, agent: User) -> None:
    RoleGrantFactory(user=agent, role=Role.REVIEWER, team=org.other_team)
    fresh = User.objects.get(pk=agent.pk)
    far_agent = member_of(org.other_team)

    assert has_role(fresh, Role.AGENT, Role.REVIEWER)
    assert far_agent in visible_people(fresh)


def test_require_role_refuses_a_person_without_the_role(agent: User) -> None:
    require_role(agent, Role.AGENT)
    with pytest.raises(PermissionDenied):
        require_role(agent, Role.LEAD, Role.ADMIN)


def test_get_visible_or_404_hides_what_is_out_of_scope_and_bad_ids(
    org: Org, lead: User, other_team_agent: User, agent: User
) -> None:
    scoped = User.objects.visible_to(lead)

    assert get_visible_or_404(scoped, pk=agent.pk) == agent
    for bad in (other_team_agent.pk, 999_999, "abc", None):
        with pytest.raises(Http404):
            get_visible_or_404(scoped, pk=bad)
