"""The graph drawn as SVG: every node and edge once, next nodes highlighted, loops drawn."""

from __future__ import annotations

import re
from typing import TypedDict

from cairngraph.graph import END, START, StateGraph
from cairngraph.inspector._drawing import graph_svg
from tests.inspector.flows import builder


class Count(TypedDict):
    n: int


def _loop() -> StateGraph:
    graph = StateGraph(Count)
    graph.add_node("work", lambda s: {"n": s["n"] + 1})
    graph.add_node("check", lambda s: {})
    graph.add_edge(START, "work")
    graph.add_edge("work", "check")
    graph.add_conditional_edges(
        "check", lambda s: "again" if s["n"] < 3 else "done", {"again": "work", "done": END}
    )
    return graph


def test_every_node_and_edge_once_with_highlight() -> None:
    drawable = builder.compile().get_graph()
    svg = graph_svg(drawable, highlight=("review",))
    nodes = re.findall(r'<g class="([a-z ]+)" data-node="([^"]+)">', svg)
    assert sorted(name for _, name in nodes) == sorted(drawable.nodes)
    assert ("node next", "review") in nodes and ("node", "write") in nodes
    edges = re.findall(r'data-source="([^"]+)" data-target="([^"]+)"', svg)
    assert sorted(edges) == sorted((e.source, e.target) for e in drawable.edges)


def test_a_loop_curves_back_and_labels_show() -> None:
    drawable = _loop().compile().get_graph()
    svg = graph_svg(drawable)
    back = re.search(r'data-source="check" data-target="work"><path d="M[\d.,]+ C', svg)
    assert back is not None  # drawn as a curve around the side, not through the boxes
    assert 'stroke-dasharray="5 4"' in svg and ">again</text>" in svg and ">done</text>" in svg
    work_y = int(re.search(r'data-node="work"><rect x="\d+" y="(\d+)"', svg).group(1))  # type: ignore[union-attr]
    check_y = int(re.search(r'data-node="check"><rect x="\d+" y="(\d+)"', svg).group(1))  # type: ignore[union-attr]
    assert check_y > work_y
