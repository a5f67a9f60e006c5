"""The one way to read a closed survey's results: every results page, fragment, export, the API and
the engagement ↔ CX view go through here.

Nothing here decides what may be shown: the decisions were made once at close
(`publishing.compute_results`, with `anonymity.publish`) and stored in `ItemResult` rows. This
module answers each query with `anonymity.Publication.decide` over those stored decisions, and
computes the figure of a shown cell (or of the ancestor it rolls up into) from the stored counts
with `measures` / `qa_platform.stats`. A hidden cell never gets a figure, and never an n.

The rows of a survey are loaded once per survey object (one query for the items asked for), so a
page that reads many items and teams costs a fixed number of queries.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings

from qa_platform import stats

from . import anonymity, measures
from .anonymity import Cell, Decision, Outcome, Publication, Reason, ResultKind
from .publishing import DRIVER_PREFIX, ENPS_KEY, INDEX_KEY, META_KEY, cell_key
from .question_bank import AGREEMENT_LABELS, DRIVERS_BY_KEY, Scale

if TYPE_CHECKING:
    from qa_platform.people.models import Team

    from .models import Survey

_CACHE_ATTR = "_engagement_results"


@dataclass(frozen=True)
class Figure:
    """The number to print for a cell, with its n and, where the measure has one, its 95%
    interval. Units: favourable % (0-100) for agreement items and drivers, 0-100 for the index,
    -100..100 for eNPS, the mean for other 0-10 questions, % choosing the most chosen option for
    choice questions."""

    n: int
    value: float
    low: float | None
    high: float | None


@dataclass(frozen=True)
class CellResult:
    """The decision for one cell and the figure to show: the cell's own when shown, its ancestor's
    when rolled up, None when suppressed or refused."""

    decision: Decision
    figure: Figure | None

    @property
    def shown(self) -> bool:
        return self.decision.outcome is Outcome.SHOWN

    @property
    def rolled_up(self) -> bool:
        return self.decision.outcome is Outcome.ROLLED_UP


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    percent: float


@dataclass(frozen=True)
class Distribution:
    """The answer distribution of the shown (or rolled-up) cell."""

    result: CellResult
    bars: tuple[Bar, ...]
    multiple: bool = False  # multiple choice: percents are of respondents and add up to > 100


@dataclass(frozen=True)
class Comments:
    result: CellResult
    texts: tuple[str, ...]  # shuffled in a fixed order per survey; empty unless shown


class NoResults(Exception):
    """The survey is not closed or its results have not been computed."""


# --- Loading the stored rows ----------------------------------------------------------------


class _Keyed(Mapping[Cell, Any]):
    """The stored JSON ({cell key: value}) seen as a mapping by Cell, without parsing every key."""

    def __init__(self, data: Mapping[str, Any], convert: Any = None) -> None:
        self._data = data
        self._convert = convert

    def __getitem__(self, cell: Cell) -> Any:
        value = self._data[cell_key(cell)]
        return self._convert(value) if self._convert else value

    def __contains__(self, cell: object) -> bool:
        return isinstance(cell, Cell) and cell_key(cell) in self._data

    def __iter__(self) -> Iterator[Cell]:
        from .publishing import parse_cell_key

        return (parse_cell_key(k) for k in self._data)

    def __len__(self) -> int:
        return len(self._data)


@dataclass
class _Meta:
    tree: anonymity.GroupTree
    tree_rows: list[list[Any]]
    invited: dict[str, int]
    responded: dict[str, int]
    dimensions: tuple[str, ...]
    values: dict[str, list[str]]
    score_universe: tuple[tuple[str, ...], int]
    comment_universe: tuple[tuple[str, ...], int]
    thresholds: anonymity.Thresholds
    order: list[str] = field(default_factory=list)  # group keys, deepest first
    index: dict[str, int] = field(default_factory=dict)  # group key -> row position


class _Item:
    """One stored item: its publication (over the stored decisions) and its counts as arrays.
    Unfiltered totals come from the per-team counts; the atoms are loaded only for a filter."""

    def __init__(self, data: Mapping[str, Any], meta: _Meta) -> None:
        self.pk = data["pk"]
        self.key = data["item_key"]
        self.kind = ResultKind(data["kind"])
        self.scale: str = data.get("scale") or ""
        self.items: list[str] = data.get("items") or []
        self.is_enps = data.get("measure") == "enps"
        self.meta = meta
        universe = (
            meta.comment_universe if self.kind is ResultKind.COMMENTS else meta.score_universe
        )
        self.publication = Publication(
            kind=self.kind,
            threshold=data["threshold"],
            tree=meta.tree,
            dimensions=universe[0],
            max_filters=universe[1],
            shown=_Keyed(data["shown"]),
            hidden=_Keyed(data["hidden"], Reason),
        )
        teams = data.get("teams") or {}
        self.score_values = np.zeros(0)
        if self.scale == "index":
            labels = sorted({float(s) for p in teams.values() for s in p["scores"]})
            self.score_values = np.array(labels, dtype=float)
        self._totals: dict[anonymity.Filters, np.ndarray] = {}
        groups = np.array([meta.index[str(t)] for t in teams], dtype=np.int64)
        self._totals[()] = self._roll_up(groups, self._matrix(list(teams.values())))
        self._atoms: tuple[np.ndarray, list[tuple[str, ...]], np.ndarray, dict[str, int]] | None
        self._atoms = None

    def _matrix(self, payloads: list[Any]) -> np.ndarray:
        if self.scale == "index":
            at = {v: i for i, v in enumerate(self.score_values.tolist())}
            matrix = np.zeros((len(payloads), len(at)), dtype=np.int64)
            for r, p in enumerate(payloads):
                for score, count in p["scores"].items():
                    if float(score) in at:
                        matrix[r, at[float(score)]] = count
            return matrix
        width = max((len(p) for p in payloads), default=1)
        return np.array(payloads or np.zeros((0, width)), dtype=np.int64).reshape(
            len(payloads), width
        )

    def _roll_up(self, groups: np.ndarray, payload: np.ndarray) -> np.ndarray:
        meta = self.meta
        sums = np.zeros((len(meta.order), payload.shape[1]), dtype=np.int64)
        np.add.at(sums, groups, payload)
        for key in meta.order:  # deepest first: add each group into its parent
            parent = meta.tree.parent(key)
            if parent is not None:
                sums[meta.index[parent]] += sums[meta.index[key]]
        return sums

    def _load_atoms(self) -> tuple[np.ndarray, list[tuple[str, ...]], np.ndarray, dict[str, int]]:
        if self._atoms is None:
            from django.db.models.fields.json import KeyTransform

            from .models import ItemResult

            row = (
                ItemResult.objects.filter(pk=self.pk)
                .values(atoms=KeyTransform("atoms", "counts"))
                .get()
            )
            atoms = row["atoms"] or []
            dims = list(self.meta.dimensions)
            groups = np.array([self.meta.index[str(a[0])] for a in atoms], dtype=np.int64)
            values = [tuple(a[1]) for a in atoms]
            payload = self._matrix([a[2] for a in atoms])
            self._atoms = (groups, values, payload, {d: i for i, d in enumerate(dims)})
        return self._atoms

    def totals(self, filters: anonymity.Filters) -> np.ndarray:
        """Payload totals per group (its whole subtree) for one filter combination."""
        found = self._totals.get(filters)
        if found is not None:
            return found
        groups, values, payload, positions = self._load_atoms()
        mask = np.ones(len(values), dtype=bool)
        for attribute, value in filters:
            i = positions[attribute]
            mask &= np.array([v[i] == value for v in values], dtype=bool)
        sums = self._roll_up(groups[mask], payload[mask])
        self._totals[filters] = sums
        return sums

    def counts_for(self, cell: Cell) -> np.ndarray:
        return self.totals(cell.filters)[self.meta.index[cell.group]]

    def measure(self, cell: Cell) -> Any:
        """The measures object of a cell (callers only ask for shown cells)."""
        row = self.counts_for(cell)
        if self.scale == "index":
            scores = np.repeat(self.score_values, row).tolist()
            interval = stats.mean_interval(scores, measures.CONFIDENCE)
            return measures.IndexResult(
                n=len(scores),
                value=sum(scores) / len(scores) if scores else None,
                interval=interval,
                scores=tuple(scores),
            )
        if self.scale in ("driver", Scale.AGREEMENT_5.value):  # a driver: its pooled answers
            return measures.favourable(np.repeat(np.arange(1, 6), row[1:6]).tolist())
        if self.scale == Scale.ZERO_TO_TEN.value:
            answers = np.repeat(np.arange(0, 11), row[1:12]).tolist()
            if self.is_enps:
                return measures.enps(answers)
            return stats.mean_interval(answers, measures.CONFIDENCE) or _single(answers)
        return row  # choice: the counts themselves

    def figure(self, cell: Cell) -> Figure:
        row = self.counts_for(cell)
        if self.scale == "driver":  # pooled answers: no interval, n = respondents
            share = measures.pooled_favourable([int(c) for c in row[1:6]])
            return Figure(int(row[0]), (share or 0.0) * 100, None, None)
        m = self.measure(cell)
        n = int(row[0]) if self.scale != "index" else int(row.sum())
        if isinstance(m, measures.IndexResult):
            low = m.interval.low if m.interval else None
            high = m.interval.high if m.interval else None
            return Figure(m.n, float(m.value or 0.0), low, high)
        if isinstance(m, measures.Favourability):
            share_ = m.share
            return Figure(
                m.n,
                float(m.percent or 0.0),
                None if share_.low is None else share_.low * 100,
                None if share_.high is None else share_.high * 100,
            )
        if isinstance(m, stats.NpsResult):
            return Figure(m.n, float(m.value or 0.0), m.low, m.high)
        if isinstance(m, stats.Interval):
            return Figure(m.n, m.value, m.low, m.high)
        top = int(row[1:].max()) if len(row) > 1 else 0
        return Figure(n, top / n * 100 if n else 0.0, None, None)


def _single(answers: list[int]) -> stats.Interval:
    value = float(answers[0]) if answers else 0.0
    return stats.Interval(n=len(answers), value=value, low=value, high=value, too_few=True)


@dataclass
class _Results:
    survey_id: int
    meta: _Meta
    rows: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    asked: set[str] = field(default_factory=set)
    items: dict[tuple[str, str], _Item | None] = field(default_factory=dict)


def has_results(survey: Survey) -> bool:
    from .models import SurveyStatus

    return survey.status == SurveyStatus.CLOSED and survey.results_computed_at is not None


ALL_DRIVERS = "driver.*"


def _load(survey: Survey, keys: Iterable[str] = ()) -> _Results:
    """The survey's stored results: the meta row and the rows of `keys` (ALL_DRIVERS for every
    driver), each loaded once per survey object, in one query per call that needs new rows."""
    from django.db.models import Case, F, JSONField, Q, When
    from django.db.models.fields.json import KT, KeyTransform

    from .models import ItemResult

    if not has_results(survey):
        raise NoResults("This survey's results are not available yet.")
    cached: _Results | None = getattr(survey, _CACHE_ATTR, None)
    wanted = set(keys) - (cached.asked if cached is not None else set())
    if cached is not None and not wanted:
        return cached
    names = wanted - {ALL_DRIVERS}
    if cached is None:
        names.add(META_KEY)
    condition = Q(item_key__in=sorted(names))
    if ALL_DRIVERS in wanted:
        condition |= Q(item_key__regex=r"^driver\.[a-z0-9_]+$")  # drivers, not their questions
    # Only the parts of `counts` a page needs: the atoms (large) are read for a filter only.
    rows = list(
        ItemResult.objects.filter(condition, survey_id=survey.pk).values(
            "pk",
            "item_key",
            "kind",
            "threshold",
            "shown",
            "hidden",
            scale=KT("counts__scale"),
            measure=KT("counts__measure"),
            items=KeyTransform("items", "counts"),
            teams=KeyTransform("teams", "counts"),
            meta=Case(
                When(item_key=META_KEY, then=F("counts")), default=None, output_field=JSONField()
            ),
        )
    )
    if cached is None:
        meta_row = next((r for r in rows if r["item_key"] == META_KEY), None)
        if meta_row is None:
            raise NoResults("This survey's results are not available yet.")
        cached = _Results(survey.pk, _meta(meta_row["meta"]))
        setattr(survey, _CACHE_ATTR, cached)
    for row in rows:
        if row["item_key"] != META_KEY:
            cached.rows[(row["item_key"], row["kind"])] = dict(row)
            cached.asked.add(row["item_key"])
    cached.asked |= wanted
    return cached


def _meta(counts: Mapping[str, Any]) -> _Meta:
    rows = counts["tree"]
    tree = anonymity.GroupTree(
        anonymity.Group(str(pk), None if parent is None else str(parent), name)
        for pk, parent, name in rows
    )
    keys = tree.group_keys()
    depth = {k: len(tree.ancestors(k)) for k in keys}
    order = sorted(keys, key=lambda k: (-depth[k], k))
    th = counts.get("thresholds", {})
    su = counts.get("score_universe", {})
    cu = counts.get("comment_universe", {})
    return _Meta(
        tree=tree,
        tree_rows=rows,
        invited=counts.get("invited", {}),
        responded=counts.get("responded", {}),
        dimensions=tuple(counts.get("dimensions", ())),
        values=counts.get("values", {}),
        score_universe=(tuple(su.get("dimensions", ())), int(su.get("max_filters", 0))),
        comment_universe=(tuple(cu.get("dimensions", ())), int(cu.get("max_filters", 0))),
        thresholds=anonymity.Thresholds(
            scores=int(th.get("scores", anonymity.SCORE_K)),
            comments=int(th.get("comments", anonymity.COMMENT_K)),
        ),
        order=order,
        index={k: i for i, k in enumerate(order)},
    )


def prefetch(survey: Survey, item_keys: Iterable[str]) -> None:
    """Load the rows of `item_keys` (ALL_DRIVERS: every driver) in one query."""
    _load(survey, item_keys)


def _item(survey: Survey, item_key: str, kind: ResultKind = ResultKind.SCORES) -> _Item | None:
    results = _load(survey, [item_key])
    cache_key = (item_key, kind.value)
    if cache_key not in results.items:
        row = results.rows.get(cache_key)
        item = _Item(row, results.meta) if row is not None else None
        results.items[cache_key] = item
    return results.items[cache_key]


# --- The read API ---------------------------------------------------------------------------


def _result(item: _Item, group: str, filters: anonymity.Filters) -> CellResult:
    decision = item.publication.decide(group, filters)
    source = decision.source
    figure = item.figure(source) if source is not None else None
    return CellResult(decision, figure)


def _no_item(group: str, filters: anonymity.Filters, threshold: int) -> CellResult:
    return CellResult(
        Decision(Cell(group, filters), Outcome.SUPPRESSED, threshold, reason=Reason.TOO_FEW), None
    )


def team_results(
    survey: Survey,
    item_key: str,
    team_ids: Iterable[int],
    *,
    filters: Mapping[str, str] | None = None,
) -> dict[int, CellResult]:
    """The result of `item_key` for each team (its subtree) narrowed by `filters`.

    item_key: a question key, "index" (0-100), "enps" (-100..100) or "driver.<driver key>"
    (favourable %). Teams outside the survey's snapshot are left out of the answer. A filter
    combination outside the published universe is REFUSED; an item with no stored result is
    SUPPRESSED for every team.
    """
    results = _load(survey, [item_key])
    canonical = anonymity.filters_of(filters)
    item = _item(survey, item_key)
    out: dict[int, CellResult] = {}
    for team_id in team_ids:
        group = str(team_id)
        if group not in results.meta.tree:
            continue
        if item is None:
            out[team_id] = _no_item(group, canonical, results.meta.thresholds.scores)
        else:
            out[team_id] = _result(item, group, canonical)
    return out


def item_measure(
    survey: Survey, item_key: str, team_id: int, *, filters: Mapping[str, str] | None = None
) -> tuple[CellResult, Any]:
    """The cell result and, when something may be shown, the full measures object of the cell
    whose figure is shown (Favourability, IndexResult, NpsResult, ...), for comparisons."""
    result = team_results(survey, item_key, [team_id], filters=filters).get(team_id)
    if result is None:
        raise NoResults("This team is not part of the survey.")
    item = _item(survey, item_key)
    source = result.decision.source
    if item is None or source is None:
        return result, None
    return result, item.measure(source)


def distribution(
    survey: Survey, item_key: str, team_id: int, *, filters: Mapping[str, str] | None = None
) -> Distribution:
    """The answer distribution of a scored question for the cell (or the group it rolls up to)."""
    from .models import SurveyQuestion

    result = team_results(survey, item_key, [team_id], filters=filters).get(team_id)
    if result is None:
        raise NoResults("This team is not part of the survey.")
    item = _item(survey, item_key)
    source = result.decision.source
    if item is None or source is None:
        return Distribution(result, ())
    row = item.counts_for(source)
    n = int(row[0])
    if item.scale == Scale.AGREEMENT_5.value:
        labels: Sequence[str] = AGREEMENT_LABELS
    elif item.scale == Scale.ZERO_TO_TEN.value:
        labels = [str(i) for i in range(11)]
    else:
        question = SurveyQuestion.objects.filter(survey=survey, key=item_key).first()
        options = list(question.options) if question else []
        labels = [
            options[i] if i < len(options) else f"Option {i + 1}" for i in range(len(row) - 1)
        ]
    bars = tuple(
        Bar(str(label), int(count), int(count) / n * 100 if n else 0.0)
        for label, count in zip(labels, row[1:], strict=False)
    )
    return Distribution(result, bars, multiple=item.scale == Scale.MULTIPLE_CHOICE.value)


def participation(survey: Survey, team_id: int) -> measures.Participation | None:
    """Participation of a team's subtree; None where fewer than the minimum were invited."""
    meta = _load(survey).meta
    group = str(team_id)
    if group not in meta.tree:
        return None
    subtree = _subtree(meta, group)
    invited = sum(meta.invited.get(k, 0) for k in subtree)
    if not anonymity.participation_shown(invited, meta.thresholds):
        return None
    responded = sum(meta.responded.get(k, 0) for k in subtree)
    return measures.participation(invited, responded)


