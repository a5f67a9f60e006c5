"""The role-play scenario graph, apart from Wagtail and the ORM.

A scenario is a directed graph of steps. A *choice* step offers replies, each pointing at a target
step; a *free* step asks for a written response (graded later against framework criteria) and moves
on to its `next` step; an *end* step carries an outcome and a debrief.

`validate` lists every problem, naming the step, so publishing can be refused with messages the
trainer can act on. The other functions assume a valid graph but never crash on an invalid one.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

CHOICE = "choice"
FREE = "free"
END = "end"
KINDS = (CHOICE, FREE, END)

RESOLVED = "resolved"
ESCALATED = "escalated"
LOST = "lost"
OUTCOMES = (RESOLVED, ESCALATED, LOST)
# The better the outcome, the lower the rank: the best path prefers a resolved end, then an
# escalated one (some situations must be escalated), then a lost customer.
OUTCOME_RANK = {RESOLVED: 0, ESCALATED: 1, LOST: 2}

# Depth-first search over simple paths is exponential on dense cyclic graphs; authored scenarios
# are small, and past this many expansions the best path found so far is returned.
SEARCH_BUDGET = 200_000


@dataclass(frozen=True)
class Reply:
    key: str
    text: str
    target: str
    points: int = 0
    feedback: str = ""
    critical: bool = False


@dataclass(frozen=True)
class Step:
    key: str
    kind: str = CHOICE
    start: bool = False
    customer_text: str = ""
    replies: tuple[Reply, ...] = ()
    free_prompt: str = ""
    criteria: tuple[str, ...] = ()
    next: str = ""
    outcome: str = ""
    debrief: str = ""

    def reply(self, key: str) -> Reply | None:
        for reply in self.replies:
            if reply.key == key:
                return reply
        return None

    def targets(self) -> tuple[str, ...]:
        """Step keys this step leads to, in authored order (may name missing steps)."""
        if self.kind == CHOICE:
            return tuple(reply.target for reply in self.replies)
        if self.kind == FREE:
            return (self.next,) if self.next else ()
        return ()


@dataclass(frozen=True)
class Graph:
    steps: tuple[Step, ...] = ()

    @cached_property
    def by_key(self) -> dict[str, Step]:
        """The first step with each key (duplicates are a validation problem)."""
        found: dict[str, Step] = {}
        for step in self.steps:
            found.setdefault(step.key, step)
        return found

    def step(self, key: str) -> Step | None:
        return self.by_key.get(key)

    @property
    def start(self) -> Step | None:
        starts = [step for step in self.steps if step.start]
        return starts[0] if len(starts) == 1 else None

    def successors(self, step: Step) -> Iterator[Step]:
        """Existing steps this step leads to, each once, in authored order."""
        seen: set[str] = set()
        for key in step.targets():
            target = self.by_key.get(key)
            if target is not None and key not in seen:
                seen.add(key)
                yield target


@dataclass(frozen=True)
class Problem:
    step_key: str | None
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Path:
    """A walk from the start to an end: (step key, reply key or None) pairs, the end step last."""

    moves: tuple[tuple[str, str | None], ...]
    points: int
    outcome: str

    @property
    def step_keys(self) -> tuple[str, ...]:
        return tuple(step_key for step_key, _ in self.moves)

    @property
    def length(self) -> int:
        return len(self.moves)


@dataclass
class _Search:
    graph: Graph
    best: Path | None = None
    budget: int = SEARCH_BUDGET
    ranking: bool = True
    _on_path: set[str] = field(default_factory=set)


def _name(key: str) -> str:
    return f"Step '{key}'" if key else "A step without a key"


def validate(graph: Graph, *, criterion_keys: Iterable[str] | None = None) -> list[Problem]:
    """Every problem that stops the scenario from publishing, each naming its step.

    `criterion_keys`, when given, are the keys free-response steps may be graded against (the
    framework's current criteria).
    """
    problems: list[Problem] = []
    if not graph.steps:
        return [Problem(None, "Add at least one step.")]
    known_criteria = None if criterion_keys is None else frozenset(criterion_keys)

    counts: dict[str, int] = {}
    for step in graph.steps:
        counts[step.key] = counts.get(step.key, 0) + 1
    for key, count in counts.items():
        if not key:
            problems.append(Problem(None, f"{count} step(s) have no key; give every step a key."))
        elif count > 1:
            problems.append(
                Problem(
                    key, f"{_name(key)}: the key is used by {count} steps; keys must be unique."
                )
            )

    starts = [step for step in graph.steps if step.start]
    if not starts:
        problems.append(Problem(None, "Mark one step as the start step."))
    elif len(starts) > 1:
        keys = ", ".join(f"'{step.key}'" for step in starts)
        for step in starts:
            problems.append(
                Problem(
                    step.key,
                    f"{_name(step.key)}: only one step can start the conversation "
                    f"(marked as start: {keys}).",
                )
            )
    elif starts[0].kind == END:
        problems.append(
            Problem(starts[0].key, f"{_name(starts[0].key)}: the start step cannot be an end step.")
        )

    for step in graph.steps:
        problems.extend(_step_problems(graph, step, known_criteria))

    start = graph.start
    if start is not None and start.kind != END:
        reachable = _reachable(graph, start)
        for step in graph.steps:
            if step.key and step.key not in reachable:
                problems.append(
                    Problem(step.key, f"{_name(step.key)}: cannot be reached from the start step.")
                )
        can_end = _can_reach_end(graph)
        for step in graph.steps:
            if step.key in reachable and step.key not in can_end:
                problems.append(
                    Problem(
                        step.key,
                        f"{_name(step.key)}: no path from here reaches an end step "
                        "(the conversation would loop or stop forever).",
                    )
                )
    return problems


def _step_problems(
    graph: Graph, step: Step, known_criteria: frozenset[str] | None
) -> list[Problem]:
    problems: list[Problem] = []
    name = _name(step.key)

    def problem(message: str) -> None:
        problems.append(Problem(step.key or None, f"{name}: {message}"))

    if step.kind not in KINDS:
        problem(f"unknown kind '{step.kind}' (choose a choice, free-response or end step).")
        return problems

    if step.kind == CHOICE:
        if len(step.replies) < 2:
            problem(f"a choice step needs at least two replies (it has {len(step.replies)}).")
        reply_counts: dict[str, int] = {}
        for reply in step.replies:
            reply_counts[reply.key] = reply_counts.get(reply.key, 0) + 1
        for key, count in reply_counts.items():
            if not key:
                problem("every reply needs a key.")
            elif count > 1:
                problem(f"the reply key '{key}' is used {count} times; reply keys must be unique.")
        for reply in step.replies:
            label = f"reply '{reply.key}'" if reply.key else "a reply"
            if not reply.target:
                problem(f"{label} has no target step.")
            elif reply.target not in graph.by_key:
                problem(f"{label} points at a missing step '{reply.target}'.")
            if not reply.text.strip():
                problem(f"{label} has no text.")
    elif step.kind == FREE:
        if step.replies:
            problem("a free-response step takes no replies; remove them or make it a choice step.")
        if not step.next:
            problem("a free-response step needs the key of the step that follows it.")
        elif step.next not in graph.by_key:
            problem(f"the next step '{step.next}' does not exist.")
        if not step.free_prompt.strip():
            problem("a free-response step needs a prompt for the agent.")
        if not step.criteria:
            problem("a free-response step needs at least one criterion to be graded against.")
        elif known_criteria is not None:
            unknown = [key for key in step.criteria if key not in known_criteria]
            if unknown:
                problem(
                    "unknown criteria "
                    + ", ".join(f"'{key}'" for key in unknown)
                    + " (not in the scenario's framework)."
                )
    else:
        if step.outcome not in OUTCOMES:
            problem("an end step needs an outcome (resolved, escalated or customer lost).")
        if step.replies:
            problem("an end step takes no replies.")
    return problems


def _reachable(graph: Graph, start: Step) -> set[str]:
    seen = {start.key}
    queue = deque([start])
    while queue:
        step = queue.popleft()
        for target in graph.successors(step):
            if target.key not in seen:
                seen.add(target.key)
                queue.append(target)
    return seen


def _can_reach_end(graph: Graph) -> set[str]:
    """Keys of steps from which some end step can be reached (backwards search from the ends)."""
    predecessors: dict[str, set[str]] = {}
    for step in graph.by_key.values():
        for target in graph.successors(step):
            predecessors.setdefault(target.key, set()).add(step.key)
    ends = [step.key for step in graph.by_key.values() if step.kind == END]
    seen = set(ends)
    queue = deque(ends)
    while queue:
        key = queue.popleft()
        for before in predecessors.get(key, ()):
            if before not in seen:
                seen.add(before)
                queue.append(before)
    return seen


def depths(graph: Graph) -> dict[str, int]:
    """Breadth-first depth of each step reachable from the start (the start is 0)."""
    start = graph.start
    if start is None:
        return {}
    found = {start.key: 0}
    queue = deque([start])
    while queue:
        step = queue.popleft()
        for target in graph.successors(step):
            if target.key not in found:
                found[target.key] = found[step.key] + 1
                queue.append(target)
    return found


def next_step(graph: Graph, step_key: str, reply_key: str | None = None) -> Step | None:
    """The step after answering `step_key` with `reply_key` (None for a free response).

    None when the step or reply does not exist, the step is an end, or the answer does not fit the
    step's kind: callers refuse such an answer (tampering or a stale page).
    """
    step = graph.step(step_key)
    if step is None:
        return None
    if step.kind == CHOICE:
        if reply_key is None:
            return None
        reply = step.reply(reply_key)
        return graph.step(reply.target) if reply is not None else None
    if step.kind == FREE:
        return graph.step(step.next) if reply_key is None else None
    return None


def walk_points(graph: Graph, moves: Sequence[tuple[str, str | None]]) -> int:
    """Points of the replies chosen along `moves` (free responses count 0 here: graded later)."""
    total = 0
    for step_key, reply_key in moves:
        step = graph.step(step_key)
        if step is None or reply_key is None:
            continue
        reply = step.reply(reply_key)
        if reply is not None:
            total += reply.points
    return total


def _better(candidate: Path, current: Path | None, *, ranking: bool) -> bool:
    if current is None:
        return True
    if ranking:
        a, b = OUTCOME_RANK.get(candidate.outcome, 9), OUTCOME_RANK.get(current.outcome, 9)
        if a != b:
            return a < b
    if candidate.points != current.points:
        return candidate.points > current.points
    return candidate.length < current.length


def _search(search: _Search, step: Step, moves: list[tuple[str, str | None]], points: int) -> None:
    if search.budget <= 0:
        return
    search.budget -= 1
    if step.kind == END:
        path = Path(tuple([*moves, (step.key, None)]), points, step.outcome)
        if _better(path, search.best, ranking=search.ranking):
            search.best = path
        return
    search._on_path.add(step.key)
    try:
        if step.kind == CHOICE:
            for reply in step.replies:
                target = search.graph.step(reply.target)
                if target is None or target.key in search._on_path:
                    continue
                moves.append((step.key, reply.key))
                _search(search, target, moves, points + reply.points)
                moves.pop()
        elif step.kind == FREE:
            target = search.graph.step(step.next)
            if target is not None and target.key not in search._on_path:
                moves.append((step.key, None))
                _search(search, target, moves, points)
                moves.pop()
    finally:
        search._on_path.discard(step.key)


def best_path(graph: Graph) -> Path | None:
    """The path a learner should aim for, replayed in the debrief.

    Among paths from the start that visit no step twice and end on an end step: the best outcome
    (resolved, else escalated, else lost), then the most points, then the fewest steps; the first
    authored reply wins remaining ties. None when no end can be reached.
    """
    start = graph.start
    if start is None:
        return None
    search = _Search(graph)
    _search(search, start, [], 0)
    return search.best


def max_points(graph: Graph) -> int:
    """The most reply points any path from the start to an end step can earn (0 if none)."""
    start = graph.start
    if start is None:
        return 0
    search = _Search(graph, ranking=False)
    _search(search, start, [], 0)
    return search.best.points if search.best is not None else 0
