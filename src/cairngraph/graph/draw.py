"""Drawing a graph: ``app.get_graph().draw_mermaid()``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cairngraph.constants import END, START

if TYPE_CHECKING:
    from cairngraph.graph.state import StateGraph

__all__ = ["DrawableGraph", "Edge"]


@dataclass(frozen=True, slots=True)
class Edge:
    """One arrow: dashed when conditional, with the router's label if any."""

    source: str
    target: str
    conditional: bool = False
    label: str | None = None


@dataclass(frozen=True, slots=True)
class DrawableGraph:
    """Nodes and edges of a compiled graph, as plain data."""

    nodes: tuple[str, ...]
    edges: tuple[Edge, ...]

    @classmethod
    def of(cls, builder: StateGraph) -> DrawableGraph:
        # With the default error handler, which compile() adds (as LangGraph draws it).
        nodes = (START, *builder._nodes_to_compile(), END)
        edges = [Edge(s, t) for s, t in sorted(builder._edges.plain)]
        for sources, target in sorted(builder._edges.joins):
            edges.extend(Edge(source, target) for source in sources)
        for branch in builder._edges.branches:
            targets = branch.path_map or {name: name for name in (*builder.nodes, END)}
            for key, target in targets.items():
                label = None if key == target else str(key)
                edges.append(Edge(branch.source, target, conditional=True, label=label))
        for name, node in builder.nodes.items():
            for target in node.destinations or ():
                label = node.labels.get(target)
                edges.append(Edge(name, target, conditional=True, label=label))
        # As LangGraph draws them: a node that is only ever a target ends the graph.
        origins = {edge.source for edge in edges}
        ends = sorted({e.target for e in edges if e.target != END and e.target not in origins})
        edges.extend(Edge(name, END) for name in ends)
        return cls(nodes=nodes, edges=tuple(edges))

    def draw_mermaid(self) -> str:
        """Mermaid flowchart text; paste it into any Mermaid renderer."""
        lines = ["graph TD;"]
        for node in self.nodes:
            shape = f"{_id(node)}([{node}])" if node in (START, END) else f"{_id(node)}({node})"
            lines.append(f"\t{shape}")
        for edge in self.edges:
            arrow = "-.->" if edge.conditional else "-->"
            if edge.label:
                arrow = f"-. &nbsp;{edge.label}&nbsp; .->"
            lines.append(f"\t{_id(edge.source)} {arrow} {_id(edge.target)};")
        return "\n".join(lines) + "\n"


def _id(name: str) -> str:
    return name.replace("__", "_").strip("_") or name
