"""Engagement survey results for other systems: aggregates only, with the anonymity rules applied.

GET /api/v1/engagement/surveys               closed surveys with results the token's owner may read
GET /api/v1/engagement/surveys/{id}/results  per team they may read and per scored item: n and the
                                             figure, or status "hidden" with the reason

The same decisions as every results page (through `reading`, via `exports`): a hidden cell has no
value and no n. Never individual answers or comments. HR, administrators and leads (each within
their teams); any other token gets 403, a survey with none of their teams 404.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from . import exports, reading
from .access import can_read_results
from .models import Survey, SurveyStatus

router = Router(tags=["engagement"])


class SurveyOut(Schema):
    id: int
    title: str
    privacy: str
    score_threshold: int
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    closed_at: dt.datetime | None
    results_url: str


class ItemOut(Schema):
    item_key: str
    item: str
    measure: str
    status: str
    n: int | None
    value: float | None
    low: float | None
    high: float | None
    note: str


class TeamOut(Schema):
    team_id: int
    team: str
    items: list[ItemOut]


class ResultsOut(Schema):
    survey: SurveyOut
    teams: list[TeamOut]


def _require_reader(request: HttpRequest) -> None:
    if not can_read_results(request.user):
        raise HttpError(
            403, "Only HR's, an administrator's or a team lead's token may read results."
        )


def _survey_out(survey: Survey) -> SurveyOut:
    return SurveyOut(
        id=survey.pk,
        title=survey.title,
        privacy=survey.privacy,
        score_threshold=survey.score_threshold,
        opens_at=survey.opens_at,
        closes_at=survey.closes_at,
        closed_at=survey.closed_at,
        results_url=f"/api/v1/engagement/surveys/{survey.pk}/results",
    )


@router.get("/engagement/surveys", response=list[SurveyOut], summary="Surveys with results")
def list_surveys(request: HttpRequest) -> list[SurveyOut]:
    """Closed surveys whose results the token's owner may read (at least one of their teams)."""
    _require_reader(request)
    surveys = Survey.objects.filter(
        status=SurveyStatus.CLOSED, results_computed_at__isnull=False
    ).order_by("-closed_at", "-pk")
    return [_survey_out(s) for s in surveys if reading.visible_result_teams(s, request.user)]


@router.get(
    "/engagement/surveys/{survey_id}/results", response=ResultsOut, summary="A survey's results"
)
def survey_results(request: HttpRequest, survey_id: int) -> ResultsOut:
    """Per team the token's owner may read and per scored item: the aggregate, or "hidden"."""
    _require_reader(request)
    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None or not reading.has_results(survey):
        raise Http404
    teams = reading.visible_result_teams(survey, request.user)
    if not teams:
        raise Http404
    rows = exports.cells(survey, teams, exports.scored_items(survey))
    by_team: dict[int, list[ItemOut]] = {t.pk: [] for t in teams}
    for r in rows:
        by_team[r.team_id].append(ItemOut(**exports.as_dict(r)))
    return ResultsOut(
        survey=_survey_out(survey),
        teams=[TeamOut(team_id=t.pk, team=t.name, items=by_team[t.pk]) for t in teams],
    )
