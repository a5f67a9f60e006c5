"""What an engagement result may show: the anonymity rules of DOMAIN.md §7, in one pure module.

Every page, fragment, chart, PDF, CSV export and API response asks this module, and nothing else,
whether a figure may be shown. No ORM: callers pass plain dataclasses.

The model
---------
A result is published per *item* (one question; an index or a driver is published like an item,
see `all_shown`). Each answer sits in one group of the team tree (membership snapshotted at launch)
and carries the respondent's attributes (tenure band, role, location, ...). A **cell** is a group
(its whole subtree) narrowed by a filter: each attribute either left open or set to one value.
The cells the product may show for one item make up its *universe*: every group × every filter
combination (comments: at most one attribute at a time).

`publish` decides the whole universe at once, deterministically, so that the answer to a query
never depends on which queries came before it: whoever asks any sequence of allowed queries sees
a subset of one fixed set of shown cells. The decision, in order:

1. **Threshold** (primary suppression): a cell with fewer than k answers is hidden (k = 5 for
   scores, HR may raise it but never below 3; k = 10 for comments). A cell with no answers looks
   exactly like one with too few, so a result never says who did not answer.
2. **No differencing** (complementary suppression): every shown cell is the sum of its parts along
   the team tree (its child groups plus the people attached to the group itself) and along each
   open attribute (one part per value). If the hidden parts of a shown cell add up to between 1
   and k − 1 answers, the smallest shown part is hidden too (ties by key), so the hidden ones cannot
   be worked out by subtraction (coarsest cells first). This is "hide the next smallest sibling"
   and "a child is shown beside its parent only if the parent has at least k more" (when the
   parent has exactly the same people as the child, showing both reveals nothing, so that is
   allowed). Repeated until stable.
3. **Audit**: rules 1–2 look at one sum at a time; an attacker may combine any number of shown
   cells across the tree and the filters. So the shown cells are checked exactly (linear algebra
   modulo a large prime, see `_find_differencing`) for any combination that adds up to a set of
   between 1 and k − 1 answers. While one exists, the smallest cell it uses is hidden too
   (reason "differencing"). When every pool of answers that the shown cells cannot tell apart
   has k or more answers, there is nothing small to find and the check is immediate.

A cell that is hidden for its group rolls up: `Publication.decide` returns the nearest ancestor
with the same filters that is shown, and says so (`Outcome.ROLLED_UP`, `rolled_up_into`).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array
from scipy.sparse.linalg import lsqr

SCORE_K = 5  # answers per item per group for a score to be shown
SCORE_K_FLOOR = 3  # HR may raise the score threshold, never set it below this
COMMENT_K = 10  # comments per question per group
PARTICIPATION_MIN_INVITED = 5  # participation is shown only where at least this many were invited
NOT_RECORDED = "(not recorded)"  # an attribute the respondent's record does not have

Filters = tuple[tuple[str, str], ...]  # (attribute, value) pairs, sorted by attribute


class ResultKind(StrEnum):
    SCORES = "scores"
    COMMENTS = "comments"


@dataclass(frozen=True)
class Thresholds:
    """The reporting thresholds of one survey (locked at launch)."""

    scores: int = SCORE_K
    comments: int = COMMENT_K
    participation_invited: int = PARTICIPATION_MIN_INVITED

    def __post_init__(self) -> None:
        for name in ("scores", "comments", "participation_invited"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"The {name} threshold must be a whole number, got {value!r}.")
        if self.scores < SCORE_K_FLOOR:
            raise ValueError(
                f"The score threshold cannot be below {SCORE_K_FLOOR} answers (got {self.scores})."
            )
        if self.comments < max(COMMENT_K, self.scores):
            raise ValueError(
                f"The comment threshold cannot be below {COMMENT_K} answers or below the score "
                f"threshold (got {self.comments})."
            )
        if self.participation_invited < PARTICIPATION_MIN_INVITED:
            raise ValueError(
                f"Participation needs at least {PARTICIPATION_MIN_INVITED} invited "
                f"(got {self.participation_invited})."
            )

    def k(self, kind: ResultKind) -> int:
        return self.comments if kind is ResultKind.COMMENTS else self.scores


def participation_shown(invited: int, thresholds: Thresholds | None = None) -> bool:
    """Participation for a group is shown only where enough people were invited (at launch)."""
    minimum = (thresholds or Thresholds()).participation_invited
    return invited >= minimum


# --- The team tree --------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """One node of the team tree (organisation, department or team), by a stable key."""

    key: str
    parent: str | None = None
    name: str = ""


class GroupTree:
    """The team tree as it was snapshotted at launch. Keys are strings (e.g. team ids)."""

    def __init__(self, groups: Iterable[Group]) -> None:
        self._groups: dict[str, Group] = {}
        for group in groups:
            if group.key in self._groups:
                raise ValueError(f"Group {group.key!r} appears twice in the tree.")
            self._groups[group.key] = group
        children: dict[str, list[str]] = defaultdict(list)
        for group in self._groups.values():
            if group.parent is not None:
                if group.parent not in self._groups:
                    raise ValueError(f"Group {group.key!r} has an unknown parent {group.parent!r}.")
                children[group.parent].append(group.key)
        self._children = {key: tuple(sorted(keys)) for key, keys in children.items()}
        for key in self._groups:  # every chain of parents must end at a root
            seen = {key}
            parent = self._groups[key].parent
            while parent is not None:
                if parent in seen:
                    raise ValueError(f"The tree has a cycle through {parent!r}.")
                seen.add(parent)
                parent = self._groups[parent].parent

    def __contains__(self, key: object) -> bool:
        return key in self._groups

    def group_keys(self) -> list[str]:
        return sorted(self._groups)

    def name(self, key: str) -> str:
        return self._groups[key].name or key

    def parent(self, key: str) -> str | None:
        return self._groups[key].parent

    def children(self, key: str) -> tuple[str, ...]:
        return self._children.get(key, ())

    def ancestors(self, key: str) -> list[str]:
        """The parent, the grandparent, ... up to the root (nearest first)."""
        chain = []
        parent = self._groups[key].parent
        while parent is not None:
            chain.append(parent)
            parent = self._groups[parent].parent
        return chain


# --- Cells, respondents and the population --------------------------------------------------


def filters_of(filters: Mapping[str, str] | Filters | None) -> Filters:
    """A filter combination in its canonical form: (attribute, value) pairs sorted by attribute."""
    if not filters:
        return ()
    pairs = filters.items() if isinstance(filters, Mapping) else filters
    canonical = tuple(sorted((str(a), str(v)) for a, v in pairs))
    attributes = [a for a, _ in canonical]
    if len(set(attributes)) != len(attributes):
        raise ValueError("Each attribute can be filtered by one value at a time.")
    return canonical


@dataclass(frozen=True, order=True)
class Cell:
    """A group (its whole subtree) narrowed by a filter combination."""

    group: str
    filters: Filters = ()

    @classmethod
    def of(cls, group: str, filters: Mapping[str, str] | Filters | None = None) -> Cell:
        return cls(group, filters_of(filters))


@dataclass(frozen=True)
class Respondent:
    """Where one answer sits: the group at launch and the respondent's attributes. No identity."""

    group: str
    attributes: Filters = ()

    @classmethod
    def of(cls, group: str, attributes: Mapping[str, str] | None = None) -> Respondent:
        return cls(group, filters_of(attributes))


