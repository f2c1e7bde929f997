"""The graph an ``@entrypoint`` compiles to: a compiled graph of one node.

It runs, streams, saves and reads its threads as any compiled graph does;
what differs is what a snapshot calls the entrypoint task's ``result`` (the
value it returned, as LangGraph shows it, not a dict of channels) and that the
``updates``, ``tasks`` and ``debug`` stream modes are fed while the function
runs, since each finished ``@task`` call is reported as it finishes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from cairngraph.checkpoint.base import BaseCheckpointSaver, RunnableConfig
from cairngraph.checkpoint.serde.base import SupportsRegistration
from cairngraph.constants import END, START
from cairngraph.engine.algo import GraphSpec
from cairngraph.graph.compiled import _LIVE_MODES, CompiledStateGraph
from cairngraph.graph.draw import DrawableGraph, Edge
from cairngraph.types import Interrupt, Send, StateSnapshot

__all__ = ["EntrypointGraph"]


class EntrypointGraph(CompiledStateGraph):
    """What ``@entrypoint`` returns: ``invoke``/``stream``/``get_state``/``update_state``...

    Example::

        @entrypoint(checkpointer=InMemorySaver())
        def double(x: int) -> int:
            return 2 * x

        double.invoke(21, {"configurable": {"thread_id": "1"}})   # 42
    """

    live_modes = _LIVE_MODES | {"updates", "tasks", "debug"}

    def __init__(
        self,
        *,
        func: Callable[..., Any],
        spec: GraphSpec,
        name: str,
        checkpointer: BaseCheckpointSaver | None,
        store: Any,
        cache: Any,
        context_schema: Any,
    ) -> None:
        # The graph has no builder: what CompiledStateGraph reads from one is set here.
        self.func = func
        self.spec = spec
        self.checkpointer = checkpointer
        self.interrupt_before_nodes = ()
        self.interrupt_after_nodes = ()
        self.entry = name
        """The entrypoint's node: its function's name."""
        # LangGraph's entrypoint is a graph with the default name.
        self.name = "LangGraph"
        self.durability = "sync"
        self.strict = False
        self.continue_into_new_nodes = False
        self.store = store
        self.cache = cache
        self.debug = False
        self.context_schema = context_schema
        for serde in (getattr(checkpointer, "serde", None), getattr(cache, "serde", None)):
            if isinstance(serde, SupportsRegistration):
                serde.register(Send, Interrupt, *_classes(func))

    def get_state(self, config: RunnableConfig, *, subgraphs: bool = False) -> StateSnapshot:
        """The thread's state: ``values`` is what the entrypoint last returned."""
        return _plain_results(super().get_state(config, subgraphs=subgraphs))

    def get_state_history(
        self,
        config: RunnableConfig,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[StateSnapshot]:
        """The thread's snapshots, newest first."""
        for snapshot in super().get_state_history(
            config, filter=filter, before=before, limit=limit
        ):
            yield _plain_results(snapshot)

    def get_graph(
        self, config: RunnableConfig | None = None, *, xray: bool = False
    ) -> DrawableGraph:
        """START → the entrypoint → END, for drawing."""
        return DrawableGraph(
            nodes=(START, self.entry, END),
            edges=(Edge(START, self.entry), Edge(self.entry, END)),
        )

    def _cache_namespaces(self, nodes: Any) -> list[tuple[str, ...]]:
        node = self.spec.nodes[self.entry]
        if node.cache is None or (nodes and self.entry not in nodes):
            return []
        return [node.cache.namespace]


def _plain_results(snapshot: StateSnapshot) -> StateSnapshot:
    """The entrypoint task's result as the value it returned (LangGraph's view)."""
    tasks = tuple(
        task._replace(result=task.result[END])
        if isinstance(task.result, Mapping) and END in task.result
        else task
        for task in snapshot.tasks
    )
    return snapshot._replace(tasks=tasks)


def _classes(func: Callable[..., Any]) -> list[type[Any]]:
    """Dataclasses and pydantic models in the function's annotations (what it may save)."""
    found: list[type[Any]] = []
    for annotation in getattr(func, "__annotations__", {}).values():
        if isinstance(annotation, type) and (
            dataclasses.is_dataclass(annotation) or hasattr(annotation, "model_validate")
        ):
            found.append(annotation)
    return found
