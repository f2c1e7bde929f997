"""Runs reported through langchain-core's callbacks: the graph's, each node's, each router's.

A run whose config carries callbacks (a user's handler, ``astream_events``'s
event streamer, LangSmith's tracer) or that runs with LangSmith tracing turned
on in the environment reports itself as LangGraph does: one chain run for the
graph (named after it, ``"LangGraph"`` by default), a child run per node
attempt (tagged ``graph:step:N``, with the node's ``langgraph_*`` metadata), and
under it a run per router (``seq:step:N``, numbered as LangGraph numbers a
node's parts: the node's function, its writes, then its routers in order). What
a node calls (a chat model, a tool, a subgraph) gets the node's run as parent.
Without callbacks none of this runs and langchain-core is imported only then;
once a program has loaded langchain-core, a node of such a run still gets
:func:`bare_config` as its ambient config (a parent run, no handler), so what it
dispatches (a custom event) goes nowhere instead of failing.

In an async run, streaming handlers (``astream_events``'s) also see each node's
output as its one ``on_chain_stream`` chunk, as LangGraph's async nodes give it.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import AsyncIterator, Callable, Generator
from typing import TYPE_CHECKING, Any

from cairngraph.constants import TAG_HIDDEN
from cairngraph.engine._run_state import RunOutcome
from cairngraph.engine._timeout import langchain_installed

if TYPE_CHECKING:
    from cairngraph.checkpoint.base import RunnableConfig
    from cairngraph.engine._context import TaskContext
    from cairngraph.engine.algo import Task

__all__ = [
    "GraphRun",
    "astart",
    "atraced",
    "bare_config",
    "route_traced",
    "start",
    "traced",
    "wanted",
]

_TRACING_ENV = ("LANGSMITH_TRACING", "LANGSMITH_TRACING_V2", "LANGCHAIN_TRACING_V2")
_PROPAGATED = (
    "thread_id",
    "checkpoint_id",
    "checkpoint_ns",
    "task_id",
    "run_id",
    "assistant_id",
    "graph_id",
)


@functools.cache
def bare_config() -> dict[str, Any]:
    """langchain-core's ambient config for a node of a run without callbacks: a parent
    run and no handler (one for every such node: langchain-core copies a manager it
    configures from, and nothing is delivered without a handler)."""
    from langchain_core.callbacks import CallbackManager

    return {"callbacks": CallbackManager([], parent_run_id=uuid.uuid4())}


def wanted(config: RunnableConfig) -> bool:
    """Whether a run with ``config`` reports itself to callbacks."""
    if not config.get("callbacks") and not any(
        os.environ.get(name, "").lower() == "true" for name in _TRACING_ENV
    ):
        return False
    return langchain_installed()


class GraphRun:
    """The graph run's callback run, and what its nodes' runs need from it."""

    __slots__ = ("asynchronous", "manager", "streams")

    def __init__(self, manager: Any, asynchronous: bool) -> None:
        self.manager = manager
        self.asynchronous = asynchronous
        self.streams = asynchronous and any(_streams(handler) for handler in manager.handlers)
        """Whether nodes report their output as a stream chunk (LangGraph's async
        nodes do, when a streaming handler listens)."""

    def node_manager(self, task: Task, context: TaskContext) -> Any:
        """The callback manager an attempt's run starts from: the graph's run (a ``@task``
        call's: its caller's function) as parent, the node's config for tags and metadata."""
        from langchain_core.runnables.config import (
            get_async_callback_manager_for_config,
            get_callback_manager_for_config,
        )

        caller = context.caller
        if caller is not None and caller.trace is not None:
            parent = caller.node_config()["callbacks"]
        else:
            parent = self.manager.get_child(f"graph:step:{context.step}")
        config: dict[str, Any] = {**context.node_config(), "callbacks": parent}
        if task.node.hidden:
            config["tags"] = [*config.get("tags", ()), TAG_HIDDEN]
        if self.asynchronous:
            return get_async_callback_manager_for_config(config)  # type: ignore[arg-type]
        return get_callback_manager_for_config(config)  # type: ignore[arg-type]

    def start_node(self, task: Task, context: TaskContext) -> None:
        """Begin the run of the attempt ``context`` is in (a sync node, even in an async run)."""

        manager = self.node_manager(task, context)
        if self.asynchronous:
            manager = _sync_copy(manager)
        context.trace = manager.on_chain_start(None, _shown(task), name=task.name)
        _begun(context)

    async def astart_node(self, task: Task, context: TaskContext) -> None:
        manager = self.node_manager(task, context)
        context.trace = await manager.on_chain_start(None, _shown(task), name=task.name)
        _begun(context)

    def end_node(self, context: TaskContext, output: Any) -> None:
        run, context.trace = context.trace, None
        if self.streams:
            for handler in run.handlers:
                if _streams(handler):
                    for _ in handler.tap_output_iter(run.run_id, iter((output,))):
                        pass
        run.on_chain_end(output)

    async def aend_node(self, context: TaskContext, output: Any) -> None:
        run, context.trace = context.trace, None
        if self.streams:
            for handler in run.handlers:
                if _streams(handler):
                    async for _ in handler.tap_output_aiter(run.run_id, _one(output)):
                        pass
        await run.on_chain_end(output)

    def fail_node(self, context: TaskContext, error: BaseException) -> None:
        run, context.trace = context.trace, None
        run.on_chain_error(error)

    async def afail_node(self, context: TaskContext, error: BaseException) -> None:
        run, context.trace = context.trace, None
        await run.on_chain_error(error)


