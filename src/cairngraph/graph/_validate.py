"""Every reason a graph cannot be compiled, found in one pass."""

from __future__ import annotations

import difflib
import typing
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cairngraph.constants import END, START
from cairngraph.engine._timeout import has_native_async, sync_refused

if TYPE_CHECKING:
    from cairngraph.graph.state import StateGraph

__all__ = ["problems"]


def _suggest(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _may_command(action: Any) -> bool:
    """True when the node may return a ``Command``, whose targets are only known at run time."""
    try:
        hints = typing.get_type_hints(action)
    except Exception:  # noqa: BLE001 - unresolvable annotations just mean "unknown"
        return True
    returned = hints.get("return")
    if returned is None:
        return True
    return "Command" in repr(returned)


def problems(graph: StateGraph, interrupt: Sequence[str] = ()) -> list[str]:
    """A list of problems, each saying what is wrong, where, and how to fix it."""
    found: list[str] = []
    nodes = list(graph.nodes)
    known_sources = {START, *nodes}
    known_targets = {END, *nodes}
    edges = graph._edges
    for source, target in sorted(edges.plain):
        if source not in known_sources:
            hint = " (END cannot start an edge)" if source == END else _suggest(source, nodes)
            found.append(f"edge {source!r} -> {target!r}: unknown source node {source!r}{hint}")
        if target not in known_targets:
            hint = " (START cannot end an edge)" if target == START else _suggest(target, nodes)
            found.append(f"edge {source!r} -> {target!r}: unknown target node {target!r}{hint}")
    for sources, target in sorted(edges.joins):
        for source in sources:
            if source not in nodes:
                found.append(
                    f"join {list(sources)} -> {target!r}: unknown source node {source!r}"
                    f"{_suggest(source, nodes)}"
                )
        if target not in known_targets:
            found.append(f"join {list(sources)} -> {target!r}: unknown target node {target!r}")
    open_ended = False
    for branch in edges.branches:
        if branch.source not in known_sources:
            found.append(
                f"conditional edge from unknown node {branch.source!r}"
                f"{_suggest(branch.source, nodes)}"
            )
        if branch.path_map is None:
            open_ended = True
            continue
        for key, target in branch.path_map.items():
            if target not in known_targets:
                found.append(
                    f"conditional edge from {branch.source!r}: path map entry {key!r} -> "
                    f"{target!r} names an unknown node{_suggest(str(target), nodes)}"
                )
    for name, node in graph._nodes_to_compile().items():
        if node.timeout is not None and not has_native_async(node.action):
            found.append(sync_refused("node", name).problems[0])
        for target in node.destinations or ():
            if target not in known_targets:
                found.append(
                    f"node {name!r} may go to unknown node {target!r} (named by its "
                    f"destinations= or its Command[Literal[...]] return annotation)"
                    f"{_suggest(target, nodes)}"
                )
    for name in interrupt:
        if name != "*" and name not in nodes:
            found.append(
                f"interrupt_before/after names unknown node {name!r}{_suggest(name, nodes)}"
            )
    starts = {t for s, t in edges.plain if s == START} | {
        t for b in edges.branches if b.source == START for t in (b.path_map or {}).values()
    }
    if not starts and not any(b.source == START for b in edges.branches):
        found.append(
            "the graph has no entry point: add an edge from START, e.g. "
            f"graph.add_edge(START, {nodes[0]!r})"
            if nodes
            else "the graph has no nodes"
        )
    if not open_ended and not any(_may_command(n.action) for n in graph.nodes.values()):
        reached = {t for _, t in edges.plain} | {t for _, t in edges.joins}
        for branch in edges.branches:
            reached.update((branch.path_map or {}).values())
        for node in graph.nodes.values():
            reached.update(node.destinations or ())
        for name in nodes:
            if name not in reached and not graph.nodes[name].is_error_handler:
                found.append(
                    f"node {name!r} has no way in: no edge leads to it. Add one, e.g. "
                    f"graph.add_edge(START, {name!r}), or remove the node."
                )
    return found