Atom = tuple[str, tuple[str, ...]]  # (group the answer is attached to, one value per dimension)


@dataclass(frozen=True)
class Population:
    """The answers to one item: how many sit in each (group, attribute values) combination."""

    tree: GroupTree
    dimensions: tuple[str, ...]  # the attributes one may filter by, sorted
    atoms: Mapping[Atom, int]

    @classmethod
    def from_respondents(
        cls, tree: GroupTree, dimensions: Iterable[str], respondents: Iterable[Respondent]
    ) -> Population:
        dims = tuple(sorted(set(dimensions)))
        counts: dict[Atom, int] = defaultdict(int)
        for respondent in respondents:
            if respondent.group not in tree:
                raise ValueError(f"An answer sits in an unknown group {respondent.group!r}.")
            attributes = dict(respondent.attributes)
            unknown = set(attributes) - set(dims)
            if unknown:
                raise ValueError(f"Unknown attribute(s): {', '.join(sorted(unknown))}.")
            values = tuple(attributes.get(d, NOT_RECORDED) for d in dims)
            counts[(respondent.group, values)] += 1
        return cls(tree=tree, dimensions=dims, atoms=dict(counts))


# --- Decisions ------------------------------------------------------------------------------


class Outcome(StrEnum):
    SHOWN = "shown"
    ROLLED_UP = (
        "rolled_up"  # this group is hidden; the figure shown is its nearest shown ancestor's
    )
    SUPPRESSED = "suppressed"
    REFUSED = "refused"  # the query itself is not allowed (e.g. comments by two attributes)


