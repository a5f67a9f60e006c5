"""The aggregates a survey's exports carry (CSV, PDF report, API), read only through `reading`.

One row per team the person may read and per scored item (the index, eNPS, each driver, each
scored question): the team's own figure and n when its cell is shown, otherwise "hidden" with the
reason (a rolled-up team names the group whose result it shares, which has its own row). Never an
individual answer, never a comment, in any privacy mode: there is no per-response data here to
export, only what `reading.team_results` decides may be shown.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import reading
from .models import QuestionPart, QuestionScale, SurveyQuestion

if TYPE_CHECKING:
    from qa_platform.people.models import Team

    from .models import Survey

SHOWN = "shown"
HIDDEN = "hidden"


@dataclass(frozen=True)
class ExportItem:
    key: str
    label: str
    measure: str  # what the value is: "favourable %", "index (0-100)", ...
    kind: str  # "index", "enps", "driver", "question"


@dataclass(frozen=True)
class ExportCell:
    team_id: int
    team_name: str
    team_path: str
    item: ExportItem
    status: str  # SHOWN or HIDDEN
    n: int | None
    value: float | None
    low: float | None
    high: float | None
    note: str

    @property
    def shown(self) -> bool:
        return self.status == SHOWN


_MEASURE_BY_SCALE: dict[str, str] = {
    QuestionScale.AGREEMENT_5.value: "favourable %",
    QuestionScale.ZERO_TO_TEN.value: "mean (0-10)",
    QuestionScale.SINGLE_CHOICE.value: "% choosing the most chosen option",
    QuestionScale.MULTIPLE_CHOICE.value: "% choosing the most chosen option",
}


def driver_item_keys(survey: Survey) -> list[str]:
    """The survey's driver results ("driver.<driver key>"), without its driver questions (whose
    keys also start with "driver.", e.g. "driver.manager.helps")."""
    return reading.driver_keys(survey)


def scored_items(survey: Survey) -> list[ExportItem]:
    """The index and eNPS (when the survey asks them), each driver, then each scored question."""
    questions = list(
        SurveyQuestion.objects.filter(survey=survey)
        .exclude(scale=QuestionScale.COMMENT)
        .order_by("order", "pk")
        .values_list("key", "text", "scale", "part")
    )
    parts = {part for _, _, _, part in questions}
    items: list[ExportItem] = []
    if QuestionPart.INDEX in parts:
        items.append(ExportItem(reading.INDEX_KEY, "Engagement index", "index (0-100)", "index"))
    if QuestionPart.ENPS in parts:
        items.append(ExportItem(reading.ENPS_KEY, "eNPS", "eNPS (-100 to 100)", "enps"))
    for key in driver_item_keys(survey):
        items.append(ExportItem(key, reading.driver_name(key), "favourable %", "driver"))
    for key, text, scale, part in questions:
        if part == QuestionPart.ENPS:  # its result is the eNPS above
            continue
        items.append(ExportItem(key, text, _MEASURE_BY_SCALE.get(scale, "value"), "question"))
    return items


def cells(survey: Survey, teams: Sequence[Team], items: Sequence[ExportItem]) -> list[ExportCell]:
    """Every (team, item) as the results pages decide it; the stored rows are read once."""
    reading.prefetch(survey, [i.key for i in items])
    ids = [t.pk for t in teams]
    out: list[ExportCell] = []
    by_item = {item.key: reading.team_results(survey, item.key, ids) for item in items}
    for team in teams:
        for item in items:
            result = by_item[item.key].get(team.pk)
            if result is not None and result.shown and result.figure is not None:
                f = result.figure
                out.append(
                    ExportCell(
                        team.pk,
                        team.name,
                        team.path,
                        item,
                        SHOWN,
                        f.n,
                        f.value,
                        f.low,
                        f.high,
                        "",
                    )
                )
            else:
                note = result.decision.message if result is not None else "Not in this survey."
                out.append(
                    ExportCell(
                        team.pk, team.name, team.path, item, HIDDEN, None, None, None, None, note
                    )
                )
    return out


CSV_HEADER = (
    "survey",
    "team_id",
    "team",
    "item_key",
    "item",
    "measure",
    "n",
    "value",
    "low_95",
    "high_95",
    "note",
)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _safe(text: str) -> str:
    """Guard against spreadsheet formula injection in free text (names, question texts)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(survey: Survey, rows: Sequence[ExportCell]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for r in rows:
        writer.writerow(
            [
                _safe(survey.title),
                r.team_id,
                _safe(r.team_name),
                r.item.key,
                _safe(r.item.label),
                r.item.measure,
                "" if r.n is None else r.n,
                _number(r.value) if r.shown else HIDDEN,
                _number(r.low),
                _number(r.high),
                r.note,
            ]
        )
    return buffer.getvalue()


def as_dict(r: ExportCell) -> dict[str, Any]:
    return {
        "item_key": r.item.key,
        "item": r.item.label,
        "measure": r.item.measure,
        "status": r.status,
        "n": r.n,
        "value": r.value,
        "low": r.low,
        "high": r.high,
        "note": r.note,
    }
