"""The role-play scenario as an SVG diagram, drawn on the server for the Wagtail admin.

Layered layout: each step sits on the row of its breadth-first depth from the start; steps the
start cannot reach (an invalid draft) go on a last row, and replies pointing at missing steps end
on a dashed "missing" box. Boxes show the step key and the start of the customer's line; arrows
carry the reply key and its points. Critical replies are drawn dashed and labelled "critical"
(not by colour alone); end steps have a double border and their outcome.

Every piece of authored text is escaped before it enters the markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from wagtail.admin.panels import Panel

from training.scenario import CHOICE, END, FREE, Graph, Step, depths, validate

BOX_W = 190
BOX_H = 74
H_GAP = 80
V_GAP = 96
MARGIN = 24
LOOP_OFFSET = 60
TEXT_CHARS = 30

OUTCOME_LABELS = {"resolved": "Resolved", "escalated": "Escalated", "lost": "Customer lost"}
KIND_LABELS = {CHOICE: "Choice", FREE: "Free response", END: "End"}


@dataclass(frozen=True)
class Box:
    key: str
    x: int
    y: int
    step: Step | None  # None: a missing step a reply points at


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str
    critical: bool


def _short(text: str, limit: int = TEXT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _points(points: int) -> str:
    return f"+{points}" if points > 0 else ("0" if points == 0 else f"−{abs(points)}")


def layout(graph: Graph) -> tuple[dict[str, Box], list[Edge], int, int]:
    """Boxes by key, edges, and the drawing's width and height."""
    by_depth = depths(graph)
    missing: list[str] = []
    edges: list[Edge] = []
    seen_steps: set[str] = set()
    for step in graph.steps:
        if step.key in seen_steps:
            continue
        seen_steps.add(step.key)
        if step.kind == CHOICE:
            for reply in step.replies:
                label = f"{reply.key} ({_points(reply.points)})"
                if reply.critical:
                    label += " ✕ critical"
                edges.append(Edge(step.key, reply.target, label, reply.critical))
                if graph.step(reply.target) is None and reply.target not in missing:
                    missing.append(reply.target)
        elif step.kind == FREE and step.next:
            edges.append(Edge(step.key, step.next, "free response", False))
            if graph.step(step.next) is None and step.next not in missing:
                missing.append(step.next)

    rows: dict[int, list[tuple[str, Step | None]]] = {}
    deepest = max(by_depth.values(), default=-1)
    for key, depth in sorted(by_depth.items(), key=lambda item: item[1]):
        rows.setdefault(depth, []).append((key, graph.step(key)))
    stray = [step for step in graph.by_key.values() if step.key not in by_depth]
    if stray or missing:
        extra = deepest + 1
        for stray_step in stray:
            rows.setdefault(extra, []).append((stray_step.key, stray_step))
        for key in missing:
            rows.setdefault(extra, []).append((key, None))

    widest = max((len(row) for row in rows.values()), default=1)
    width = MARGIN * 2 + widest * BOX_W + (widest - 1) * H_GAP + LOOP_OFFSET * 2
    boxes: dict[str, Box] = {}
    for depth, row in rows.items():
        row_width = len(row) * BOX_W + (len(row) - 1) * H_GAP
        left = (width - row_width) // 2
        for position, (key, row_step) in enumerate(row):
            boxes[key] = Box(
                key, left + position * (BOX_W + H_GAP), MARGIN + depth * (BOX_H + V_GAP), row_step
            )
    height = MARGIN * 2 + max(len(rows), 1) * (BOX_H + V_GAP) - V_GAP + 20
    return boxes, edges, width, height


def _text(x: float, y: float, text: str, css: str, anchor: str = "middle") -> str:
    return (
        f'<text x="{x:.0f}" y="{y:.0f}" class="{css}" text-anchor="{anchor}">{escape(text)}</text>'
    )