class Reason(StrEnum):
    TOO_FEW = "too_few"
    COMPLEMENTARY = "complementary"
    DIFFERENCING = "differencing"
    FILTER_NOT_ALLOWED = "filter_not_allowed"
    ONE_FILTER_FOR_COMMENTS = "one_filter_for_comments"


@dataclass(frozen=True)
class Decision:
    """What may be shown for one cell. `n` is given only for what is shown (never for a hidden
    cell): the cell's own answers, or its ancestor's when rolled up."""

    cell: Cell
    outcome: Outcome
    threshold: int
    n: int | None = None
    reason: Reason | None = None
    rolled_up_into: str | None = None
    rolled_up_name: str | None = None  # the group's name, for the note on the page

    @property
    def source(self) -> Cell | None:
        """The cell whose figure to display, or None when nothing may be shown."""
        if self.outcome is Outcome.SHOWN:
            return self.cell
        if self.outcome is Outcome.ROLLED_UP and self.rolled_up_into is not None:
            return Cell(self.rolled_up_into, self.cell.filters)
        return None

    @property
    def message(self) -> str:
        k = self.threshold
        hidden = {
            Reason.TOO_FEW: f"Fewer than {k} answers in this group, so its result is hidden.",
            Reason.COMPLEMENTARY: (
                "Hidden so that a smaller hidden group cannot be worked out by subtraction."
            ),
            Reason.DIFFERENCING: (
                "Hidden because, together with other results, it would let someone work out the "
                f"answers of fewer than {k} people."
            ),
            Reason.FILTER_NOT_ALLOWED: "This combination of filters is not available.",
            Reason.ONE_FILTER_FOR_COMMENTS: "Comments can be filtered by one attribute at a time.",
        }
        if self.outcome is Outcome.SHOWN:
            return f"Based on {self.n} answers."
        text = hidden[self.reason] if self.reason else "Hidden."
        if self.outcome is Outcome.ROLLED_UP:
            name = self.rolled_up_name or self.rolled_up_into
            return f"{text} Showing the result of {name} instead ({self.n} answers)."
        return text


def all_shown(decisions: Iterable[Decision]) -> bool:
    """A figure built from several items (a driver) is shown for a cell only where every one of its
    items is shown for that cell: otherwise the combined figure minus the shown items would give
    away the hidden one."""
    return all(d.outcome is Outcome.SHOWN for d in decisions)