def _subtree(meta: _Meta, group: str) -> list[str]:
    out, stack = [], [group]
    while stack:
        key = stack.pop()
        out.append(key)
        stack.extend(meta.tree.children(key))
    return out


def driver_keys(survey: Survey) -> list[str]:
    """The item keys ("driver.<key>") of the survey's drivers, in the bank's order."""
    results = _load(survey, [ALL_DRIVERS])
    found = {k for k, _ in results.rows if k.startswith(DRIVER_PREFIX) and k.count(".") == 1}
    order = list(DRIVERS_BY_KEY)
    return sorted(found, key=lambda k: (order.index(k[7:]) if k[7:] in order else len(order), k))


def driver_name(item_key: str) -> str:
    driver = DRIVERS_BY_KEY.get(item_key.removeprefix(DRIVER_PREFIX))
    return driver.name if driver else item_key.removeprefix(DRIVER_PREFIX).replace("_", " ")


def filter_options(survey: Survey, *, kind: ResultKind = ResultKind.SCORES) -> dict[str, list[str]]:
    """The attributes results may be filtered by (the published universe), with their values."""
    meta = _load(survey).meta
    dims = meta.comment_universe[0] if kind is ResultKind.COMMENTS else meta.score_universe[0]
    return {d: list(meta.values.get(d, [])) for d in dims}


