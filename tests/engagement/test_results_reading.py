"""Results decided at close and read through reading.py: figures match measures on the same answers,
small teams roll up, drivers follow their items, filters obey the final combination."""

from __future__ import annotations

import pytest

from qa_platform.engagement import measures, publishing, reading
from qa_platform.engagement.anonymity import Outcome, Reason
from qa_platform.engagement.models import ItemResult, SurveyQuestion
from qa_platform.people.models import Team
from tests.conftest import Org
from tests.engagement.factories_results import default_answer, results_survey
from tests.people.factories import TeamFactory

pytestmark = pytest.mark.django_db


def test_the_favourable_percent_of_a_shown_team_is_measures_favourable_on_its_answers(
    org: Org,
) -> None:
    survey = results_survey([(org.team, 12), (org.sibling_team, 9), (org.other_team, 7)])
    question = SurveyQuestion.objects.get(survey=survey, key="driver.manager.helps")

    result = reading.team_results(survey, "driver.manager.helps", [org.team.pk])[org.team.pk]

    expected = measures.favourable([default_answer(i, org.team, question) for i in range(12)])
    assert result.decision.outcome is Outcome.SHOWN
    assert result.figure is not None
    assert result.figure.n == 12
    assert result.figure.value == pytest.approx(expected.percent)
    assert result.figure.low == pytest.approx(expected.share.low * 100)


def test_a_team_of_four_rolls_up_into_its_parent_with_the_parents_figure(org: Org) -> None:
    extra = TeamFactory(name="Small", parent=org.support)
    survey = results_survey(
        [(org.team, 12), (org.sibling_team, 9), (extra, 4), (org.other_team, 7)]
    )

    results = reading.team_results(survey, "index", [extra.pk, org.support.pk])

    small, support = results[extra.pk], results[org.support.pk]
    assert small.decision.outcome is Outcome.ROLLED_UP
    assert small.decision.rolled_up_into == str(org.support.pk)
    assert small.decision.reason is Reason.TOO_FEW
    assert small.figure == support.figure
    assert support.figure is not None and support.figure.n == 25


def test_the_index_and_enps_match_the_measures_over_the_whole_organisation(org: Org) -> None:
    survey = results_survey([(org.team, 12), (org.sibling_team, 9), (org.other_team, 7)])
    teams = [(org.team, 12), (org.sibling_team, 9), (org.other_team, 7)]
    enps_question = SurveyQuestion.objects.get(survey=survey, key="enps.score")
    index_questions = list(SurveyQuestion.objects.filter(survey=survey, part="index"))
    answers = [default_answer(i, t, enps_question) for t, n in teams for i in range(n)]
    responses = [
        {q.key: default_answer(i, t, q) for q in index_questions}
        for t, n in teams
        for i in range(n)
    ]

    results = reading.team_results(survey, "enps", [org.root.pk])
    index = reading.team_results(survey, "index", [org.root.pk])[org.root.pk]

    expected = measures.enps(answers)
    assert results[org.root.pk].figure is not None
    assert results[org.root.pk].figure.value == pytest.approx(expected.value)
    assert results[org.root.pk].figure.low == pytest.approx(expected.low)
    expected_index = measures.engagement_index(responses, [q.key for q in index_questions])
    assert index.figure is not None
    assert index.figure.n == 28
    assert index.figure.value == pytest.approx(expected_index.value, abs=0.01)


def test_a_driver_is_shown_only_where_every_one_of_its_items_is_shown(org: Org) -> None:
    def answer(i: int, team: Team, question: SurveyQuestion) -> object:
        # In Billing only 3 people answer the second workload item.
        if team == org.team and question.key == "driver.workload.pace" and i >= 3:
            return None
        return default_answer(i, team, question)

    survey = results_survey(
        [(org.team, 12), (org.sibling_team, 9), (org.other_team, 7)],
        template_key="full",
        answer=answer,
    )

    manager = reading.team_results(survey, "driver.manager", [org.team.pk])[org.team.pk]
    workload = reading.team_results(survey, "driver.workload", [org.team.pk])[org.team.pk]

    assert manager.decision.outcome is Outcome.SHOWN
    assert workload.decision.outcome is not Outcome.SHOWN
    assert workload.figure is None or workload.decision.rolled_up_into is not None