@dataclass(frozen=True)
class Publication:
    """The fixed set of shown cells of one item, and the answer to any query against it."""

    kind: ResultKind
    threshold: int
    tree: GroupTree
    dimensions: tuple[str, ...]
    max_filters: int
    shown: Mapping[Cell, int]  # cell -> answers, for every cell that may be shown
    hidden: Mapping[Cell, Reason]  # why each cell with answers is hidden

    def decide(self, group: str, filters: Mapping[str, str] | Filters | None = None) -> Decision:
        if group not in self.tree:
            raise ValueError(f"Unknown group {group!r}.")
        cell = Cell.of(group, filters)
        k = self.threshold
        attributes = [a for a, _ in cell.filters]
        if any(a not in self.dimensions for a in attributes):
            return Decision(cell, Outcome.REFUSED, k, reason=Reason.FILTER_NOT_ALLOWED)
        if len(attributes) > self.max_filters:
            reason = (
                Reason.ONE_FILTER_FOR_COMMENTS
                if self.kind is ResultKind.COMMENTS
                else Reason.FILTER_NOT_ALLOWED
            )
            return Decision(cell, Outcome.REFUSED, k, reason=reason)
        if cell in self.shown:
            return Decision(cell, Outcome.SHOWN, k, n=self.shown[cell])
        reason = self.hidden.get(cell, Reason.TOO_FEW)  # no answers at all looks like too few
        for ancestor in self.tree.ancestors(group):
            up = Cell(ancestor, cell.filters)
            if up in self.shown:
                return Decision(
                    cell,
                    Outcome.ROLLED_UP,
                    k,
                    n=self.shown[up],
                    reason=reason,
                    rolled_up_into=ancestor,
                    rolled_up_name=self.tree.name(ancestor),
                )
        return Decision(cell, Outcome.SUPPRESSED, k, reason=reason)


# --- The decision ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Sum:
    """`whole` = its `parts` + `attached` answers that are in no part (people attached to the
    group itself, not to a child group). `attached` is never shown on its own."""

    whole: Cell
    parts: tuple[Cell, ...]
    attached: int


def publish(
    population: Population,
    thresholds: Thresholds | None = None,
    *,
    kind: ResultKind = ResultKind.SCORES,
    max_filters: int | None = None,
) -> Publication:
    """Decide every cell of one item's universe (see the module docstring)."""
    thresholds = thresholds or Thresholds()
    k = thresholds.k(kind)
    dims = population.dimensions
    limit = len(dims) if max_filters is None else max_filters
    if kind is ResultKind.COMMENTS:
        limit = min(limit, 1)
    if not 0 <= limit <= len(dims):
        raise ValueError(f"max_filters must be between 0 and {len(dims)}.")

    atoms = sorted((atom, n) for atom, n in population.atoms.items() if n > 0)
    sizes = np.array([n for _, n in atoms], dtype=float)
    counts: dict[Cell, int] = defaultdict(int)
    members: dict[Cell, list[int]] = defaultdict(list)
    for index, ((group, values), n) in enumerate(atoms):
        if group not in population.tree:
            raise ValueError(f"Answers sit in an unknown group {group!r}.")
        for ancestor in [group, *population.tree.ancestors(group)]:
            for size in range(limit + 1):
                for chosen in itertools.combinations(range(len(dims)), size):
                    cell = Cell(ancestor, tuple((dims[i], values[i]) for i in chosen))
                    counts[cell] += n
                    members[cell].append(index)

    sums = _sums(population, counts, limit)
    # Cells with exactly the same answers (a department with a single team in it) are one figure:
    # whatever hides one hides the others.
    by_members: dict[tuple[int, ...], list[Cell]] = defaultdict(list)
    for cell in sorted(counts):
        by_members[tuple(members[cell])].append(cell)
    twins = {cell: same for same in by_members.values() for cell in same}
    hidden: dict[Cell, Reason] = {c: Reason.TOO_FEW for c, n in counts.items() if n < k}
    _protect(sums, counts, hidden, k, twins)
    while True:
        shown = sorted(c for c in counts if c not in hidden)
        leaks = _find_differencing(shown, members, sizes, k)
        if not leaks:
            break
        victims: set[Cell] = set()
        for used in leaks:  # one cell per leak, the smallest; leaks already broken are skipped
            if victims.isdisjoint(used):
                victims.add(min(used, key=lambda c: (counts[c], c)))
        for victim in sorted(victims):
            for twin in twins[victim]:
                hidden[twin] = Reason.DIFFERENCING
        _protect(sums, counts, hidden, k, twins)

    return Publication(
        kind=kind,
        threshold=k,
        tree=population.tree,
        dimensions=dims,
        max_filters=limit,
        shown={c: n for c, n in sorted(counts.items()) if c not in hidden},
        hidden=dict(sorted(hidden.items())),
    )


