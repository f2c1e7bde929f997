"""Opening a store and a graph by name: the inspector's own, until the CLI's ``_open`` replaces it.

``open_saver(url, read_only=...)`` takes a SQLite path, ``sqlite:///path`` or a
``postgresql://`` URL; ``load_graph("module:attr", saver)`` imports a
``StateGraph`` or a compiled graph and compiles it with ``saver`` as its
checkpointer (a compiled graph keeps its interrupts, durability and store).
The signatures match ``cairngraph.cli._open``, so ``serve`` can switch to it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.errors import InvalidConfigError
from cairngraph.graph.compiled import CompiledStateGraph
from cairngraph.graph.state import StateGraph

__all__ = ["load_graph", "open_saver"]


@contextmanager
def open_saver(url: str, *, read_only: bool) -> Iterator[BaseCheckpointSaver]:
    """A saver for ``url`` for the ``with`` block, closed afterwards.

    Example::

        with open_saver("sqlite:///runs.db", read_only=True) as saver:
            print(next(saver.threads(limit=1), None))
    """
    if url.startswith(("postgresql://", "postgres://")):
        from cairngraph.checkpoint.postgres import PostgresSaver

        # PostgreSQL has no read-only connection mode here: read_only is kept by the
        # inspector, which then has no write routes, and the schema is left as found.
        with PostgresSaver.from_conn_string(url) as saver:
            if not read_only:
                saver.setup()
            yield saver
        return
    path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else url
    if not path or "://" in path:
        raise InvalidConfigError(
            f"store {url!r} is not a SQLite path, sqlite:///path or postgresql:// URL"
        )
    from cairngraph.checkpoint.sqlite import SqliteSaver

    with SqliteSaver.from_conn_string(path, read_only=read_only) as sqlite:
        yield sqlite


def load_graph(spec: str, saver: BaseCheckpointSaver) -> CompiledStateGraph:
    """The graph ``"package.module:attr"`` names, compiled with ``saver`` as its checkpointer.

    Example::

        app = load_graph("examples.tutorial.joke_graph:build_graph", saver)
    """
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise InvalidConfigError(f"graph {spec!r} is not module:attr, e.g. myapp.flows:graph")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise InvalidConfigError(
            f"graph {spec!r}: cannot import {module_name!r} ({error}); run from the directory "
            "that holds it, or set PYTHONPATH"
        ) from error
    if not hasattr(module, attr):
        raise InvalidConfigError(f"graph {spec!r}: module {module_name!r} has no {attr!r}")
    found = getattr(module, attr)
    if callable(found) and not isinstance(found, StateGraph | CompiledStateGraph):
        found = found()  # a factory of the builder, like build_graph()
    if isinstance(found, CompiledStateGraph):
        return found.builder.compile(
            checkpointer=saver,
            interrupt_before=found.interrupt_before_nodes,
            interrupt_after=found.interrupt_after_nodes,
            name=found.name,
            durability=found.durability,
            strict=found.strict,
            continue_into_new_nodes=found.continue_into_new_nodes,
            store=found.store,
            cache=found.cache,
        )
    if isinstance(found, StateGraph):
        return found.compile(checkpointer=saver)
    raise InvalidConfigError(
        f"graph {spec!r} is {type(found).__name__}, not a StateGraph, a compiled graph or a "
        "function returning one"
    )