def _box_svg(box: Box) -> str:
    cx = box.x + BOX_W / 2
    parts = []
    if box.step is None:
        parts.append(
            f'<rect x="{box.x}" y="{box.y}" width="{BOX_W}" height="{BOX_H}" rx="6" '
            'class="sd-box sd-missing"/>'
        )
        parts.append(_text(cx, box.y + 30, f"missing step '{box.key}'", "sd-key"))
        parts.append(_text(cx, box.y + 52, "No step has this key", "sd-line"))
        return "".join(parts)
    step = box.step
    kind = step.kind if step.kind in KIND_LABELS else CHOICE
    parts.append(
        f'<rect x="{box.x}" y="{box.y}" width="{BOX_W}" height="{BOX_H}" rx="6" '
        f'class="sd-box sd-{kind}{" sd-lost" if step.outcome == "lost" else ""}"/>'
    )
    if step.kind == END:
        parts.append(
            f'<rect x="{box.x + 4}" y="{box.y + 4}" width="{BOX_W - 8}" height="{BOX_H - 8}" '
            'rx="4" class="sd-inner"/>'
        )
    title = step.key or "(no key)"
    if step.start:
        title = f"▶ Start: {title}"
    parts.append(_text(cx, box.y + 22, title, "sd-key"))
    if step.kind == END:
        outcome = OUTCOME_LABELS.get(step.outcome, "no outcome")
        parts.append(_text(cx, box.y + 42, f"End · {outcome}", "sd-kind"))
    else:
        parts.append(_text(cx, box.y + 42, KIND_LABELS.get(step.kind, step.kind), "sd-kind"))
    line = step.customer_text or step.free_prompt
    if line:
        parts.append(_text(cx, box.y + 61, f"“{_short(line)}”", "sd-line"))
    return "".join(parts)


@dataclass(frozen=True)
class Arrow:
    """Replies sharing a source, a target and criticality: one arrow, one label line each."""

    source: str
    target: str
    labels: tuple[str, ...]
    critical: bool


def _arrows(edges: list[Edge]) -> list[Arrow]:
    grouped: dict[tuple[str, str, bool], list[str]] = {}
    for edge in edges:
        grouped.setdefault((edge.source, edge.target, edge.critical), []).append(edge.label)
    return [
        Arrow(source, target, tuple(labels), critical)
        for (source, target, critical), labels in grouped.items()
    ]


def _ports(arrows: list[Arrow], boxes: dict[str, Box]) -> dict[tuple[int, str], float]:
    """Where each downward arrow leaves its source and enters its target: spread along the box
    edge in the order of the other end's position, so arrows do not start on top of each other."""
    ports: dict[tuple[int, str], float] = {}
    outgoing: dict[str, list[int]] = {}
    incoming: dict[str, list[int]] = {}
    for number, arrow in enumerate(arrows):
        source, target = boxes.get(arrow.source), boxes.get(arrow.target)
        if source is None or target is None or target.y <= source.y:
            continue
        outgoing.setdefault(arrow.source, []).append(number)
        incoming.setdefault(arrow.target, []).append(number)
    for key, numbers in outgoing.items():
        numbers.sort(key=lambda n: (boxes[arrows[n].target].x, arrows[n].critical))
        for slot, number in enumerate(numbers):
            ports[(number, "out")] = boxes[key].x + BOX_W * (slot + 1) / (len(numbers) + 1)
    for key, numbers in incoming.items():
        numbers.sort(key=lambda n: (boxes[arrows[n].source].x, arrows[n].critical))
        for slot, number in enumerate(numbers):
            ports[(number, "in")] = boxes[key].x + BOX_W * (slot + 1) / (len(numbers) + 1)
    return ports


def _label_svg(x: float, y: float, lines: tuple[str, ...], critical: bool) -> str:
    css = "sd-label sd-label-critical" if critical else "sd-label"
    top = y - (len(lines) - 1) * 7
    return "".join(
        f'<text x="{x:.0f}" y="{top + 14 * n:.0f}" class="{css}" text-anchor="middle">'
        f"{escape(line)}</text>"
        for n, line in enumerate(lines)
    )