def _sums(population: Population, counts: Mapping[Cell, int], limit: int) -> list[_Sum]:
    """Every way a cell with answers splits into parts: by child group, by each open attribute."""
    values: dict[str, set[str]] = defaultdict(set)
    for _, atom_values in population.atoms:
        for dim, value in zip(population.dimensions, atom_values, strict=True):
            values[dim].add(value)
    sums = []
    # Coarsest first (nearest the root, fewest filters): once a whole is hidden its own parts need
    # no protection, so deciding from the top down hides fewer cells.
    depth = {key: len(population.tree.ancestors(key)) for key in population.tree.group_keys()}
    for whole in sorted(counts, key=lambda c: (depth[c.group], len(c.filters), c)):
        children = tuple(
            Cell(child, whole.filters)
            for child in population.tree.children(whole.group)
            if Cell(child, whole.filters) in counts
        )
        if children:
            attached = counts[whole] - sum(counts[c] for c in children)
            sums.append(_Sum(whole, children, attached))
        if len(whole.filters) < limit:
            taken = {a for a, _ in whole.filters}
            for dim in population.dimensions:
                if dim in taken:
                    continue
                parts = tuple(
                    part
                    for value in sorted(values[dim])
                    if (part := Cell(whole.group, filters_of((*whole.filters, (dim, value)))))
                    in counts
                )
                sums.append(_Sum(whole, parts, 0))
    return sums


def _protect(
    sums: list[_Sum],
    counts: Mapping[Cell, int],
    hidden: dict[Cell, Reason],
    k: int,
    twins: Mapping[Cell, list[Cell]],
) -> None:
    """Complementary suppression until every shown sum's hidden parts total 0 or at least k."""
    changed = True
    while changed:
        changed = False
        for split in sums:
            if split.whole in hidden:
                continue
            hidden_total = split.attached + sum(counts[p] for p in split.parts if p in hidden)
            if 0 < hidden_total < k:
                visible = sorted((counts[p], p) for p in split.parts if p not in hidden)
                for twin in twins[visible[0][1] if visible else split.whole]:
                    hidden.setdefault(twin, Reason.COMPLEMENTARY)
                changed = True


_PRIME = 2_147_483_647  # arithmetic modulo this prime keeps the linear algebra exact
_HALF_LIMIT = 2_000_000  # half-sets listed before handing the search to the solver
_MATCH_LIMIT = 5_000_000  # hash matches checked before handing the search to the solver
_SOLVER_SECONDS = 60.0
_LEAKS_PER_ROUND = 20


