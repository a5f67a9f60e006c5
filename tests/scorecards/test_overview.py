"""The quality overview: figures equal hand computation, intervals, greying under 5, criterion
averages untouched by fatal failures, CSAT and NPS, filters, scoping, the page itself and its
query count, "How scores work" and the homes' quality card."""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qa_platform import stats
from qa_platform.people.models import Team, User
from scorecards import framework_def as fd
from scorecards import overview
from scorecards.models import FrameworkVersion, Review, ReviewPurpose, ReviewRating, ReviewStatus
from scorecards.services import rollups
from scorecards.services.reviews import RatingInput, rate, submit_review
from tests.conftest import Org
from tests.people.factories import MembershipFactory, UserFactory
from tests.scorecards.factories import (
    CustomerFeedbackFactory,
    InteractionFactory,
    ReviewFactory,
    demo_definition,
    published_version,
)

HTMX = {"HX-Request": "true"}
URL = "/quality/overview/"
PERIOD_EXAMPLE = [100, 9.91, 63.96, 90.99, 0]  # DOMAIN.md §4: the quality score is 52.97

# verify-identity yes (100 x 1), greeting 3 of 1-3 (100 x 1), empathy 4 of 1-5 (75 x 2) = 87.5.
PASSING = {"verify-identity": "1", "greeting": "3", "empathy": "4", "contact-reason": "2"}
# Identity not verified: raw (0 + 100 + 150) / 4 = 62.5, final 0 (fatal); empathy still 75.
FATAL = {**PASSING, "verify-identity": "0"}
WITH_NA = {**PASSING, "greeting": "N/A"}


# --- Arranging reviews and feedback --------------------------------------------------------------


def _at(days_ago: float = 2, when: dt.datetime | None = None) -> dt.datetime:
    return when or timezone.now() - dt.timedelta(days=days_ago)


def team_of(person: User) -> Team:
    return person.memberships.select_related("team").first().team  # type: ignore[union-attr]


@pytest.fixture
def version(db: None) -> FrameworkVersion:
    return published_version(demo_definition())


def graded(
    *,
    agent: User,
    reviewer: User,
    version: FrameworkVersion,
    ratings: Mapping[str, str] = PASSING,
    days_ago: float = 2,
    team: Team | None = None,
    channel: str = "chat",
) -> Review:
    """A review graded and submitted through the services."""
    interaction = InteractionFactory(
        agent=agent, team=team or team_of(agent), channel=channel, started_at=_at(days_ago)
    )
    review = ReviewFactory(interaction=interaction, reviewer=reviewer, framework_version=version)
    entered = {
        key: RatingInput(value=None if v == "N/A" else Decimal(v), na=v == "N/A")
        for key, v in ratings.items()
    }
    rate(review=review, by=reviewer, ratings=entered)
    submit_review(review=review, by=reviewer)
    review.refresh_from_db()
    return review


def scored(
    *,
    agent: User,
    version: FrameworkVersion,
    final: float,
    days_ago: float = 2,
    when: dt.datetime | None = None,
    team: Team | None = None,
    channel: str = "chat",
    passed: bool | None = None,
    purpose: str = ReviewPurpose.QUALITY,
    status: str = ReviewStatus.SUBMITTED,
    reviewer: User | None = None,
    empathy: float | None = None,
) -> Review:
    """A submitted review row with a given final score (for arithmetic on exact figures), added to
    the rollups as the review services add what they write."""
    interaction = InteractionFactory(
        agent=agent, team=team or team_of(agent), channel=channel, started_at=_at(days_ago, when)
    )
    review = ReviewFactory(
        interaction=interaction,
        framework_version=version,
        reviewer=reviewer or UserFactory(),
        status=status,
        purpose=purpose,
        final_score=Decimal(str(final)),
        raw_score=Decimal(str(final)),
        passed=final >= 80 if passed is None else passed,
        submitted_at=timezone.now() if status == ReviewStatus.SUBMITTED else None,
    )
    if empathy is not None:
        ReviewRating.objects.create(
            review=review,
            criterion_key="empathy",
            value=Decimal(1),
            normalised=Decimal(str(empathy)),
        )
    # Written as the review services leave it: counted in the overview's rollups.
    rollups.record_change(None, rollups.contribution_of(review))
    return review


def feedback(
    *, agent: User, csat: int | None, nps: int | None, days_ago: float = 1, **kw: Any
) -> None:
    CustomerFeedbackFactory(
        agent=agent,
        team=kw.pop("team", None) or team_of(agent),
        csat=csat,
        nps=nps,
        received_at=_at(days_ago),
        **kw,
    )


