"""Team-level customer results per window (qa_platform.engagement.cx): the same figures as
qa_platform.stats on the same answers, subtree attribution, window edges, fixed query count."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from qa_platform import stats
from qa_platform.engagement import cx
from qa_platform.engagement.models import Survey, SurveyStatus
from scorecards.models import ReviewPurpose, ReviewStatus
from scorecards.services.rollups import rebuild
from tests.people.factories import TeamFactory
from tests.scorecards.factories import CustomerFeedbackFactory, InteractionFactory, ReviewFactory

pytestmark = pytest.mark.django_db

ZONE = timezone.get_default_timezone()


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=ZONE)


OPENS = dt.date(2026, 3, 2)
CLOSES = dt.date(2026, 3, 20)


@pytest.fixture
def survey(db):
    return Survey.objects.create(
        title="Spring",
        status=SurveyStatus.CLOSED,
        opens_at=at(OPENS, 9),
        closes_at=at(CLOSES, 17),
    )


def feedback(team, day, csat=None, nps=None, hour=12):
    return CustomerFeedbackFactory(team=team, received_at=at(day, hour), csat=csat, nps=nps)


def review(team, day, score):
    interaction = InteractionFactory(team=team, started_at=at(day))
    return ReviewFactory(
        interaction=interaction,
        status=ReviewStatus.SUBMITTED,
        purpose=ReviewPurpose.QUALITY,
        final_score=Decimal(score),
        submitted_at=at(day),
    )


def test_the_survey_window_runs_from_the_opening_day_to_the_closing_day(survey):
    window = cx.survey_window(survey)
    assert (window.start, window.end, window.kind) == (OPENS, CLOSES, "same")
    assert window.days == 19
    assert window.name == "The survey period"


def test_the_lagged_window_is_the_n_days_after_the_closing_day(survey):
    window = cx.lagged_window(survey)
    assert window.start == CLOSES + dt.timedelta(days=1)
    assert window.end == CLOSES + dt.timedelta(days=90)
    assert window.name == "The 90 days after the survey closed"
    assert cx.lagged_window(survey, 30).days == 30


@pytest.mark.parametrize("days", [0, -5, 366])
def test_a_lag_out_of_range_is_refused(survey, days):
    with pytest.raises(ValueError, match="between 1 and 365"):
        cx.lagged_window(survey, days)


def test_a_survey_that_never_opened_has_no_window(db):
    survey = Survey.objects.create(title="Draft")
    assert cx.survey_window(survey) is None
    assert cx.lagged_window(survey) is None


def test_a_window_is_unfinished_until_its_last_day_has_passed(survey):
    window = cx.survey_window(survey)
    assert window.unfinished(CLOSES)
    assert not window.unfinished(CLOSES + dt.timedelta(days=1))


def test_csat_and_nps_equal_the_stats_figures_of_the_same_answers(org, survey):
    csat_answers = [5, 4, 4, 3, 1, 5, 2, 4]
    nps_answers = [10, 9, 7, 6, 0, 9, 8, 3]
    for i, (c, n) in enumerate(zip(csat_answers, nps_answers, strict=True)):
        feedback(org.team, OPENS + dt.timedelta(days=i), csat=c, nps=n)
    feedback(org.team, OPENS, nps=10)  # an NPS answer without CSAT
    result = cx.team_cx([org.team], cx.survey_window(survey))[org.team.pk]
    expected_csat = stats.csat(csat_answers)
    assert result.csat.n == 8
    assert result.csat.value == pytest.approx(expected_csat.value * 100)
    assert result.csat.low == pytest.approx(expected_csat.low * 100)
    assert result.csat.high == pytest.approx(expected_csat.high * 100)
    expected_nps = stats.nps([*nps_answers, 10])
    assert result.nps.n == 9
    assert result.nps.value == pytest.approx(expected_nps.value)
    assert result.nps.low == pytest.approx(expected_nps.low)
    assert result.figure("csat") is result.csat


def test_answers_outside_the_window_do_not_count(org, survey):
    feedback(org.team, OPENS, csat=5, hour=0)  # first minute of the first day: in
    feedback(org.team, CLOSES, csat=5, hour=23)  # last hour of the closing day: in
    feedback(org.team, OPENS - dt.timedelta(days=1), csat=1, hour=23)  # the day before: out
    feedback(org.team, CLOSES + dt.timedelta(days=1), csat=1, hour=0)  # the day after: out
    same = cx.team_cx([org.team], cx.survey_window(survey))[org.team.pk]
    assert same.csat.n == 2 and same.csat.value == pytest.approx(100.0)
    lagged = cx.team_cx([org.team], cx.lagged_window(survey, 10))[org.team.pk]
    assert lagged.csat.n == 1 and lagged.csat.value == pytest.approx(0.0)


def test_a_team_counts_its_subtree_and_not_its_siblings(org, survey):
    sub_team = TeamFactory(name="Billing nights", parent=org.team)
    feedback(org.team, OPENS, csat=5)
    feedback(sub_team, OPENS, csat=1)
    feedback(org.sibling_team, OPENS, csat=4)
    feedback(org.other_team, OPENS, csat=2)
    result = cx.team_cx([org.team, org.sibling_team, org.support], cx.survey_window(survey))
    assert result[org.team.pk].csat.n == 2
    assert result[org.sibling_team.pk].csat.n == 1
    assert result[org.support.pk].csat.n == 3  # Billing, its sub-team and Tech
    assert result[org.support.pk].csat.value == pytest.approx(200 / 3)


def test_qa_score_is_the_mean_of_final_scores_from_the_rollups(org, survey):
    scores = ["80", "92.5", "61.25", "75"]
    for i, s in enumerate(scores):
        review(org.team, OPENS + dt.timedelta(days=3 * i), s)
    review(org.team, CLOSES + dt.timedelta(days=2), "10")  # after the close: lagged only
    rebuild()
    same = cx.team_cx([org.team], cx.survey_window(survey))[org.team.pk]
    expected = stats.mean_interval([Decimal(s) for s in scores])
    assert same.qa.n == 4
    assert same.qa.value == pytest.approx(expected.value)
    assert same.qa.low == pytest.approx(expected.low)
    assert same.qa.high == pytest.approx(expected.high)
    lagged = cx.team_cx([org.team], cx.lagged_window(survey))[org.team.pk]
    assert lagged.qa.n == 1 and lagged.qa.value == pytest.approx(10.0)


def test_a_team_without_data_has_empty_figures(org, survey):
    result = cx.team_cx([org.other_team], cx.survey_window(survey))[org.other_team.pk]
    assert result.csat.n == 0 and result.csat.value is None
    assert result.nps.n == 0 and result.qa.n == 0 and result.qa.value is None


def test_only_the_measures_asked_for_are_queried(org, survey, django_assert_num_queries):
    feedback(org.team, OPENS, csat=5)
    with django_assert_num_queries(2):  # the teams, the feedback
        result = cx.team_cx([org.team], cx.survey_window(survey), measures=["csat"])
    assert result[org.team.pk].csat.n == 1
    with pytest.raises(ValueError, match="Unknown CX measure"):
        cx.team_cx([org.team], cx.survey_window(survey), measures=["ces"])
    with pytest.raises(ValueError, match="Unknown CX measure"):
        result[org.team.pk].figure("ces")


def test_the_query_count_does_not_grow_with_teams(org, survey, django_assert_num_queries):
    teams = [TeamFactory(parent=org.support) for _ in range(12)]
    for t in teams:
        feedback(t, OPENS, csat=4, nps=9)
    with django_assert_num_queries(3):
        result = cx.team_cx(teams, cx.survey_window(survey))
    assert all(result[t.pk].csat.n == 1 for t in teams)


def test_no_teams_need_no_queries(survey, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert cx.team_cx([], cx.survey_window(survey)) == {}