def _find_differencing(
    shown: list[Cell], members: Mapping[Cell, list[int]], sizes: np.ndarray, k: int
) -> list[list[Cell]]:
    """For each combination found that isolates 1..k-1 answers, the shown cells it uses (up to
    _LEAKS_PER_ROUND of them, smallest sets first); [] when there is none.

    The attacker learns sum_c y_c * cell_c for any coefficients y. That isolates a set of answers
    U when the combination is 1 on U and 0 elsewhere. Answers that sit in exactly the same shown
    cells can never be told apart, so they are pooled into regions; a region with k or more
    answers can never be inside U, so U is a set of at most k - 1 small regions. The indicator of
    U is a combination of the shown cells exactly when every vector orthogonal to all of them (the
    null space, computed exactly modulo a large prime) sums to 0 over U. Meet in the middle: every
    U splits into two halves of at most ceil((k-1)/2) regions whose sums cancel, so the halves are
    listed once and matched by a hash (each match is then checked in full). When there are too
    many halves, a binary program (scipy's HiGHS) over the same cells answers instead; if it
    cannot finish in time, the cells are treated as leaking, which only hides more.
    """
    if not shown:
        return []
    rows_of: dict[int, list[int]] = defaultdict(list)
    for r, cell in enumerate(shown):
        for j in members[cell]:
            rows_of[j].append(r)
    regions: dict[tuple[int, ...], int] = defaultdict(int)
    for j, rows in rows_of.items():
        regions[tuple(rows)] += int(sizes[j])
    keys = sorted(regions)
    weight = np.array([regions[key] for key in keys], dtype=np.int64)
    small = [int(i) for i in np.flatnonzero(weight < k)]
    if not small:
        return []
    matrix = np.zeros((len(shown), len(keys)), dtype=np.int64)
    for i, key in enumerate(keys):
        matrix[list(key), i] = 1
    distinct = np.unique(matrix, axis=0)
    checks = _null_space_mod_p(distinct)[:, small]  # U is leaked iff these columns sum to 0 on U
    leaks = []
    for found in _zero_sum_sets(checks, weight[small], k, lambda: _by_solver(distinct, weight, k)):
        target = np.zeros(len(keys))
        target[[small[i] for i in found]] = 1.0
        # Which shown cells the isolating combination uses (a least-squares solution; sparse and
        # iterative, so it stays quick however many cells there are).
        solution = lsqr(csr_array(distinct.T.astype(float)), target, atol=1e-12, btol=1e-12)[0]
        used = {tuple(distinct[i]) for i in np.flatnonzero(np.abs(solution) > 1e-6)}
        cells = [cell for r, cell in enumerate(shown) if tuple(matrix[r]) in used]
        leaks.append(
            cells or [c for r, c in enumerate(shown) if matrix[r, [small[i] for i in found]].any()]
        )
    return leaks


def _null_space_mod_p(matrix: np.ndarray) -> np.ndarray:
    """A basis (as rows) of {z : matrix @ z = 0 (mod p)}, by Gaussian elimination modulo p."""
    work = matrix.astype(np.int64) % _PRIME
    n_rows, n_cols = work.shape
    pivots: list[int] = []
    row = 0
    for col in range(n_cols):
        if row == n_rows:
            break
        candidates = np.flatnonzero(work[row:, col])
        if candidates.size == 0:
            continue
        found = row + int(candidates[0])
        if found != row:
            work[[row, found]] = work[[found, row]]
        work[row] = work[row] * pow(int(work[row, col]), _PRIME - 2, _PRIME) % _PRIME
        others = np.flatnonzero(work[:, col])
        others = others[others != row]
        if others.size:
            factors = work[others, col : col + 1]
            work[others] = (work[others] - factors * work[row]) % _PRIME
        pivots.append(col)
        row += 1
    free = [c for c in range(n_cols) if c not in set(pivots)]
    basis = np.zeros((len(free), n_cols), dtype=np.int64)
    for i, f in enumerate(free):
        basis[i, f] = 1
        for r, p in enumerate(pivots):
            basis[i, p] = (-work[r, f]) % _PRIME
    return basis