def _arrow_svg(
    number: int,
    arrow: Arrow,
    boxes: dict[str, Box],
    ports: dict[tuple[int, str], float],
    marker: str,
) -> tuple[str, str]:
    """The arrow and its label (drawn after the boxes so no box hides it)."""
    source, target = boxes.get(arrow.source), boxes.get(arrow.target)
    if source is None or target is None:
        return "", ""
    css = "sd-edge sd-critical" if arrow.critical else "sd-edge"
    x1: float
    y1: float
    x2: float
    y2: float
    if target.y > source.y:
        x1, y1 = ports[(number, "out")], source.y + BOX_H
        x2, y2 = ports[(number, "in")], target.y
        path = f"M{x1:.0f},{y1:.0f} L{x2:.0f},{y2:.0f}"
        lx, ly = x1 + (x2 - x1) * 0.45, y1 + (y2 - y1) * 0.45
    elif target.y == source.y and target.key != source.key:
        # The same row: a straight arrow between the facing sides.
        left_to_right = target.x > source.x
        x1 = source.x + BOX_W if left_to_right else source.x
        x2 = target.x if left_to_right else target.x + BOX_W
        y1 = y2 = source.y + BOX_H / 2
        path = f"M{x1:.0f},{y1:.0f} L{x2:.0f},{y2:.0f}"
        lx, ly = (x1 + x2) / 2, y1 - 10
    else:
        # Back to an earlier row (or to itself): loop out on the right of both boxes.
        x1, y1 = source.x + BOX_W, source.y + BOX_H / 2 + 8
        x2, y2 = target.x + BOX_W, target.y + BOX_H / 2 - 8
        bend = max(x1, x2) + LOOP_OFFSET
        path = f"M{x1:.0f},{y1:.0f} C{bend:.0f},{y1:.0f} {bend:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
        lx, ly = bend - 4, (y1 + y2) / 2
    line = f'<path d="{path}" class="{css}" marker-end="url(#{marker})"/>'
    return line, _label_svg(lx, ly, arrow.labels, arrow.critical)


STYLE = """
.sd-box{fill:#fff;stroke:#3d4852;stroke-width:1.5}
.sd-free{fill:#f3f0ff}
.sd-end{fill:#eefaf1;stroke-width:2}
.sd-end.sd-lost{fill:#fff1f0}
.sd-inner{fill:none;stroke:#3d4852;stroke-width:1}
.sd-missing{fill:#fff5f5;stroke:#b42318;stroke-dasharray:6 4}
.sd-key{font:600 13px sans-serif;fill:#111}
.sd-kind{font:12px sans-serif;fill:#3d4852}
.sd-line{font:italic 11px sans-serif;fill:#444}
.sd-edge{fill:none;stroke:#555;stroke-width:1.4}
.sd-critical{stroke:#b42318;stroke-width:2;stroke-dasharray:7 4}
.sd-label{font:11px sans-serif;fill:#222;paint-order:stroke;stroke:#fff;stroke-width:4px}
.sd-label-critical{fill:#b42318;font-weight:700}
"""


def scenario_svg(
    graph: Graph, *, title: str = "Scenario diagram", id_prefix: str = "sd"
) -> SafeString:
    """The whole diagram as inline SVG markup (safe: all authored text is escaped)."""
    safe_prefix = "".join(ch for ch in id_prefix if ch.isalnum() or ch in "-_") or "sd"
    marker = f"{safe_prefix}-arrow"
    boxes, edges, width, height = layout(graph)
    description = (
        f"{len(graph.steps)} steps and {len(edges)} replies. Each row is one reply further from "
        "the start. Critical replies are dashed and labelled critical."
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="scenario-diagram" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{safe_prefix}-title {safe_prefix}-desc">',
        f'<title id="{safe_prefix}-title">{escape(title)}</title>',
        f'<desc id="{safe_prefix}-desc">{escape(description)}</desc>',
        f"<style>{STYLE}</style>",
        f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" '
        'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    ]
    if not graph.steps:
        parts.append(_text(width / 2, MARGIN + 20, "No steps yet", "sd-kind"))
    arrows = _arrows(edges)
    ports = _ports(arrows, boxes)
    drawn = [_arrow_svg(number, arrow, boxes, ports, marker) for number, arrow in enumerate(arrows)]
    parts.extend(arrow for arrow, _ in drawn)
    parts.extend(_box_svg(box) for box in boxes.values())
    parts.extend(label for _, label in drawn)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every authored string above is escaped


class ScenarioDiagramPanel(Panel):
    """The editor's "Diagram" tab: the scenario's last saved steps as a diagram, with the
    problems that would stop it from publishing."""

    @property
    def clean_name(self) -> str:
        return super().clean_name or "scenario_diagram"

    class BoundPanel(Panel.BoundPanel):
        template_name = "training/pages/diagram_panel.html"

        def get_context_data(self, parent_context: dict[str, Any] | None = None) -> dict[str, Any]:
            context: dict[str, Any] = super().get_context_data(parent_context)
            graph = self.instance.graph()
            context["graph"] = graph
            context["problems"] = validate(graph)
            context["diagram"] = scenario_svg(
                graph, title=f"Diagram of {self.instance.title or 'the scenario'}"
            )
            return context
