"""The engagement ↔ CX comparison (qa_platform.engagement.correlation): guards, exclusions,
the correlation and its plain-language reading."""

from __future__ import annotations

import pytest

from qa_platform.engagement import correlation as c

INDEX = [62, 70, 55, 81, 74, 66, 59, 77]
CSAT = [84.0, 88.5, 86.0, 91.0, 85.5, 83.0, 80.5, 92.5]


def team(i, eng=60.0, cx=80.0, cx_n=40, shown=True, eng_n=8, name=None):
    return c.TeamInput(
        team_id=i,
        name=name or f"Team {i:03d}",
        engagement_shown=shown,
        engagement=eng if shown else None,
        engagement_n=eng_n if shown else None,
        cx=cx if cx_n else None,
        cx_n=cx_n,
    )


def analyse(inputs, **kwargs):
    return c.analyse(inputs, engagement_label="engagement index", cx_label="CSAT %", **kwargs)


def test_a_team_whose_engagement_is_hidden_is_left_out_and_not_named():
    result = analyse([team(1, shown=False, name="Billing"), *[team(i) for i in range(2, 6)]])
    assert [p.team_id for p in result.pairs] == [2, 3, 4, 5]
    assert result.excluded == (c.Excluded(1, "", c.Exclusion.ENGAGEMENT_HIDDEN, None),)
    (count,) = result.exclusions
    assert count.count == 1 and count.teams == ()
    assert "Billing" not in repr(result.exclusions)


def test_a_team_under_the_customer_minimum_is_left_out_with_its_n():
    result = analyse([team(1, cx_n=29, name="Tech"), team(2, cx_n=30), team(3, cx_n=0)])
    assert [p.team_id for p in result.pairs] == [2]
    reasons = {e.team_id: (e.reason, e.cx_n) for e in result.excluded}
    assert reasons == {
        1: (c.Exclusion.TOO_FEW_CUSTOMER, 29),
        3: (c.Exclusion.NO_CUSTOMER_DATA, 0),
    }
    texts = {x.reason: x.text for x in result.exclusions}
    assert texts[c.Exclusion.TOO_FEW_CUSTOMER] == "Fewer than 30 customer answers in the window."
    assert [t.name for x in result.exclusions for t in x.teams] == ["Team 003", "Tech"]


def test_the_customer_minimum_is_configurable():
    inputs = [team(1, cx_n=12), team(2, cx_n=9)]
    result = analyse(inputs, guards=c.Guards(min_customer_n=10))
    assert [p.team_id for p in result.pairs] == [1]
    assert result.exclusions[0].text == "Fewer than 10 customer answers in the window."


def test_engagement_is_checked_before_customer_data_so_each_team_counts_once():
    result = analyse([team(1, shown=False, cx_n=3)])
    assert [e.reason for e in result.excluded] == [c.Exclusion.ENGAGEMENT_HIDDEN]
    assert result.excluded_count == 1


def test_guards_refuse_nonsense():
    with pytest.raises(ValueError):
        c.Guards(min_customer_n=0)
    with pytest.raises(ValueError):
        c.Guards(min_teams=3)


def test_the_worked_example_reads_as_no_clear_relationship_with_the_team_count():
    inputs = [team(i, eng=e, cx=s) for i, (e, s) in enumerate(zip(INDEX, CSAT, strict=True))]
    result = analyse(inputs)
    assert result.teams == 8
    assert result.spearman.r == pytest.approx(2 / 3)
    assert result.reading.verdict == "unclear"
    assert result.reading.headline.startswith(
        "No clear relationship between engagement index and CSAT %: the interval includes zero"
    )
    assert "Spearman r = 0.67, 95% interval \u22120.07 to 0.93, 8 teams" in result.reading.headline
    assert any("about 85 teams" in d and "with 8 teams" in d for d in result.reading.details)
    assert result.reading.details[-1] == c.NOT_CAUSE
    assert result.pearson.r is not None


def test_too_few_teams_says_so_with_the_number():
    result = analyse([team(1, eng=50), team(2, eng=60), team(3, eng=70)])
    assert result.reading.verdict == "too_few"
    assert "Too few teams to tell: 3 teams passed the guards" in result.reading.headline
    assert "at least 4" in result.reading.headline
    assert c.NOT_CAUSE in result.reading.details
    assert result.spearman.r is None


def test_constant_figures_say_no_correlation_can_be_computed():
    result = analyse([team(i, eng=70.0, cx=80 + i) for i in range(6)])
    assert result.reading.verdict == "too_few"
    assert "No correlation can be computed over these 6 teams" in result.reading.headline


def test_a_clear_positive_relationship_gives_direction_and_strength():
    inputs = [team(i, eng=40 + i, cx=60 + i + (i % 4)) for i in range(100)]
    result = analyse(inputs)
    assert result.reading.verdict == "positive"
    assert result.reading.headline.startswith(
        "A strong positive relationship: teams with higher engagement index tended to have "
        "higher CSAT %"
    )
    # 100 teams: no "wide interval" warning, but always "not cause".
    assert result.reading.details == (c.NOT_CAUSE,)


def test_a_clear_negative_relationship_reads_lower():
    inputs = [team(i, eng=40 + i, cx=90 - i) for i in range(10)]
    result = analyse(inputs)
    assert result.reading.verdict == "negative"
    assert "tended to have lower CSAT %" in result.reading.headline


@pytest.mark.parametrize(
    ("r", "word"),
    [(0.05, "negligible"), (-0.2, "weak"), (0.3, "moderate"), (-0.49, "moderate"), (0.5, "strong")],
)
def test_strength_words(r, word):
    assert c.strength(r) == word


def test_pairs_are_sorted_by_name():
    result = analyse([team(1, name="b"), team(2, name="A"), team(3, name="c")])
    assert [p.name for p in result.pairs] == ["A", "b", "c"]


def test_driver_view_orders_drivers_by_r_and_puts_undefined_last():
    up = [team(i, eng=40 + i, cx=60 + i) for i in range(10)]
    down = [team(i, eng=40 + i, cx=90 - i) for i in range(10)]
    few = [team(i, eng=40 + i, cx=60 + i) for i in range(2)]
    rows = c.driver_view(
        [("workload", "Workload", down), ("few", "Few", few), ("growth", "Growth", up)],
        cx_label="CSAT %",
    )
    assert [r.key for r in rows] == ["growth", "workload", "few"]
    assert [r.verdict for r in rows] == ["positive", "negative", "too_few"]
    assert rows[0].analysis.engagement_label == "“Growth” favourable %"


def test_driver_view_applies_the_same_guards():
    inputs = [team(i, eng=40 + i, cx=60 + i, cx_n=10 if i < 3 else 50) for i in range(8)]
    (row,) = c.driver_view([("growth", "Growth", inputs)], cx_label="NPS", guards=c.Guards())
    assert row.analysis.teams == 5
    assert row.analysis.excluded_count == 3


def test_text_helpers():
    result = analyse(
        [team(i, eng=e, cx=s) for i, (e, s) in enumerate(zip(INDEX, CSAT, strict=True))]
    )
    assert c.r_text(result.spearman) == "0.67"
    assert c.interval_text(result.spearman) == "\u22120.07 to 0.93"
    empty = analyse([])
    assert c.r_text(empty.spearman) == "–" and c.interval_text(empty.spearman) == ""
