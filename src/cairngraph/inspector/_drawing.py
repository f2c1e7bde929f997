"""A compiled graph drawn as inline SVG, on the server, with no script and no CDN.

Layout: each node gets a rank, its longest distance from ``__start__`` along
edges that do not close a cycle; nodes of one rank share a row. Edges that go
down are straight arrows; edges that go back up (loops) curve on the right, so
they never cross a box. Invariant: every node and edge of the
:class:`~cairngraph.graph.draw.DrawableGraph` appears exactly once, and the
nodes named in ``highlight`` carry the ``next`` class.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from html import escape

from cairngraph.constants import START
from cairngraph.graph.draw import DrawableGraph, Edge

__all__ = ["graph_svg"]

_WIDTH, _HEIGHT, _COLUMN_GAP, _ROW_GAP, _MARGIN = 150, 36, 30, 64, 20


@dataclass(frozen=True, slots=True)
class _Box:
    x: float
    y: float

    @property
    def center(self) -> float:
        return self.x + _WIDTH / 2


def _ranks(graph: DrawableGraph) -> dict[str, int]:
    """Longest-path ranks over the graph without its back edges (found by depth-first search)."""
    outgoing: dict[str, list[str]] = {node: [] for node in graph.nodes}
    for edge in graph.edges:
        outgoing.setdefault(edge.source, []).append(edge.target)
    order: list[str] = []
    state: dict[str, int] = {}
    back: set[tuple[str, str]] = set()

    def visit(node: str) -> None:
        state[node] = 1
        for target in outgoing.get(node, []):
            if state.get(target) == 1:
                back.add((node, target))
            elif target not in state:
                visit(target)
        state[node] = 2
        order.append(node)

    for node in (START, *graph.nodes):
        if node not in state:
            visit(node)
    rank = dict.fromkeys(outgoing, 0)
    for node in reversed(order):  # a topological order of the forward edges
        for target in outgoing.get(node, []):
            if (node, target) not in back:
                rank[target] = max(rank[target], rank[node] + 1)
    return rank


def _layout(graph: DrawableGraph) -> tuple[dict[str, _Box], float, float]:
    rank = _ranks(graph)
    rows: dict[int, list[str]] = {}
    for node in graph.nodes:
        rows.setdefault(rank.get(node, 0), []).append(node)
    widest = max((len(row) for row in rows.values()), default=1)
    width = widest * (_WIDTH + _COLUMN_GAP) - _COLUMN_GAP + 2 * _MARGIN + 60
    boxes: dict[str, _Box] = {}
    for level, row in rows.items():
        used = len(row) * (_WIDTH + _COLUMN_GAP) - _COLUMN_GAP
        start = (width - 60 - used) / 2
        for index, node in enumerate(row):
            boxes[node] = _Box(
                start + index * (_WIDTH + _COLUMN_GAP), _MARGIN + level * (_HEIGHT + _ROW_GAP)
            )
    height = _MARGIN * 2 + (max(rows, default=0) + 1) * (_HEIGHT + _ROW_GAP) - _ROW_GAP
    return boxes, width, height


def _edge(edge: Edge, boxes: dict[str, _Box], right: float) -> str:
    source, target = boxes[edge.source], boxes[edge.target]
    dash = ' stroke-dasharray="5 4"' if edge.conditional else ""
    if target.y > source.y:
        x1, y1, x2, y2 = source.center, source.y + _HEIGHT, target.center, target.y
        path = f"M{x1:.0f},{y1:.0f} L{x2:.0f},{y2 - 2:.0f}"
        lx, ly = (x1 + x2) / 2, (y1 + y2) / 2
    else:  # a loop back up, or a sideways edge: around the right side
        x1, y1 = source.x + _WIDTH, source.y + _HEIGHT / 2
        x2, y2 = target.x + _WIDTH, target.y + _HEIGHT / 2
        bend = right + 10
        path = f"M{x1:.0f},{y1:.0f} C{bend:.0f},{y1:.0f} {bend:.0f},{y2:.0f} {x2 + 2:.0f},{y2:.0f}"
        lx, ly = bend - 14, (y1 + y2) / 2
    label = ""
    if edge.label:
        label = f'<text class="edge-label" x="{lx:.0f}" y="{ly:.0f}">{escape(edge.label)}</text>'
    return (
        f'<g class="edge" data-source="{escape(edge.source)}" data-target="{escape(edge.target)}">'
        f'<path d="{path}" fill="none" stroke="#667" marker-end="url(#arrow)"{dash}/>{label}</g>'
    )


def graph_svg(graph: DrawableGraph, highlight: Collection[str] = ()) -> str:
    """The graph as an ``<svg>`` element; ``highlight`` nodes (a step's next nodes) stand out.

    Example::

        graph_svg(app.get_graph(), highlight=snapshot.next)
    """
    boxes, width, height = _layout(graph)
    right = max((box.x + _WIDTH for box in boxes.values()), default=0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="graph" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        'aria-label="graph">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#667"/></marker></defs>',
    ]
    parts.extend(_edge(edge, boxes, right) for edge in graph.edges)
    for node in graph.nodes:
        box = boxes[node]
        kind = "terminal" if node.startswith("__") else "node"
        classes = f"{kind} next" if node in highlight else kind
        radius = _HEIGHT / 2 if kind == "terminal" else 6
        parts.append(
            f'<g class="{classes}" data-node="{escape(node)}"><rect x="{box.x:.0f}" '
            f'y="{box.y:.0f}" width="{_WIDTH}" height="{_HEIGHT}" rx="{radius:.0f}"/>'
            f'<text x="{box.center:.0f}" y="{box.y + _HEIGHT / 2 + 5:.0f}">'
            f"{escape(node)}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)