def max_filters(survey: Survey, *, kind: ResultKind = ResultKind.SCORES) -> int:
    meta = _load(survey).meta
    return meta.comment_universe[1] if kind is ResultKind.COMMENTS else meta.score_universe[1]


def snapshot_team_ids(survey: Survey) -> list[int]:
    return [int(row[0]) for row in _load(survey).meta.tree_rows]


def visible_result_teams(survey: Survey, user: Any) -> list[Team]:
    """Teams of the survey's snapshot whose results `user` may read (HR: all; a lead: their
    subtree), ordered by path."""
    from qa_platform.people.models import Team

    from .access import result_teams_q

    if not has_results(survey):
        return []
    ids = snapshot_team_ids(survey)
    return list(Team.objects.filter(result_teams_q(user), pk__in=ids).order_by("path"))


def comments(
    survey: Survey, item_key: str, team_id: int, *, filters: Mapping[str, str] | None = None
) -> Comments:
    """The comments of a comment question for the cell (or the group it rolls up to), where the
    comment threshold allows; one filter at a time. Shuffled in a fixed order per survey that is
    not the order they were written in."""
    from .models import Answer

    results = _load(survey, [item_key])
    group = str(team_id)
    if group not in results.meta.tree:
        raise NoResults("This team is not part of the survey.")
    canonical = anonymity.filters_of(filters)
    item = _item(survey, item_key, ResultKind.COMMENTS)
    if item is None:
        return Comments(_no_item(group, canonical, results.meta.thresholds.comments), ())
    decision = item.publication.decide(group, canonical)
    source = decision.source
    if source is None:
        return Comments(CellResult(decision, None), ())
    n = int(item.counts_for(source)[0])
    result = CellResult(decision, Figure(n, float(n), None, None))
    teams = [int(k) for k in _subtree(results.meta, source.group)]
    rows = Answer.objects.filter(
        question__survey_id=survey.pk,
        question__key=item_key,
        response__team_id__in=teams,
    ).values_list("pk", "text", "response__attributes")
    wanted = dict(source.filters)
    texts = []
    for pk, text, attributes in rows:
        if not text.strip():
            continue
        attributes = attributes or {}
        if any(str(attributes.get(a) or anonymity.NOT_RECORDED) != v for a, v in wanted.items()):
            continue
        texts.append((_shuffle_key(survey.pk, pk), text.strip()))
    return Comments(result, tuple(text for _, text in sorted(texts)))


