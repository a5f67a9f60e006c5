"""The scenario diagram (training.diagram): layered by depth, authored text escaped, critical
replies and end steps marked by more than colour, broken drafts still drawn."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given, settings

from tests.training.test_scenario import choice, end, refund_graph, reply
from tests.training.test_scenario_properties import random_graphs
from training.diagram import BOX_H, V_GAP, layout, scenario_svg
from training.scenario import Graph, Reply, Step

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 - our own output


def texts(root: ET.Element) -> list[str]:
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def test_steps_sit_on_rows_by_their_distance_from_the_start() -> None:
    boxes, _, _, _ = layout(refund_graph())
    row = BOX_H + V_GAP
    assert boxes["greet"].y == boxes["offer"].y - row
    assert boxes["offer"].y == boxes["angry"].y
    assert boxes["happy"].y == boxes["lost"].y == boxes["greet"].y + 2 * row


def test_the_diagram_is_well_formed_svg_with_a_title_and_description() -> None:
    root = parse(scenario_svg(refund_graph(), title="Refund role-play"))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Refund role-play"  # type: ignore[union-attr]
    assert "6 steps and 6 replies" in root.find(f"{SVG}desc").text  # type: ignore[union-attr, operator]


def test_boxes_show_the_step_key_and_the_start_and_arrows_carry_reply_points() -> None:
    labels = texts(parse(scenario_svg(refund_graph())))
    assert "▶ Start: greet" in labels
    assert "apologise (+5)" in labels
    assert "argue (−3)" in labels
    assert "“greet?”" in labels


def test_critical_replies_are_dashed_and_labelled_not_only_coloured() -> None:
    root = parse(scenario_svg(refund_graph()))
    critical = [
        path for path in root.iter(f"{SVG}path") if "sd-critical" in (path.get("class") or "")
    ]
    assert len(critical) == 1
    assert "hang-up (−5) ✕ critical" in texts(root)
    assert "stroke-dasharray" in root.find(f"{SVG}style").text  # type: ignore[union-attr, operator]


def test_end_steps_show_their_outcome_in_words() -> None:
    labels = texts(parse(scenario_svg(refund_graph())))
    assert "End · Resolved" in labels
    assert "End · Escalated" in labels
    assert "End · Customer lost" in labels


def test_authored_text_is_escaped() -> None:
    graph = Graph(
        (
            Step(
                key='a"><script>alert(1)</script>',
                kind="choice",
                start=True,
                customer_text="<img src=x onerror=alert(1)> & more",
                replies=(
                    Reply(key="<b>", text="x", target="z"),
                    Reply(key="y", text="y", target="z"),
                ),
            ),
            end("z"),
        )
    )
    markup = str(scenario_svg(graph, title="</title><script>"))
    assert "<script>" not in markup
    assert "<img" not in markup
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; more"[:20] in markup
    root = parse(markup)
    assert any('a"><script>alert(1)</script>' in label for label in texts(root))


def test_a_reply_to_a_missing_step_points_at_a_dashed_missing_box() -> None:
    graph = Graph((choice("a", reply("x", "gone"), reply("y", "z"), start=True), end("z")))
    root = parse(scenario_svg(graph))
    assert "missing step 'gone'" in texts(root)
    assert any("sd-missing" in (rect.get("class") or "") for rect in root.iter(f"{SVG}rect"))


def test_unreachable_steps_are_still_drawn_on_a_last_row() -> None:
    graph = Graph(
        (
            choice("a", reply("x", "z"), reply("y", "z"), start=True),
            end("z"),
            choice("island", reply("x", "z"), reply("y", "z")),
        )
    )
    boxes, _, _, _ = layout(graph)
    assert boxes["island"].y > boxes["z"].y


def test_a_loop_back_is_drawn_as_a_curve() -> None:
    graph = Graph((choice("a", reply("again", "a"), reply("done", "z"), start=True), end("z")))
    paths = [p.get("d") or "" for p in parse(scenario_svg(graph)).iter(f"{SVG}path")]
    assert any(" C" in d for d in paths)


def test_an_empty_scenario_draws_a_placeholder() -> None:
    assert "No steps yet" in texts(parse(scenario_svg(Graph())))


def test_the_id_prefix_is_sanitised() -> None:
    markup = str(scenario_svg(refund_graph(), id_prefix='x" onload="alert(1)'))
    assert 'onload="' not in markup


@settings(max_examples=150)
@given(random_graphs())
def test_any_graph_draws_as_well_formed_svg(graph: Graph) -> None:
    root = parse(scenario_svg(graph))
    assert root.tag == f"{SVG}svg"