def test_a_filter_combination_under_the_threshold_is_hidden_and_not_given_an_n(org: Org) -> None:
    def attributes(i: int, team: Team) -> dict[str, str]:
        return {
            "location": "Lisbon" if i < 8 else "Porto",
            "role": "Agent",
            "tenure_band": "1–3 years",
        }

    survey = results_survey([(org.team, 11), (org.other_team, 10)], attributes=attributes)

    lisbon = reading.team_results(survey, "index", [org.team.pk], filters={"location": "Lisbon"})
    porto = reading.team_results(survey, "index", [org.team.pk], filters={"location": "Porto"})

    assert porto[org.team.pk].decision.outcome is not Outcome.SHOWN
    assert porto[org.team.pk].decision.n is None or porto[org.team.pk].decision.rolled_up_into
    # Billing Lisbon (8) beside Billing (11) would give away Porto's 3: hidden too.
    assert lisbon[org.team.pk].decision.outcome is not Outcome.SHOWN


def test_a_filter_outside_the_published_universe_is_refused(org: Org) -> None:
    survey = results_survey([(org.team, 12)])

    result = reading.team_results(survey, "index", [org.team.pk], filters={"shoe_size": "42"})

    assert result[org.team.pk].decision.outcome is Outcome.REFUSED
    assert result[org.team.pk].figure is None


def test_identical_populations_are_decided_once(org: Org) -> None:
    survey = results_survey([(org.team, 12), (org.sibling_team, 9), (org.other_team, 7)])

    meta = ItemResult.objects.get(survey=survey, item_key=publishing.META_KEY).counts

    scored = ItemResult.objects.filter(survey=survey, kind="scores").exclude(
        item_key=publishing.META_KEY
    )
    assert scored.count() > 5
    # Every scored item shares one population; the comment question has its own.
    assert meta["publications_decided"] == 2


def test_participation_is_shown_only_where_at_least_five_were_invited(org: Org) -> None:
    survey = results_survey(
        [(org.team, 6), (org.other_team, 3)], invited_only=[(org.team, 4), (org.other_team, 1)]
    )

    billing = reading.participation(survey, org.team.pk)
    renewals = reading.participation(survey, org.other_team.pk)

    assert billing is not None and (billing.invited, billing.responded) == (10, 6)
    assert renewals is None


def test_the_filter_universe_keeps_every_filter_for_a_small_organisation() -> None:
    universe = publishing.filter_universe(
        6, {"location": 2, "role": 2, "tenure_band": 3}, max_filters=3
    )

    assert universe == publishing.FilterUniverse(("location", "role", "tenure_band"), 3)


def test_the_filter_universe_drops_the_dimensions_with_most_values_first_at_scale() -> None:
    universe = publishing.filter_universe(
        181, {"location": 5, "role": 3, "tenure_band": 4}, max_filters=3
    )

    assert universe.max_filters == 1
    assert universe.dimensions == ("role",)
    assert publishing.universe_cells(181, [3], 1) <= publishing.CELL_BUDGET
    assert publishing.universe_cells(181, [3, 4], 1) > publishing.CELL_BUDGET


def test_results_are_not_readable_before_they_are_computed(org: Org) -> None:
    survey = results_survey([(org.team, 6)], compute=False)

    with pytest.raises(reading.NoResults):
        reading.team_results(survey, "index", [org.team.pk])


def test_the_pooled_favourable_share_of_a_driver_matches_driver_favourable() -> None:
    responses = [
        {"driver.team.help": 5, "driver.team.respect": 4},
        {"driver.team.help": 2, "driver.team.respect": 4},
        {"driver.team.help": 3},
    ]
    pooled = measures.driver_favourable(responses, ["driver.team.help", "driver.team.respect"])

    assert measures.pooled_favourable([0, 1, 1, 2, 1]) == pytest.approx(pooled.value)
    assert measures.pooled_favourable([0, 0, 0, 0, 0]) is None
    with pytest.raises(ValueError):
        measures.pooled_favourable([1, 2, 3])
