"""State schema versions on the builder: ``StateGraph(State, version=, migrations=)``.

The decision: a graph declares the version of its state schema and the
migrations that reach it right where the schema is named, as two keywords
of ``StateGraph``::

    graph = StateGraph(State, version=3, migrations={1: rename_name, 2: split_tags})

``migrations[n]`` takes the state values of version ``n`` (a plain dict of
state keys, as stored) and returns those of version ``n + 1``. One mapping,
next to the schema it migrates, reads top to bottom and is checked when the
graph is built; a decorator registry would spread a schema's history over
modules and make the order implicit. LangGraph's ``StateGraph`` takes neither
keyword, and a graph that passes neither behaves, and saves, exactly as
before (no version is recorded, nothing runs on load).

Invariants checked here, at ``StateGraph(...)``: ``version`` is an int >= 1;
every migration key is an int in ``1 .. version - 1`` and its value callable;
``migrations`` without ``version`` is an error. A gap (no migration from some
older version) is allowed: a checkpoint that needs it is refused on load with
:class:`~cairngraph.errors.StateVersionError`, so an application may drop
migrations for versions it no longer stores.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from cairngraph.engine._migrate import StateVersioning
from cairngraph.errors import InvalidGraphError

if TYPE_CHECKING:
    from cairngraph.engine.channels import Channel
    from cairngraph.graph.state import StateGraph

__all__ = ["checked_migrations", "fingerprint", "versioning_of"]


def checked_migrations(
    version: int | None, migrations: Mapping[int, Callable[..., Any]] | None
) -> dict[int, Callable[..., Any]]:
    """``migrations`` as a dict, after checking it fits ``version``; every problem at once."""
    if version is None:
        if migrations:
            raise InvalidGraphError(
                ["StateGraph(migrations=...) needs version=N: the version the migrations reach"]
            )
        return {}
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise InvalidGraphError(
            [f"StateGraph(version={version!r}): the state version must be an int >= 1"]
        )
    found = dict(migrations or {})
    problems = [
        f"migrations[{key!r}]: a migration's key is the version it migrates from, an int "
        f"from 1 to {version - 1} (version={version})"
        for key in found
        if isinstance(key, bool) or not isinstance(key, int) or not 1 <= key < version
    ]
    problems += [
        f"migrations[{key!r}] is {value!r}, not a function taking the state values of "
        f"version {key} and returning those of version {key}+1"
        for key, value in found.items()
        if not callable(value)
    ]
    if problems:
        raise InvalidGraphError(problems)
    return found


def versioning_of(graph: StateGraph, channels: Mapping[str, Channel]) -> StateVersioning | None:
    """What the engine needs to stamp and migrate checkpoints, or None without a version."""
    if graph.version is None:
        return None
    return StateVersioning.of(graph.version, graph.migrations, fingerprint(graph, channels))


def fingerprint(graph: StateGraph, channels: Mapping[str, Channel]) -> str:
    """A short, stable hash of the graph's shape: its channels, nodes and edges.

    Two graphs with the same state keys (and kinds of channel), node names and
    edges have the same fingerprint in every process; it changes when any of
    them does, so a checkpoint shows which shape of graph wrote it.

    Example::

        fingerprint(graph, spec.channels)  # "3f9a0c1d2e4b5a69"
    """
    parts = [f"channel {key} {type(channel).__name__}" for key, channel in sorted(channels.items())]
    parts += [f"node {name}" for name in graph.nodes]
    parts += [f"edge {source} {target}" for source, target in sorted(graph._edges.plain)]
    parts += [f"join {sources} {target}" for sources, target in sorted(graph._edges.joins)]
    parts += [f"branch {branch.source}" for branch in graph._edges.branches]
    parts.append(f"version {graph.version}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