def _shuffle_key(survey_id: int, answer_id: int) -> str:
    """A keyed hash: a fixed order per survey that cannot be turned back into insertion order
    without the server's secret."""
    message = f"engagement-comments:{survey_id}:{answer_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def change(survey: Survey, item_key: str, team_id: int) -> measures.Change | None:
    """The change since `survey.previous_wave` for the same item key and team, where the same
    cell's figure is shown in both waves (a rolled-up cell compares the group it shows)."""
    previous = survey.previous_wave
    if previous is None or not has_results(previous):
        return None
    current, now_measure = item_measure(survey, item_key, team_id)
    source = current.decision.source
    if source is None or now_measure is None:
        return None
    try:
        before, then_measure = item_measure(previous, item_key, int(source.group))
    except NoResults:
        return None
    if before.decision.outcome is not Outcome.SHOWN or then_measure is None:
        return None
    if isinstance(now_measure, measures.Favourability) and isinstance(
        then_measure, measures.Favourability
    ):
        return measures.favourable_change(now_measure, then_measure)
    if isinstance(now_measure, stats.NpsResult) and isinstance(then_measure, stats.NpsResult):
        return measures.enps_change(now_measure, then_measure)
    if isinstance(now_measure, measures.IndexResult) and isinstance(
        then_measure, measures.IndexResult
    ):
        return measures.index_change(now_measure, then_measure)
    return None


def item_labels(survey: Survey) -> dict[str, str]:
    """Question texts by key, for labels."""
    from .models import SurveyQuestion

    return dict(SurveyQuestion.objects.filter(survey=survey).values_list("key", "text"))


__all__ = [
    "ENPS_KEY",
    "INDEX_KEY",
    "Bar",
    "CellResult",
    "Comments",
    "Distribution",
    "Figure",
    "NoResults",
    "change",
    "comments",
    "distribution",
    "driver_keys",
    "driver_name",
    "filter_options",
    "has_results",
    "item_measure",
    "max_filters",
    "participation",
    "prefetch",
    "snapshot_team_ids",
    "team_results",
    "visible_result_teams",
]
