"""Deciding and storing a closed survey's results, once, at close (`ItemResult` rows).

`compute_results(survey)` reads the answers one time and stores, per item:

- the anonymity decision over every cell (`anonymity.publish`): `shown` maps a cell key
  ("<team id>" or "<team id>|attr=value;attr=value") to its n, `hidden` maps every other cell with
  answers to the reason;
- the counts the figures are computed from, per *atom* (the team the answers are attached to, and
  one value per filter dimension): counts per scale value (agreement 1..5, 0..10, choice options),
  for the index n, sum, sum of squares and the histogram of respondent scores.

Items: every scored question (agreement, 0-10, single and multiple choice), "index" (respondents
with an index score), "enps" (the eNPS question), "driver.<key>" (a cell is shown only where every
item of the driver is shown: `anonymity.all_shown`; its `shown` is the intersection) and, with
kind "comments", every comment question (comment threshold, one filter at a time).

One more row, item key `META_KEY`, stores the team tree as snapshotted at close (team id, parent,
name), invited and responded counts per team (participation), the filter universe and the values
seen per dimension. Pages read these rows through `reading.py` and never touch answers for scores.

Identical populations give identical publications, so each distinct population (most required
items share one) is decided once and reused. Deciding costs time that grows quickly with groups ×
filter combinations (docs/engagement.md), so the filter universe is chosen by `filter_universe`:
the richest one within `CELL_BUDGET` cells.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from . import anonymity
from .anonymity import Cell, Publication, Reason
from .question_bank import Part, Scale

if TYPE_CHECKING:
    from .models import Survey

logger = logging.getLogger(__name__)

META_KEY = "_meta"
INDEX_KEY = "index"
ENPS_KEY = "enps"
DRIVER_PREFIX = "driver."
# Cells (groups x filter combinations) one publication may have. Deciding grows much faster than
# the cells: measured for 187 groups and 1,500 answers, one filter at a time over role (3 values)
# 0.7 s, role and tenure band (7 values) 3 s, all three (12 values) 46 s (docs/engagement.md); the
# bench (6 decisions for the full survey on a loaded machine) took 79 s with role and tenure band.
# The budget keeps one attribute with few values at 180 teams and every filter for small ones.
CELL_BUDGET = 800
SCORED_SCALES = (
    Scale.AGREEMENT_5.value,
    Scale.ZERO_TO_TEN.value,
    Scale.SINGLE_CHOICE.value,
    Scale.MULTIPLE_CHOICE.value,
)


def cell_key(cell: Cell) -> str:
    """ "<group>" or "<group>|attr=value;attr=value" (attributes sorted, as in the Cell)."""
    if not cell.filters:
        return cell.group
    return cell.group + "|" + ";".join(f"{a}={v}" for a, v in cell.filters)


def parse_cell_key(key: str) -> Cell:
    group, _, rest = key.partition("|")
    if not rest:
        return Cell(group)
    pairs = tuple(tuple(part.split("=", 1)) for part in rest.split(";"))
    return Cell(group, pairs)  # type: ignore[arg-type]


@dataclass(frozen=True)
class FilterUniverse:
    """Which attributes results may be filtered by, and how many at a time."""

    dimensions: tuple[str, ...]
    max_filters: int


def universe_cells(groups: int, values: Sequence[int], max_filters: int) -> int:
    """Cells of one publication: every group × every combination of up to `max_filters` of the
    dimensions (each dimension with its number of values)."""
    combos = 0
    for size in range(max_filters + 1):
        for chosen in combinations(values, size):
            product = 1
            for v in chosen:
                product *= v
            combos += product
    return groups * combos


def filter_universe(
    groups: int,
    values: Mapping[str, int],
    *,
    max_filters: int,
    budget: int = CELL_BUDGET,
) -> FilterUniverse:
    """The richest filter universe within `budget` cells: all dimensions with as many filters at a
    time as allowed, then fewer at a time, then dropping the dimensions with the most values first.
    Small organisations keep every filter; 180 teams keep the dimensions with few values, one at a
    time (or none)."""
    dims = sorted(values, key=lambda d: (values[d], d))  # fewest values first
    for count in range(len(dims), 0, -1):
        kept = dims[:count]
        for limit in range(min(max_filters, count), 0, -1):
            if universe_cells(groups, [values[d] for d in kept], limit) <= budget:
                return FilterUniverse(tuple(sorted(kept)), limit)
    return FilterUniverse((), 0)


# --- Reading the answers once -----------------------------------------------------------------


@dataclass
class _Respondent:
    team: int
    values: tuple[str, ...]  # one per DIMENSIONS entry (NOT_RECORDED when missing)
    index_score: float | None


def _values_of(attributes: Mapping[str, Any] | None, dims: Sequence[str]) -> tuple[str, ...]:
    attributes = attributes or {}
    out = []
    for d in dims:
        value = attributes.get(d)
        out.append(anonymity.NOT_RECORDED if value in (None, "") else str(value))
    return tuple(out)


def _tree_rows(team_ids: Iterable[int]) -> list[tuple[int, int | None, str]]:
    """(id, parent id, name) of the snapshot teams and their ancestors (parents outside the set
    are cut, so the tree is closed)."""
    from qa_platform.people.models import Team

    ids = set(team_ids)
    paths = Team.objects.filter(pk__in=ids).values_list("path", flat=True)
    for path in paths:
        ids.update(int(p) for p in path.strip("/").split("/") if p)
    rows = list(Team.objects.filter(pk__in=ids).values_list("pk", "parent_id", "name"))
    return [(pk, parent if parent in ids else None, name) for pk, parent, name in sorted(rows)]


def _tree(rows: Sequence[Sequence[Any]]) -> anonymity.GroupTree:
    return anonymity.GroupTree(
        anonymity.Group(str(pk), None if parent is None else str(parent), name)
        for pk, parent, name in rows
    )


class _Publisher:
    """One publication per distinct population (kind, universe, atom counts)."""

    def __init__(self, tree: anonymity.GroupTree, thresholds: anonymity.Thresholds) -> None:
        self.tree = tree
        self.thresholds = thresholds
        self.cache: dict[Any, Publication] = {}
        self.seconds = 0.0
        self.decided = 0
        self.timings: list[list[Any]] = []  # [kind, answers, seconds] per decision

    def publish(
        self,
        respondents: Iterable[_Respondent],
        dims: Sequence[str],
        universe: FilterUniverse,
        kind: anonymity.ResultKind,
    ) -> Publication:
        positions = [dims.index(d) for d in universe.dimensions]
        counts: dict[tuple[str, tuple[str, ...]], int] = defaultdict(int)
        for r in respondents:
            counts[(str(r.team), tuple(r.values[i] for i in positions))] += 1
        key = (kind, universe, frozenset(counts.items()))
        found = self.cache.get(key)
        if found is None:
            started = time.perf_counter()
            population = anonymity.Population(self.tree, universe.dimensions, dict(counts))
            found = anonymity.publish(
                population, self.thresholds, kind=kind, max_filters=universe.max_filters
            )
            took = time.perf_counter() - started
            self.seconds += took
            self.decided += 1
            self.timings.append([str(kind), sum(counts.values()), round(took, 3)])
            self.cache[key] = found
        return found


def _decisions_json(publication: Publication) -> tuple[dict[str, int], dict[str, str]]:
    shown = {cell_key(c): n for c, n in publication.shown.items()}
    hidden = {cell_key(c): str(reason) for c, reason in publication.hidden.items()}
    return shown, hidden


def _atoms_json(per_atom: Mapping[tuple[int, tuple[str, ...]], Any]) -> list[list[Any]]:
    return [[team, list(values), payload] for (team, values), payload in sorted(per_atom.items())]


def _teams_json(per_atom: Mapping[tuple[int, tuple[str, ...]], Any]) -> dict[str, Any]:
    """The atoms summed per team over every attribute value: what unfiltered pages read (a page
    over 180 teams then decodes 180 entries per item, not every atom)."""
    teams: dict[str, Any] = {}
    for (team, _), payload in sorted(per_atom.items()):
        key = str(team)
        if isinstance(payload, dict):  # the index: n, sum, sum of squares, respondents per score
            into = teams.setdefault(key, {"n": 0, "sum": 0.0, "sumsq": 0.0, "scores": {}})
            into["n"] += payload["n"]
            into["sum"] += payload["sum"]
            into["sumsq"] += payload["sumsq"]
            for score, count in payload["scores"].items():
                into["scores"][score] = into["scores"].get(score, 0) + count
        else:
            into = teams.setdefault(key, [0] * len(payload))
            for i, count in enumerate(payload):
                into[i] += count
    return teams


def _value_count(scale: str, options: Sequence[str]) -> int:
    if scale == Scale.AGREEMENT_5.value:
        return 5
    if scale == Scale.ZERO_TO_TEN.value:
        return 11
    return len(options)


def _value_index(scale: str, value: int) -> int:
    return value - 1 if scale == Scale.AGREEMENT_5.value else value


@transaction.atomic
def compute_results(survey: Survey) -> None:
    """Decide and store every result of `survey` (replacing any stored before). Idempotent."""
    from .models import (
        DIMENSIONS,
        Answer,
        Invitation,
        ItemResult,
        Response,
        ResultKind,
        SurveyQuestion,
    )

    started = time.perf_counter()
    now = timezone.now()
    thresholds = anonymity.Thresholds(
        scores=survey.score_threshold,
        comments=max(survey.comment_threshold, survey.score_threshold),
    )
    dims = DIMENSIONS
    invited: dict[int, int] = defaultdict(int)
    for team_id in Invitation.objects.filter(survey=survey).values_list("team_id", flat=True):
        invited[team_id] += 1
    respondents: dict[Any, _Respondent] = {}
    for pk, team_id, attributes, index_score in Response.objects.filter(survey=survey).values_list(
        "pk", "team_id", "attributes", "index_score"
    ):
        respondents[pk] = _Respondent(
            team_id,
            _values_of(attributes, dims),
            None if index_score is None else float(index_score),
        )
    responded: dict[int, int] = defaultdict(int)
    for r in respondents.values():
        responded[r.team] += 1
    tree_rows = _tree_rows([*invited, *responded])
    tree = _tree(tree_rows)
    values_seen: dict[str, set[str]] = {d: set() for d in dims}
    for r in respondents.values():
        for d, v in zip(dims, r.values, strict=True):
            values_seen[d].add(v)
    group_count = len(tree_rows)
    score_universe = filter_universe(
        group_count, {d: len(v) for d, v in values_seen.items() if v}, max_filters=len(dims)
    )
    comment_universe = filter_universe(
        group_count, {d: len(v) for d, v in values_seen.items() if v}, max_filters=1
    )

    questions = list(SurveyQuestion.objects.filter(survey=survey).order_by("order", "pk"))
    by_question: dict[int, list[tuple[Any, int | None, list[int] | None, str]]] = defaultdict(list)
    for response_id, question_id, value, chosen, text in Answer.objects.filter(
        response__survey=survey
    ).values_list("response_id", "question_id", "value", "choices", "text"):
        by_question[question_id].append((response_id, value, chosen, text))

    publisher = _Publisher(tree, thresholds)
    rows: list[ItemResult] = []
    scores = anonymity.ResultKind.SCORES

    def add(
        item_key: str,
        kind: str,
        publication_or_decisions: Publication | tuple[dict[str, int], dict[str, str]],
        counts: dict[str, Any],
    ) -> None:
        if isinstance(publication_or_decisions, Publication):
            shown, hidden = _decisions_json(publication_or_decisions)
            threshold = publication_or_decisions.threshold
        else:
            shown, hidden = publication_or_decisions
            threshold = thresholds.scores
        rows.append(
            ItemResult(
                survey=survey,
                item_key=item_key,
                kind=kind,
                threshold=threshold,
                shown=shown,
                hidden=hidden,
                counts=counts,
                computed_at=now,
            )
        )

    item_shown: dict[str, tuple[dict[str, int], dict[str, str]]] = {}
    item_values: dict[str, dict[Any, int]] = {}  # agreement answers, for drivers
    enps_question = next(
        (q for q in questions if q.part == Part.ENPS.value and q.scale == Scale.ZERO_TO_TEN.value),
        None,
    )
    for question in questions:
        answers = by_question.get(question.pk, [])
        if question.scale in SCORED_SCALES:
            size = _value_count(question.scale, question.options)
            per_atom: dict[tuple[int, tuple[str, ...]], list[int]] = {}
            answered: list[_Respondent] = []
            values_by_response: dict[Any, int] = {}
            for response_id, value, chosen, _ in answers:
                found = respondents.get(response_id)
                if found is None:
                    continue
                r = found
                picks: list[int]
                if question.scale == Scale.MULTIPLE_CHOICE.value:
                    picks = [int(c) for c in (chosen or []) if 0 <= int(c) < size]
                    if not chosen:
                        continue
                else:
                    if value is None or not 0 <= _value_index(question.scale, value) < size:
                        continue
                    picks = [_value_index(question.scale, value)]
                    values_by_response[response_id] = value
                answered.append(r)
                slot = per_atom.setdefault((r.team, r.values), [0] * (size + 1))
                slot[0] += 1  # respondents
                for p in picks:
                    slot[p + 1] += 1
            publication = publisher.publish(answered, dims, score_universe, scores)
            counts = {
                "scale": question.scale,
                "measure": "enps" if question is enps_question else "",
                "dimensions": list(dims),
                "payload": "respondents, then a count per value",
                "teams": _teams_json(per_atom),
                "atoms": _atoms_json(per_atom),
            }
            add(question.key, ResultKind.SCORES, publication, counts)
            item_shown[question.key] = _decisions_json(publication)
            if question.scale == Scale.AGREEMENT_5.value:
                item_values[question.key] = values_by_response
            if question is enps_question:
                add(ENPS_KEY, ResultKind.SCORES, publication, counts)
        elif question.scale == Scale.COMMENT.value:
            with_text = [respondents[rid] for rid, _, _, text in answers if text.strip()]
            per_atom_n: dict[tuple[int, tuple[str, ...]], list[int]] = defaultdict(lambda: [0])
            for r in with_text:
                per_atom_n[(r.team, r.values)][0] += 1
            publication = publisher.publish(
                with_text, dims, comment_universe, anonymity.ResultKind.COMMENTS
            )
            counts = {
                "scale": question.scale,
                "dimensions": list(dims),
                "payload": "comments",
                "teams": _teams_json(per_atom_n),
                "atoms": _atoms_json(per_atom_n),
            }
            add(question.key, ResultKind.COMMENTS, publication, counts)

    # The index: respondents with an index score.
    with_index = [r for r in respondents.values() if r.index_score is not None]
    if with_index:
        index_atoms: dict[tuple[int, tuple[str, ...]], dict[str, Any]] = {}
        for r in with_index:
            assert r.index_score is not None
            entry = index_atoms.setdefault(
                (r.team, r.values), {"n": 0, "sum": 0.0, "sumsq": 0.0, "scores": {}}
            )
            entry["n"] += 1
            entry["sum"] += r.index_score
            entry["sumsq"] += r.index_score**2
            label = f"{r.index_score:.2f}"
            entry["scores"][label] = entry["scores"].get(label, 0) + 1
        publication = publisher.publish(with_index, dims, score_universe, scores)
        add(
            INDEX_KEY,
            ResultKind.SCORES,
            publication,
            {
                "scale": "index",
                "dimensions": list(dims),
                "payload": "n, sum, sum of squares, respondents per score",
                "teams": _teams_json(index_atoms),
                "atoms": _atoms_json(index_atoms),
            },
        )

    # Drivers: shown where every item of the driver is shown (the intersection).
    driver_questions: dict[str, list[SurveyQuestion]] = defaultdict(list)
    for q in questions:
        if q.driver and q.scale == Scale.AGREEMENT_5.value and q.key in item_shown:
            driver_questions[q.driver].append(q)
    for driver, items in sorted(driver_questions.items()):
        shown_sets = [item_shown[q.key][0] for q in items]
        common = set(shown_sets[0]).intersection(*shown_sets[1:])
        per_response: dict[Any, list[int]] = defaultdict(list)
        for q in items:
            for response_id, value in item_values[q.key].items():
                per_response[response_id].append(value)
        driver_atoms: dict[tuple[int, tuple[str, ...]], list[int]] = {}
        for response_id, answered_values in per_response.items():
            r = respondents[response_id]
            tally = driver_atoms.setdefault((r.team, r.values), [0] * 6)
            tally[0] += 1
            for answer in answered_values:
                tally[answer] += 1
        # n of a shown driver cell: people who answered at least one of its items there.
        respondent_n = _cell_totals(
            tree, dims, score_universe, {k: v[0] for k, v in driver_atoms.items()}, common
        )
        shown = {key: respondent_n[key] for key in sorted(common)}
        hidden: dict[str, str] = {}
        for q in items:
            for key, reason in item_shown[q.key][1].items():
                hidden.setdefault(key, reason)
            for key in item_shown[q.key][0]:
                if key not in common:
                    hidden.setdefault(key, str(Reason.COMPLEMENTARY))
        add(
            DRIVER_PREFIX + driver,
            ResultKind.SCORES,
            (shown, dict(sorted(hidden.items()))),
            {
                "scale": "driver",
                "items": [q.key for q in items],
                "dimensions": list(dims),
                "payload": "respondents, then answers 1..5 over the driver's items",
                "teams": _teams_json(driver_atoms),
                "atoms": _atoms_json(driver_atoms),
            },
        )

    elapsed = time.perf_counter() - started
    add(
        META_KEY,
        ResultKind.SCORES,
        ({}, {}),
        {
            "tree": [list(row) for row in tree_rows],
            "invited": {str(k): v for k, v in sorted(invited.items())},
            "responded": {str(k): v for k, v in sorted(responded.items())},
            "dimensions": list(dims),
            "values": {d: sorted(v) for d, v in values_seen.items()},
            "score_universe": {
                "dimensions": list(score_universe.dimensions),
                "max_filters": score_universe.max_filters,
            },
            "comment_universe": {
                "dimensions": list(comment_universe.dimensions),
                "max_filters": comment_universe.max_filters,
            },
            "thresholds": {"scores": thresholds.scores, "comments": thresholds.comments},
            "publications_decided": publisher.decided,
            "seconds_deciding": round(publisher.seconds, 3),
            "decisions": publisher.timings,
            "seconds_total": round(elapsed, 3),
        },
    )
    ItemResult.objects.filter(survey=survey).delete()
    ItemResult.objects.bulk_create(rows)
    survey.results_computed_at = now
    type(survey).objects.filter(pk=survey.pk).update(results_computed_at=now)
    logger.info(
        "engagement results for survey %s: %d rows, %d publications in %.2f s (%.2f s total)",
        survey.pk,
        len(rows),
        publisher.decided,
        publisher.seconds,
        elapsed,
    )


def _cell_totals(
    tree: anonymity.GroupTree,
    dims: Sequence[str],
    universe: FilterUniverse,
    per_atom: Mapping[tuple[int, tuple[str, ...]], int],
    wanted: set[str],
) -> dict[str, int]:
    """Totals over each wanted cell key (a group's subtree, narrowed by its filters)."""
    totals: dict[str, int] = defaultdict(int)
    positions = {d: i for i, d in enumerate(dims)}
    for (team, values), n in per_atom.items():
        groups = [str(team), *tree.ancestors(str(team))]
        kept = [(d, values[positions[d]]) for d in universe.dimensions]
        for size in range(universe.max_filters + 1):
            for chosen in combinations(kept, size):
                for group in groups:
                    key = cell_key(Cell(group, tuple(sorted(chosen))))
                    if key in wanted:
                        totals[key] += n
    return totals