def _shown(task: Task) -> Any:
    shown = task.node.shown_input
    return task.input if shown is None else shown(task.input)


def _begun(context: TaskContext) -> None:
    """The attempt's run began: the node's config (langchain-core's current one too, for
    what the node calls without passing it) now has it as parent."""
    from cairngraph.engine._messages import set_langchain_config

    context.forget_config()
    set_langchain_config(context.node_config())


def route_traced(
    context: TaskContext, position: int, name: str | None, state: Any, route: Callable[[], Any]
) -> Any:
    """Run a router as a child run of its node's (``seq:step:<position>``)."""
    from langchain_core.callbacks import CallbackManager

    parent = context.trace
    manager = parent.get_child(f"seq:step:{position}")
    if not isinstance(manager, CallbackManager):
        manager = _sync_copy(manager)
    # The node's tags come after the router's own, as a router given the node's config
    # sees them in LangGraph.
    manager.add_tags(list(parent.inheritable_tags))
    run = manager.on_chain_start(None, state, name=name)
    try:
        result = route()
    except BaseException as error:
        run.on_chain_error(error)
        raise
    run.on_chain_end(result)
    return result


def start(config: RunnableConfig, input: Any, name: str) -> GraphRun:
    """Begin the graph's run (sync API): ``config``'s ``run_id``/``run_name`` are its own."""
    from langchain_core.runnables.config import get_callback_manager_for_config

    manager = get_callback_manager_for_config(_with_ids(config))  # type: ignore[arg-type]
    _mark(manager)
    run = manager.on_chain_start(
        None, input, name=config.get("run_name") or name, run_id=config.get("run_id")
    )
    return GraphRun(run, asynchronous=False)


async def astart(config: RunnableConfig, input: Any, name: str) -> GraphRun:
    from langchain_core.runnables.config import get_async_callback_manager_for_config

    manager = get_async_callback_manager_for_config(_with_ids(config))  # type: ignore[arg-type]
    _mark(manager)
    run = await manager.on_chain_start(
        None, input, name=config.get("run_name") or name, run_id=config.get("run_id")
    )
    return GraphRun(run, asynchronous=True)


def traced(
    driver: Generator[Any, None, RunOutcome], run: GraphRun
) -> Generator[Any, None, RunOutcome]:
    """``driver``'s events, with the graph's run ended as the run ends."""
    try:
        outcome = yield from driver
    except BaseException as error:
        run.manager.on_chain_error(error)
        raise
    run.manager.on_chain_end(outcome.output)
    return outcome


async def atraced(driver: AsyncIterator[Any], run: GraphRun) -> AsyncIterator[Any]:
    outcome: RunOutcome | None = None
    try:
        async for event in driver:
            if isinstance(event, RunOutcome):
                outcome = event
            yield event
    except BaseException as error:
        await run.manager.on_chain_error(error)
        raise
    await run.manager.on_chain_end(None if outcome is None else outcome.output)


def _with_ids(config: RunnableConfig) -> dict[str, Any]:
    """``config`` with the thread (and other ids) in its metadata too, as LangGraph puts them."""
    configurable = config.get("configurable") or {}
    metadata = dict(config.get("metadata") or {})
    for key in _PROPAGATED:
        value = configurable.get(key)
        if value and key not in metadata:
            metadata[key] = value
    return {**config, "metadata": metadata}


def _mark(manager: Any) -> None:
    if "ls_integration" not in manager.metadata:
        manager.add_metadata({"ls_integration": "langgraph"})


def _streams(handler: Any) -> bool:
    """Whether ``handler`` takes runs' output streams (``astream_events``'s does)."""
    return hasattr(handler, "tap_output_aiter")


async def _one(value: Any) -> AsyncIterator[Any]:
    yield value


def _sync_copy(manager: Any) -> Any:
    """A sync callback manager with ``manager``'s handlers, tags and metadata (a sync node
    or router run inside an async run)."""
    from langchain_core.callbacks import CallbackManager

    return CallbackManager(
        handlers=manager.handlers,
        inheritable_handlers=manager.inheritable_handlers,
        parent_run_id=manager.parent_run_id,
        tags=manager.tags,
        inheritable_tags=manager.inheritable_tags,
        metadata=manager.metadata,
        inheritable_metadata=manager.inheritable_metadata,
    )
