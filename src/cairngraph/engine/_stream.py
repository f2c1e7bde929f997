"""Chunks produced while tasks run, and the config and runtime a node sees.

The run loop yields the chunks it makes itself (``values``, ``updates``,
``debug``...) as effects. Others appear in the middle of a task: a node's
``get_stream_writer()`` writes (``custom``), chat-model tokens (``messages``)
and, with ``stream(subgraphs=True)``, every event of a subgraph run inside a
node. Those go into the run's :class:`ChunkSink`, a thread-safe queue the
driver drains while the step's tasks run, so the caller sees them as they
happen.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cairngraph.constants import PUSH
from cairngraph.runtime import ExecutionInfo, Runtime, _no_op_heartbeat, _no_op_writer

if TYPE_CHECKING:
    from cairngraph.checkpoint.base import RunnableConfig
    from cairngraph.engine._context import TaskContext
    from cairngraph.engine._timeout import AttemptClock

__all__ = ["DONE", "ChunkSink", "graph_namespace", "node_config", "runtime_of", "streams_from"]

Chunk = tuple[tuple[str, ...], str, Any]
"""``(namespace, mode, payload)``: namespace ``()`` is the root graph."""

DONE: Any = object()
"""Put by a finished task, so the driver knows when to stop draining."""


class ChunkSink:
    """Where chunks made inside tasks wait for the driver (thread-safe).

    ``wake`` (set by the async driver) is called after each put, so an event
    loop waiting for chunks learns of one put from a worker thread.

    Chunks are put with the namespace of the graph that made them, from the
    root. ``home`` is the namespace of the run that drains the sink (``()`` for
    the root run; a subgraph streamed inside a node has a sink of its own), and
    the queue holds namespaces relative to it, as the run's own step events are.
    It queues its own graph's chunks of ``modes``, and those of the graphs
    inside it only with ``subgraphs`` or for the modes it ``keeps`` (a graph
    run inside its node writes custom chunks to the nearest stream asking for
    them, as in LangGraph). A subgraph's sink also hands each chunk to
    ``parent`` (the stream around it, when that one streams subgraphs) at once,
    as LangGraph's streams do, except the modes it keeps for itself.
    """

    __slots__ = ("depth", "home", "keeps", "modes", "parent", "queue", "subgraphs", "wake")

    def __init__(
        self,
        modes: frozenset[str],
        home: tuple[str, ...] = (),
        *,
        subgraphs: bool = True,
        parent: ChunkSink | None = None,
        keeps: frozenset[str] = frozenset(),
    ) -> None:
        self.modes = modes
        self.home = home
        self.depth = len(home)
        self.subgraphs = subgraphs
        self.parent = parent
        self.keeps = keeps
        self.queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.wake: Callable[[], None] | None = None

    def put(self, namespace: tuple[str, ...], mode: str, payload: Any) -> None:
        if mode in self.modes and (
            self.subgraphs or mode in self.keeps or len(namespace) == self.depth
        ):
            self.queue.put((namespace[self.depth :], mode, payload))
            if self.wake is not None:
                self.wake()
        if self.parent is not None and mode not in self.keeps:
            self.parent.put(namespace, mode, payload)

    def done(self) -> None:
        self.queue.put(DONE)
        if self.wake is not None:
            self.wake()


def streams_from(namespace: tuple[str, ...], home: tuple[str, ...], subgraphs: bool) -> bool:
    """Whether a stream made for the graph at ``home`` takes chunks of the graph at
    ``namespace``: its own graph's, and with ``subgraphs`` those of graphs inside it."""
    if len(namespace) == len(home):
        return namespace == home
    return subgraphs and len(namespace) > len(home) and namespace[: len(home)] == home


def graph_namespace(task_namespace: str, path: tuple[Any, ...] = ()) -> tuple[str, ...]:
    """The namespace of the graph a task runs in: its own segment dropped, and one more
    for each ``@task`` call its ``path`` shows it nested in (a call's namespace nests under
    its caller's, but it runs in its caller's graph; a call's path is
    ``(PUSH, <caller's path>, <index>)``)."""
    drop = 1
    while len(path) == 3 and path[0] == PUSH and isinstance(path[1], tuple):
        drop += 1
        path = path[1]
    return tuple(task_namespace.split("|")[:-drop])


def node_config(task: TaskContext) -> RunnableConfig:
    """The run's config, narrowed to the task: namespace, ids and LangGraph's metadata keys."""
    scope = task.scope
    base = scope.config
    configurable = dict(base.get("configurable") or {})
    configurable["checkpoint_ns"] = task.namespace
    configurable["checkpoint_id"] = None
    configurable["checkpoint_map"] = {**scope.parents, scope.namespace: task.checkpoint_id}
    metadata = dict(base.get("metadata") or {})
    thread_id = configurable.get("thread_id")
    if thread_id is not None:
        metadata.setdefault("thread_id", thread_id)
    metadata.update(
        langgraph_step=task.step,
        langgraph_node=task.name,
        # An error handler's task has no trigger: LangGraph lists it as pushed.
        langgraph_triggers=task.triggers or (PUSH,),
        langgraph_path=task.path,
        langgraph_checkpoint_ns=task.namespace,
    )
    config: RunnableConfig = {**base, "metadata": metadata, "configurable": configurable}
    # A run's own id and name are not its nodes' (nor what they call).
    config.pop("run_id", None)
    config.pop("run_name", None)
    if task.trace is not None:
        config["callbacks"] = task.trace.get_child("seq:step:1")
    if task.watched:
        # What the node's runnables report (a chat model's tokens...) is progress too.
        from cairngraph.engine._timeout import progress_handler, with_handler

        handler = progress_handler(task.progress)
        if handler is not None:
            config["callbacks"] = with_handler(config.get("callbacks"), handler)
    return config


def runtime_of(task: TaskContext) -> Runtime[Any]:
    scope = task.scope
    sink = scope.sink
    writer: Callable[[Any], None] = _no_op_writer
    # The task's graph (a @task call's namespace nests under its caller's, in the same graph).
    graph = tuple(scope.namespace.split("|")) if scope.namespace else ()
    # An error handler's chunks come from inside its failed task, as in LangGraph.
    namespace = graph if task.node_error is None else graph_namespace(task.namespace)
    # A subgraph's custom chunks reach the caller only with stream(subgraphs=True), or
    # when the subgraph is streamed itself (its own sink, which it drains).
    if sink is not None and "custom" in sink.modes and (scope.forward or scope.drains or not graph):

        def writer(chunk: Any) -> None:
            sink.put(namespace, "custom", chunk)

    clock = task.clock
    if clock is not None:
        writer = _own_progress(clock, writer)
    beat = task.beat_target()
    return Runtime(
        context=scope.context,
        store=scope.store,
        stream_writer=writer,
        previous=task.previous,
        execution_info=ExecutionInfo(
            checkpoint_id=task.checkpoint_id,
            checkpoint_ns=task.namespace,
            task_id=task.task_id,
            thread_id=scope.thread_id,
            node_attempt=task.attempt,
        ),
        heartbeat=_no_op_heartbeat if beat is None else beat,
        server_info=scope.server_info,
    )


def _own_progress(clock: AttemptClock, writer: Callable[[Any], None]) -> Callable[[Any], None]:
    """A timed task's custom writer: progress for its clock, silent once the attempt is over."""

    def write(chunk: Any) -> None:
        if not clock.open:
            return
        clock.own()
        writer(chunk)

    return write