def _zero_sum_sets(
    checks: np.ndarray, weight: np.ndarray, k: int, by_solver: Callable[[], list[list[int]]]
) -> list[list[int]]:
    """Sets of columns (of at most k - 1 answers in all) summing to 0 modulo p: those with the
    fewest columns, then the fewest answers, then the lowest columns first."""
    count = checks.shape[1]
    # The hash: a fixed random combination of the rows, modulo p, with factors spread over all of
    # 1..p-1 (so sparse columns do not collide). Each factor is split as high * 2**16 + low so
    # every sum stays inside int64 (fewer than 2**15 rows). Equal hashes are only candidates:
    # each is checked in full.
    rows = checks.shape[0]
    if rows >= 2**15:
        return by_solver()
    mix = np.random.default_rng(2026).integers(1, _PRIME, size=rows, dtype=np.int64)
    mix_high, mix_low = mix >> 16, mix & 0xFFFF
    hashes = ((((mix_high @ checks) % _PRIME) << 16) + (mix_low @ checks) % _PRIME) % _PRIME
    weight = weight.astype(np.int64)
    half = k // 2  # a set of at most k - 1 columns splits into two halves of at most k // 2
    parts = [np.arange(count).reshape(-1, 1)]
    if half >= 2:
        first, second = np.triu_indices(count, 1)
        parts.append(np.column_stack([first, second]))
    for size in range(3, half + 1):
        parts.append(np.array(list(itertools.combinations(range(count), size))).reshape(-1, size))
        if sum(len(p) for p in parts) > _HALF_LIMIT:
            return by_solver()
    columns = np.full((sum(len(p) for p in parts), max(1, half)), -1, dtype=np.int64)
    row = 0
    for part in parts:
        columns[row : row + len(part), : part.shape[1]] = part
        row += len(part)
    inside = columns >= 0
    answers = np.where(inside, weight[columns], 0).sum(axis=1)
    hashed = np.where(inside, hashes[columns], 0).sum(axis=1) % _PRIME
    keep = answers <= k - 1
    columns, inside, answers, hashed = columns[keep], inside[keep], answers[keep], hashed[keep]
    if len(columns) > _HALF_LIMIT:
        return by_solver()

    candidates: list[tuple[int, ...]] = [
        tuple(int(c) for c in columns[i][inside[i]]) for i in np.flatnonzero(hashed == 0)
    ]
    order = np.argsort(hashed, kind="stable")
    ordered = hashed[order]
    wanted = (-hashed) % _PRIME
    low = np.searchsorted(ordered, wanted, side="left")
    high = np.searchsorted(ordered, wanted, side="right")
    matches = high - low
    if matches.sum() > _MATCH_LIMIT:
        return by_solver()
    a = np.repeat(np.arange(len(columns)), matches)
    starts = np.repeat(low, matches)
    steps = np.arange(len(a)) - np.repeat(np.cumsum(matches) - matches, matches)
    b = order[starts + steps]
    fine = (a < b) & (answers[a] + answers[b] <= k - 1)
    a, b = a[fine], b[fine]
    overlap = ((columns[a][:, :, None] == columns[b][:, None, :]) & inside[a][:, :, None]).any(
        axis=(1, 2)
    )
    for i, j in zip(a[~overlap], b[~overlap], strict=True):
        candidates.append(tuple(sorted({*columns[i][inside[i]], *columns[j][inside[j]]})))
    found = []
    for union in sorted(set(candidates), key=lambda u: (len(u), int(weight[list(u)].sum()), u)):
        if np.all(checks[:, list(union)].sum(axis=1) % _PRIME == 0):
            found.append([int(c) for c in union])
            if len(found) == _LEAKS_PER_ROUND:
                break
    return found


def _by_solver(distinct: np.ndarray, weight: np.ndarray, k: int) -> list[list[int]]:
    """The same search as a binary program over the rationals (HiGHS): coefficients y (free) for
    the distinct shown cells, u in {0, 1} for the small regions, y @ cells = u on small regions and
    0 on large ones, 1 <= answers in u <= k - 1. Returns positions among the small regions."""
    small = np.flatnonzero(weight < k)
    n_cells, n_regions, n_small = distinct.shape[0], distinct.shape[1], len(small)
    equal = np.hstack([distinct.T.astype(float), np.zeros((n_regions, n_small))])
    equal[small, n_cells + np.arange(n_small)] = -1.0
    cost = np.concatenate([np.zeros(n_cells), weight[small].astype(float)])
    result = milp(
        c=cost,
        constraints=[
            LinearConstraint(equal, 0, 0),
            LinearConstraint(cost.reshape(1, -1), 1, k - 1),
        ],
        integrality=np.concatenate([np.zeros(n_cells), np.ones(n_small)]),
        bounds=Bounds(
            np.concatenate([np.full(n_cells, -np.inf), np.zeros(n_small)]),
            np.concatenate([np.full(n_cells, np.inf), np.ones(n_small)]),
        ),
        options={"time_limit": _SOLVER_SECONDS},
    )
    if result.status == 2:  # infeasible: nothing small can be isolated
        return []
    if result.status != 0 or result.x is None:  # out of time: stay on the safe side
        return [[int(i) for i in np.argsort(weight[small], kind="stable")[:1]]]
    return [[int(i) for i in np.flatnonzero(np.round(result.x[n_cells:]))]]