def last_4_weeks(**kw: Any) -> overview.Filters:
    return overview.Filters(period=overview.period_for("4w", timezone.localdate()), **kw)


def figures_for(user: User, **kw: Any) -> overview.Overview:
    return overview.build_overview(user, last_4_weeks(**kw))


def page(client: Client, user: User, url: str = URL, **kwargs: Any) -> Any:
    client.force_login(user)
    return client.get(url, **kwargs)


def text_of(response: Any) -> str:
    return html.unescape(response.content.decode())


def words_of(response: Any) -> str:
    """The page as read: tags removed, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", response.content.decode())).split())


# --- Statistics from summaries and counts ------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        PERIOD_EXAMPLE,
        [87.5, 62.5],
        [50, 50, 50, 50, 50, 50],
        [0.0, 100.0, 100.0, 25.0, 75.0, 12.5, 33.3333],
        list(range(0, 101, 3)),
    ],
)
def test_the_interval_from_n_mean_and_sd_equals_the_interval_from_the_values(
    values: list[float],
) -> None:
    n, total = len(values), math.fsum(values)
    squares = math.fsum(v * v for v in values)
    sd = overview.sample_sd(n, total, squares)
    from_summary = overview.mean_interval_from_summary(n, total / n, sd)
    from_values = stats.mean_interval(values)
    assert from_summary is not None and from_values is not None
    assert from_summary.value == pytest.approx(from_values.value)
    assert from_summary.low == pytest.approx(from_values.low, abs=1e-9)
    assert from_summary.high == pytest.approx(from_values.high, abs=1e-9)
    assert from_summary.too_few == from_values.too_few


def test_one_value_has_no_interval() -> None:
    assert overview.mean_interval_from_summary(1, 80.0, 0.0) is None
    assert overview.sample_sd(1, 80.0, 6400.0) == 0.0


@pytest.mark.parametrize(
    "answers", [[5, 4, 3, 2, 1], [5] * 12, [1, 2, 3], [4, 5, 5, 3, 4, 2, 5, 5, 1, 4], []]
)
def test_csat_from_counts_equals_csat_from_the_answers(answers: list[int]) -> None:
    top = sum(1 for a in answers if a >= 4)
    ours, theirs = overview.csat_from_counts(top, len(answers)), stats.csat(answers)
    assert (ours.n, ours.successes, ours.too_few) == (theirs.n, theirs.successes, theirs.too_few)
    for field in ("value", "low", "high"):
        mine, expected = getattr(ours, field), getattr(theirs, field)
        assert (mine is None and expected is None) or mine == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("successes", "n"), [(0, 1), (1, 1), (0, 7), (7, 7), (3, 10), (8, 10), (499, 1000), (1, 2)]
)
def test_the_wilson_interval_from_counts_equals_the_stats_module(successes: int, n: int) -> None:
    ours, theirs = overview.wilson_from_counts(successes, n), stats.wilson_interval(successes, n)
    assert ours.value == theirs.value
    assert ours.low == pytest.approx(theirs.low, abs=1e-12)
    assert ours.high == pytest.approx(theirs.high, abs=1e-12)


@pytest.mark.parametrize(
    "answers",
    [[10, 9, 8, 6, 0], [10] * 7, [0, 1, 2], [9, 9, 9, 9, 9, 7, 7, 3, 3, 3], [], [8, 7]],
)
def test_nps_from_counts_equals_nps_from_the_answers(answers: list[int]) -> None:
    promoters = sum(1 for a in answers if a >= 9)
    detractors = sum(1 for a in answers if a <= 6)
    ours = overview.nps_from_counts(promoters, detractors, len(answers))
    theirs = stats.nps(answers)
    assert ours.n == theirs.n and ours.too_few == theirs.too_few
    for field in ("value", "low", "high"):
        mine, expected = getattr(ours, field), getattr(theirs, field)
        assert (mine is None and expected is None) or mine == pytest.approx(expected)


def test_nps_from_counts_refuses_impossible_counts() -> None:
    with pytest.raises(ValueError, match="promoters"):
        overview.nps_from_counts(4, 3, 5)


def test_the_score_figure_prints_the_value_the_half_width_and_n() -> None:
    figure = overview.Figure(n=23, value=78.44, low=72.3, high=84.5, too_few=False)
    assert (figure.value_text, figure.interval_text) == ("78.4", "\u00b1 6.1")
    assert "72.3 to 84.5" in figure.interval_title
    nps = overview.Figure(n=10, value=20.0, low=-34.0, high=74.0, too_few=False, kind="nps")
    assert (nps.value_text, nps.interval_text) == ("+20.0", "(-34.0 to 74.0)")
    csat = overview.csat_figure(8, 10)
    assert csat.value_text == "80.0%" and csat.interval_text.startswith("(49.0")


# --- Periods ---------------------------------------------------------------------------------


def test_periods_cover_whole_days_up_to_today() -> None:
    today = dt.date(2026, 5, 14)  # a Thursday in the second quarter
    week = overview.period_for("week", today)
    assert (week.start, week.end) == (dt.date(2026, 5, 11), today)
    four = overview.period_for("4w", today)
    assert (four.start, four.end, four.days) == (dt.date(2026, 4, 17), today, 28)
    quarter = overview.period_for("quarter", today)
    assert (quarter.start, quarter.end) == (dt.date(2026, 4, 1), today)
    last = overview.period_for("last-quarter", today)
    assert (last.start, last.end) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    january = overview.period_for("last-quarter", dt.date(2026, 2, 1))
    assert (january.start, january.end) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    custom = overview.period_for("custom", today, dt.date(2026, 1, 5), dt.date(2026, 1, 18))
    assert custom.week_starts() == [dt.date(2026, 1, 5), dt.date(2026, 1, 12)]
    assert overview.period_for("nonsense", today).key == "4w"


# --- The figures -------------------------------------------------------------------------------


def test_the_quality_score_is_the_plain_mean_of_the_final_scores(
    org: Org, agent: User, qa_manager: User, version: FrameworkVersion
) -> None:
    for final in PERIOD_EXAMPLE:
        scored(agent=agent, version=version, final=final)

    figures = figures_for(qa_manager)

    expected = stats.mean_interval(PERIOD_EXAMPLE)
    assert expected is not None
    for row in (figures.overall, *figures.teams, *figures.agents):
        assert row.n == 5
        assert row.mean == pytest.approx(52.972)
        assert row.low == pytest.approx(expected.low)
        assert row.high == pytest.approx(expected.high)
        assert row.too_few is False
        assert row.score.value_text == "53.0"
    assert [t.label for t in figures.teams] == ["Billing"]
    assert [a.label for a in figures.agents] == ["Ada Agent"]
    assert figures.overall.passed == 2 and figures.overall.pass_n == 5
    assert figures.overall.pass_rate == pytest.approx(40.0)


def test_drafts_calibration_reviews_and_other_periods_do_not_count(
    org: Org, agent: User, qa_manager: User, version: FrameworkVersion
) -> None:
    scored(agent=agent, version=version, final=80)
    scored(agent=agent, version=version, final=0, status=ReviewStatus.DRAFT)
    scored(agent=agent, version=version, final=0, purpose=ReviewPurpose.CALIBRATION)
    scored(agent=agent, version=version, final=0, days_ago=40)

    figures = figures_for(qa_manager)

    assert (figures.overall.n, figures.overall.mean) == (1, 80.0)
    assert figures.overall.low is None and figures.overall.too_few


def test_ratings_are_counted_from_exactly_the_counting_reviews(
    org: Org,
    agent: User,
    other_team_agent: User,
    lead: User,
    version: FrameworkVersion,
) -> None:
    kept = scored(agent=agent, version=version, final=80, empathy=75)
    for kw in (
        {"status": ReviewStatus.DRAFT},
        {"purpose": ReviewPurpose.CALIBRATION},
        {"days_ago": 40},
        {"channel": "call"},
    ):
        scored(agent=agent, version=version, final=10, empathy=0, **kw)
    scored(agent=other_team_agent, version=version, final=10, empathy=0, reviewer=lead)
    filters = last_4_weeks(channel="chat")

    reviews = set(overview.counting_reviews(lead, filters).values_list("pk", flat=True))
    rated = set(overview.counting_ratings(lead, filters).values_list("review_id", flat=True))

    assert reviews == rated == {kept.pk}


def test_a_fatal_failure_drags_the_quality_score_but_not_the_criterion_averages(
    org: Org, agent: User, reviewer: User, qa_manager: User, version: FrameworkVersion
) -> None:
    graded(agent=agent, reviewer=reviewer, version=version, ratings=PASSING)
    graded(agent=agent, reviewer=reviewer, version=version, ratings=FATAL)
    graded(agent=agent, reviewer=reviewer, version=version, ratings=WITH_NA)

    figures = figures_for(qa_manager)

    # Finals 87.5, 0 (fatal; raw 62.5) and (100 + 150) / 3 = 83.3333.
    assert figures.overall.mean == pytest.approx((87.5 + 0 + 83.3333) / 3)
    criteria = {c.key: c for c in figures.criteria}
    assert list(criteria) == ["verify-identity", "greeting", "empathy"]  # framework order
    assert (criteria["empathy"].n, criteria["empathy"].mean) == (3, 75.0)
    assert criteria["empathy"].title == "Shows empathy"
    assert criteria["empathy"].section == "Resolution"
    assert (criteria["verify-identity"].n, criteria["verify-identity"].mean) == (3, 200 / 3)
    assert (criteria["greeting"].n, criteria["greeting"].mean, criteria["greeting"].na) == (
        2,
        100.0,
        1,
    )
    assert "contact-reason" not in criteria  # a non-scoring question has no average


def test_criterion_titles_come_from_the_latest_version_of_the_framework(
    org: Org, agent: User, reviewer: User, qa_manager: User, version: FrameworkVersion
) -> None:
    graded(agent=agent, reviewer=reviewer, version=version)
    old = demo_definition()
    renamed = fd.FrameworkDef(
        name=old.name,
        scoring_mode=old.scoring_mode,
        pass_mark=old.pass_mark,
        use_section_weights=False,
        sections=(
            old.sections[0],
            fd.Section(
                key="resolution",
                title="Resolution",
                weight=None,
                criteria=(
                    fd.Criterion(
                        key="empathy",
                        title="Acknowledges feelings",
                        guidance="",
                        scale="five",
                        options=fd.point_scale(5),
                        weight=Decimal(2),
                    ),
                ),
            ),
        ),
    )
    published_version(renamed, framework=version.framework, number=2)

    criteria = {c.key: c for c in figures_for(qa_manager).criteria}

    assert criteria["empathy"].title == "Acknowledges feelings"


def test_criteria_with_the_same_key_in_two_frameworks_are_kept_apart(
    org: Org, agent: User, qa_manager: User, version: FrameworkVersion
) -> None:
    other = published_version(demo_definition())  # another framework, same keys
    scored(agent=agent, version=version, final=90, empathy=100)
    scored(agent=agent, version=other, final=50, empathy=25)

    figures = figures_for(qa_manager)

    empathy = [c for c in figures.criteria if c.key == "empathy"]
    assert sorted((c.framework_id, c.mean) for c in empathy) == sorted(
        [(version.framework_id, 100.0), (other.framework_id, 25.0)]
    )
    assert figures.frameworks_shown == 2


def test_csat_and_nps_come_from_the_same_teams_agents_and_period(
    org: Org, agent: User, other_team_agent: User, lead: User, version: FrameworkVersion
) -> None:
    scored(agent=agent, version=version, final=90)
    for csat, nps in [(5, 10), (4, 9), (3, 8), (2, 6), (5, 0), (None, 10)]:
        feedback(agent=agent, csat=csat, nps=nps)
    feedback(agent=agent, csat=1, nps=0, days_ago=60)  # before the period
    feedback(agent=other_team_agent, csat=1, nps=0)  # another team

    figures = figures_for(lead)

    expected_csat = stats.csat([5, 4, 3, 2, 5])
    expected_nps = stats.nps([10, 9, 8, 6, 0, 10])
    for row in (figures.overall, figures.teams[0], figures.agents[0]):
        assert row.csat is not None and row.nps is not None
        assert row.csat.n == 5
        assert row.csat.value == pytest.approx(60.0)
        assert row.csat.low == pytest.approx(expected_csat.low * 100)  # type: ignore[operator]
        assert row.csat.high == pytest.approx(expected_csat.high * 100)  # type: ignore[operator]
        assert row.nps.n == 6
        assert row.nps.value == pytest.approx(expected_nps.value)
        assert row.nps.low == pytest.approx(expected_nps.low)
        assert row.nps.high == pytest.approx(expected_nps.high)


def test_an_agent_with_feedback_but_no_reviews_still_gets_a_row(
    org: Org, agent: User, qa_manager: User
) -> None:
    feedback(agent=agent, csat=5, nps=10)

    figures = figures_for(qa_manager)

    assert [(a.label, a.n, a.csat.n if a.csat else None) for a in figures.agents] == [
        ("Ada Agent", 0, 1)
    ]
    assert figures.overall.n == 0 and not figures.empty


def test_weeks_start_on_monday_and_weeks_without_reviews_are_gaps(
    org: Org, agent: User, qa_manager: User, version: FrameworkVersion
) -> None:
    tz = timezone.get_current_timezone()
    monday = dt.datetime(2026, 1, 5, 9, 0, tzinfo=tz)
    scored(agent=agent, version=version, final=60, when=monday)
    scored(agent=agent, version=version, final=80, when=monday + dt.timedelta(days=6, hours=14))
    scored(agent=agent, version=version, final=90, when=monday + dt.timedelta(days=14))
    period = overview.period_for(
        "custom", dt.date(2026, 1, 8), dt.date(2026, 1, 5), dt.date(2026, 1, 25)
    )

    weeks = overview.build_overview(qa_manager, overview.Filters(period=period)).weeks

    assert [(w.key, w.n, w.mean) for w in weeks] == [
        (dt.date(2026, 1, 5), 2, 70.0),
        (dt.date(2026, 1, 12), 0, None),
        (dt.date(2026, 1, 19), 1, 90.0),
    ]
    assert weeks[0].low is not None and weeks[2].low is None


# --- Filters and scope -------------------------------------------------------------------------


def test_a_lead_sees_only_their_subtree(
    org: Org,
    agent: User,
    other_team_agent: User,
    lead: User,
    version: FrameworkVersion,
) -> None:
    scored(agent=agent, version=version, final=70)
    scored(agent=other_team_agent, version=version, final=10)
    # The lead reviewed someone in another team: visible to them as its author, not counted here.
    scored(agent=other_team_agent, version=version, final=20, reviewer=lead)

    figures = figures_for(lead)

    assert (figures.overall.n, figures.overall.mean) == (1, 70.0)
    assert [t.label for t in figures.teams] == ["Billing"]
    assert [a.label for a in figures.agents] == ["Ada Agent"]


def test_the_team_filter_takes_the_whole_subtree(
    org: Org, agent: User, other_team_agent: User, qa_manager: User, version: FrameworkVersion
) -> None:
    tech_agent = UserFactory(full_name="Tia Tech")
    MembershipFactory(user=tech_agent, team=org.sibling_team)
    scored(agent=agent, version=version, final=70)
    scored(agent=tech_agent, version=version, final=90)
    scored(agent=other_team_agent, version=version, final=10)

    figures = figures_for(qa_manager, team_path=org.support.path)

    assert sorted(t.label for t in figures.teams) == ["Billing", "Tech"]
    assert (figures.overall.n, figures.overall.mean) == (2, 80.0)


def test_channel_framework_version_and_agent_filters_narrow_the_reviews(
    org: Org, agent: User, qa_manager: User, version: FrameworkVersion
) -> None:
    colleague = UserFactory(full_name="Cole Colleague")
    MembershipFactory(user=colleague, team=org.team)
    v2 = published_version(demo_definition(), framework=version.framework, number=2)
    other_framework = published_version(demo_definition())
    scored(agent=agent, version=version, final=10, channel="call")
    scored(agent=agent, version=v2, final=20)
    scored(agent=agent, version=other_framework, final=30)
    scored(agent=colleague, version=version, final=40)

    def mean(**kw: Any) -> float | None:
        return figures_for(qa_manager, **kw).overall.mean

    assert mean(channel="call") == 10.0
    assert mean(framework_id=version.framework_id) == pytest.approx((10 + 20 + 40) / 3)
    assert mean(version_id=v2.pk) == 20.0
    assert mean(agent_id=colleague.pk) == 40.0
    assert mean(agent_id=colleague.pk, channel="call") is None


# --- The page ----------------------------------------------------------------------------------


def test_the_overview_page_shows_scores_with_n_interval_and_the_trend(
    org: Org, agent: User, lead: User, version: FrameworkVersion, client: Client
) -> None:
    for final in PERIOD_EXAMPLE:
        scored(agent=agent, version=version, final=final, empathy=75)
    feedback(agent=agent, csat=5, nps=10)

    response = page(client, lead)

    assert response.status_code == 200
    content = text_of(response)
    assert "<html" in content
    assert "53.0 ± 57.0, n = 5" in words_of(response)
    assert "how is this computed?" in content
    assert reverse("scorecards:how_scores_work") in content
    assert "Billing" in content and "Ada Agent" in content
    assert "40.0%" in content  # pass rate: 100 and 90.99 pass at 80
    assert "too few answers (n = 1)" in content  # one CSAT answer
    assert "<svg" in content and "Quality score by week (95% interval)" in content
    assert "Show as table" in content
    assert "Shows empathy" in content


def test_fewer_than_five_reviews_are_greyed_with_too_few_reviews(
    org: Org, agent: User, lead: User, version: FrameworkVersion, client: Client
) -> None:
    for final in (70, 80, 90):
        scored(agent=agent, version=version, final=final)

    content = text_of(page(client, lead))

    assert "score-too-few" in content
    assert "too few reviews (n = 3)" in content


def test_the_overview_sends_anonymous_people_to_sign_in(client: Client, org: Org) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["agent", "reviewer", "hr"])
def test_the_overview_is_for_leads_qa_managers_and_administrators(
    role: str, request: pytest.FixtureRequest, client: Client
) -> None:
    assert page(client, request.getfixturevalue(role)).status_code == 403


@pytest.mark.parametrize("role", ["lead", "qa_manager", "admin"])
def test_the_overview_opens_for_each_overview_role(
    role: str, request: pytest.FixtureRequest, client: Client
) -> None:
    assert page(client, request.getfixturevalue(role)).status_code == 200


def test_another_teams_lead_sees_nothing_of_this_team(
    org: Org,
    agent: User,
    other_team_lead: User,
    version: FrameworkVersion,
    client: Client,
) -> None:
    scored(agent=agent, version=version, final=70)

    response = page(client, other_team_lead, data={"team": org.team.pk})

    content = text_of(response)
    assert response.status_code == 200
    assert "Ada Agent" not in content
    assert "Team: Choose one of" in content or "Team: Select a valid choice" in content
    assert response.context["overview"].overall.n == 0


def test_the_overview_answers_htmx_with_the_results_fragment(
    org: Org, agent: User, lead: User, version: FrameworkVersion, client: Client
) -> None:
    scored(agent=agent, version=version, final=70)

    response = page(client, lead, data={"period": "quarter"}, headers=HTMX)

    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert 'id="overview-results"' in content
    assert "This quarter" in content
    assert 'role="search"' not in content  # the filter bar stays; only the results swap


def test_filters_live_in_the_url_of_the_rows_links(
    org: Org, agent: User, qa_manager: User, version: FrameworkVersion, client: Client
) -> None:
    scored(agent=agent, version=version, final=70, channel="call")

    response = page(client, qa_manager, data={"channel": "call", "period": "quarter"})

    content = response.content.decode()
    assert f"?period=quarter&amp;channel=call&amp;team={org.team.pk}" in content
    assert f"?period=quarter&amp;channel=call&amp;agent={agent.pk}" in content


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": "custom", "start": "2026-02-30", "end": "2026-03-01"}, "Enter a date"),
        ({"period": "custom", "start": "2026-03-10", "end": "2026-03-01"}, "before the start"),
        ({"period": "custom", "start": "2026-03-10"}, "Enter both dates"),
        ({"period": "custom", "start": "2020-01-01", "end": "2026-01-01"}, "at most two years"),
        ({"period": "forever"}, "Period:"),
        ({"team": "abc"}, "Team:"),
        ({"agent": "<script>"}, "Choose one of the agents"),
        ({"framework": "999999"}, "Framework:"),
        ({"channel": "fax"}, "Channel:"),
    ],
)
def test_bad_filters_are_reported_and_the_defaults_used(
    params: dict[str, str],
    message: str,
    org: Org,
    agent: User,
    lead: User,
    version: FrameworkVersion,
    client: Client,
) -> None:
    scored(agent=agent, version=version, final=70)

    response = page(client, lead, data=params)

    assert response.status_code == 200
    content = text_of(response)
    assert "Some filters were not used" in content
    assert message in content
    assert "<script>" not in content.split('id="overview-results"')[1]


def test_a_version_of_another_framework_is_refused(
    org: Org, agent: User, qa_manager: User, version: FrameworkVersion, client: Client
) -> None:
    other = published_version(demo_definition())

    response = page(
        client, qa_manager, data={"framework": version.framework_id, "version": other.pk}
    )

    assert "That version belongs to another framework." in text_of(response)


def test_a_custom_period_includes_both_of_its_days(
    org: Org, agent: User, lead: User, version: FrameworkVersion, client: Client
) -> None:
    tz = timezone.get_current_timezone()
    scored(agent=agent, version=version, final=60, when=dt.datetime(2026, 1, 5, 0, 1, tzinfo=tz))
    scored(agent=agent, version=version, final=80, when=dt.datetime(2026, 1, 9, 23, 59, tzinfo=tz))
    scored(agent=agent, version=version, final=0, when=dt.datetime(2026, 1, 10, 0, 1, tzinfo=tz))

    response = page(
        client, lead, data={"period": "custom", "start": "2026-01-05", "end": "2026-01-09"}
    )

    assert response.context["overall"].n == 2
    assert response.context["overall"].mean == 70.0


def test_agents_sort_by_lowest_score_and_paginate(
    org: Org, lead: User, version: FrameworkVersion, client: Client
) -> None:
    people = []
    for i in range(55):
        person = UserFactory(full_name=f"Agent {i:02d}")
        MembershipFactory(user=person, team=org.team)
        people.append(person)
    for i, person in enumerate(people[:3]):
        scored(agent=person, version=version, final=90 - i * 10)

    response = page(client, lead, data={"sort": "score"})

    rows = response.context["agent_rows"]
    assert [r.label for r in rows[:3]] == ["Agent 02", "Agent 01", "Agent 00"]
    second = page(client, lead, data={"sort": "score", "page": "2"})
    assert second.status_code == 200


def _many_reviews(org: Org, version: FrameworkVersion, agents: Sequence[User], count: int) -> None:
    for i in range(count):
        agent = agents[i % len(agents)]
        scored(agent=agent, version=version, final=(i * 37) % 101, empathy=(i * 13) % 101)
        if i % 2 == 0:
            feedback(agent=agent, csat=1 + i % 5, nps=i % 11)


def test_the_overview_query_count_does_not_grow_with_the_reviews(
    org: Org,
    agent: User,
    lead: User,
    version: FrameworkVersion,
    django_assert_max_num_queries: Any,
) -> None:
    client = Client()
    client.force_login(lead)
    _many_reviews(org, version, [agent], 1)
    with django_assert_max_num_queries(15) as one:
        assert client.get(URL).status_code == 200
    others = []
    for i in range(20):
        person = UserFactory(full_name=f"Busy {i}")
        MembershipFactory(user=person, team=org.team)
        others.append(person)
    _many_reviews(org, version, others, 199)
    with django_assert_max_num_queries(15) as many:
        response = client.get(URL)
        assert response.status_code == 200
    assert response.context["overall"].n == 200
    assert len(many.captured_queries) == len(one.captured_queries)


# --- How scores work, and the homes' card --------------------------------------------------------


def test_how_scores_work_shows_the_worked_examples_to_everyone_signed_in(
    agent: User, client: Client
) -> None:
    response = page(client, agent, reverse("scorecards:how_scores_work"))

    assert response.status_code == 200
    content = text_of(response)
    for figure in ("62.5", "60.0", "16 / 30", "53.3", "52.97", "87.5", "too few reviews"):
        assert figure in content


def test_the_worked_examples_on_how_scores_work_are_what_the_code_computes() -> None:
    n, total = len(PERIOD_EXAMPLE), math.fsum(PERIOD_EXAMPLE)
    assert round(total / n, 2) == 52.97
    interval = overview.mean_figure(
        n, total / n, overview.sample_sd(n, total, math.fsum(v * v for v in PERIOD_EXAMPLE))
    )
    assert interval.interval_text == "\u00b1 57.0"
    nps = overview.nps_figure(5, 3, 10)
    assert (nps.value_text, nps.interval_text) == ("+20.0", "(-34.0 to 74.0)")


def test_how_scores_work_sends_anonymous_people_to_sign_in(client: Client, org: Org) -> None:
    response = client.get(reverse("scorecards:how_scores_work"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("role", "home"), [("lead", "home_lead"), ("qa_manager", "home_qa")])
def test_the_lead_and_qa_homes_show_the_quality_of_the_last_4_weeks(
    role: str,
    home: str,
    request: pytest.FixtureRequest,
    org: Org,
    agent: User,
    version: FrameworkVersion,
    client: Client,
) -> None:
    for final in PERIOD_EXAMPLE:
        scored(agent=agent, version=version, final=final)
    scored(agent=agent, version=version, final=0, days_ago=40)

    response = page(client, request.getfixturevalue(role), reverse(home))

    assert "Quality, last 4 weeks" in words_of(response)
    assert "53.0 ± 57.0, n = 5" in words_of(response)
    assert reverse("scorecards:overview") in text_of(response)


# --- The tables' rows, built in the view -------------------------------------------------------

# The team and agent rows as the overview template printed them before they were built in the
# view (scorecards/views/overview.py, team_cells / agent_cells): the reference they must match.
OLD_TEAM_ROW = (
    '{% for row in rows %}<tr><th scope="row" class="tree-level-{{ row.depth }}"><a href="?'
    '{{ team_base }}{% if team_base %}&amp;{% endif %}team={{ row.key }}">{{ row.label }}</a></th>'
    '<td>{% include "components/score.html" with figure=row.score %}</td>'
    '<td class="num{% if row.pass_too_few %} score-too-few{% endif %}">{{ row.pass_rate_text }}'
    '{% if row.pass_n %} <span class="muted">of {{ row.pass_n_text }}</span>{% endif %}</td>'
    '<td>{% include "components/score.html" with figure=row.csat %}</td>'
    '<td>{% include "components/score.html" with figure=row.nps %}</td></tr>{% endfor %}'
)
OLD_AGENT_ROW = (
    OLD_TEAM_ROW.replace(' class="tree-level-{{ row.depth }}"', "")
    .replace("team_base", "agent_base")
    .replace("team={{", "agent={{")
)


def _rows_as_printed(cells: Sequence[str]) -> str:
    return "".join(f"<tr>{c}</tr>" for c in cells)


def _without_line_breaks(markup: str) -> str:
    return markup.replace("\n", "")


@pytest.mark.parametrize("base", ["", "period=quarter&channel=call"])
def test_team_and_agent_rows_print_what_the_template_printed(
    base: str, org: Org, agent: User, lead: User, version: FrameworkVersion
) -> None:
    from django.template import Context, Template

    from scorecards.views.overview import agent_cells, team_cells

    odd = UserFactory(full_name='<b>"Bo" & Co</b>')
    MembershipFactory(user=odd, team=org.team)
    for final in PERIOD_EXAMPLE:
        scored(agent=agent, version=version, final=final)
    scored(agent=odd, version=version, final=90)
    feedback(agent=agent, csat=5, nps=10)
    data = figures_for(lead)
    assert len(data.agents) == 2 and data.teams

    old_teams = Template(OLD_TEAM_ROW).render(Context({"rows": data.teams, "team_base": base}))
    old_agents = Template(OLD_AGENT_ROW).render(Context({"rows": data.agents, "agent_base": base}))

    assert _rows_as_printed(team_cells(data.teams, base)) == _without_line_breaks(old_teams)
    assert _rows_as_printed(agent_cells(data.agents, base)) == _without_line_breaks(old_agents)


def test_names_in_the_overview_tables_are_escaped(
    org: Org, agent: User, lead: User, version: FrameworkVersion, client: Client
) -> None:
    odd = UserFactory(full_name="<script>alert(1)</script> & Co")
    MembershipFactory(user=odd, team=org.team)
    scored(agent=odd, version=version, final=90)

    content = page(client, lead).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in content
    assert "<script>alert(1)" not in content


def test_rows_link_to_their_team_and_agent_when_no_filter_is_set(
    org: Org, agent: User, lead: User, version: FrameworkVersion, client: Client
) -> None:
    scored(agent=agent, version=version, final=70)

    content = page(client, lead).content.decode()

    assert f'<a href="?team={org.team.pk}">' in content
    assert f'<a href="?agent={agent.pk}">Ada Agent</a>' in content


def test_every_figure_of_the_overview_is_the_score_component(
    org: Org, agent: User, lead: User, version: FrameworkVersion, client: Client
) -> None:
    from qa_platform.templatetags.scores import score_html

    for final in PERIOD_EXAMPLE:
        scored(agent=agent, version=version, final=final, empathy=75)
    feedback(agent=agent, csat=5, nps=10)
    data = figures_for(lead)

    content = page(client, lead).content.decode()

    how = reverse("scorecards:how_scores_work")
    assert score_html(data.overall.score, how) in content
    for figure in (data.overall.pass_figure, data.overall.csat, data.overall.nps):
        assert score_html(figure) in content
    for row in (*data.teams, *data.agents):
        for figure in (row.score, row.csat, row.nps):
            assert f"<td>{score_html(figure)}</td>" in content
    for criterion in data.criteria:
        assert f"<td>{score_html(criterion.score)}</td>" in content
    assert content.count('class="score-wrap"') == 4 + 3 * (
        len(data.teams) + len(data.agents)
    ) + len(data.criteria)
