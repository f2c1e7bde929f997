"""``CompiledStateGraph``: the runnable workflow ``StateGraph.compile()`` returns.

This module parses the call (config, stream modes, durability) once into
:class:`~cairngraph.engine.loop.RunOptions`, takes the thread's lock for the
run, and hands the loop to the sync or async driver. Reading state
(``get_state``, history) and writing it by hand (``update_state``) live in
:mod:`cairngraph.engine.snapshot`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any, NamedTuple

from cairngraph.checkpoint.base import BaseCheckpointSaver, RunnableConfig, config_thread_id
from cairngraph.checkpoint.serde.base import SupportsRegistration
from cairngraph.engine import snapshot as snapshots
from cairngraph.engine._context import maybe_current_task
from cairngraph.engine.algo import GraphSpec
from cairngraph.engine.drivers import TaskRunner, drive_async, drive_sync
from cairngraph.engine.effects import Emit
from cairngraph.engine.loop import RunOptions, RunOutcome, run_loop
from cairngraph.errors import InvalidConfigError
from cairngraph.types import Command, Durability, Interrupt, Send, StateSnapshot

if TYPE_CHECKING:
    from cairngraph.graph.draw import DrawableGraph
    from cairngraph.graph.state import StateGraph

__all__ = ["CompiledStateGraph"]

DEFAULT_RECURSION_LIMIT = 10007
"""The same default as LangGraph's current release."""
DEFAULT_LOCK_TIMEOUT = 60.0
"""Seconds a run waits for another run of the same thread to finish."""
_DURABILITIES = ("sync", "async", "exit")
_MODES = ("values", "updates", "debug")


class CompiledStateGraph:
    """A checked graph, ready to run; every step saved when it has a checkpointer.

    Example::

        app = graph.compile(checkpointer=InMemorySaver())
        config = {"configurable": {"thread_id": "1"}}
        app.invoke({"topic": "cats"}, config)
        app.get_state(config).values
    """

    def __init__(
        self,
        *,
        builder: StateGraph,
        spec: GraphSpec,
        checkpointer: BaseCheckpointSaver | bool | None,
        interrupt_before: tuple[str, ...],
        interrupt_after: tuple[str, ...],
        name: str,
        durability: Durability,
        strict: bool,
        continue_into_new_nodes: bool,
    ) -> None:
        if durability not in _DURABILITIES:
            raise InvalidConfigError(
                f"durability={durability!r} is not one of {', '.join(_DURABILITIES)}"
            )
        self.builder = builder
        self.spec = spec
        self.checkpointer = checkpointer
        self.interrupt_before_nodes = interrupt_before
        self.interrupt_after_nodes = interrupt_after
        self.name = name
        self.durability = durability
        self.strict = strict
        self.continue_into_new_nodes = continue_into_new_nodes
        if isinstance(checkpointer, BaseCheckpointSaver):
            _register_types(checkpointer, builder)

    # -- running ---------------------------------------------------------------

    def _prepare(
        self,
        input: Any,
        config: RunnableConfig | None,
        modes: Sequence[str],
        durability: Durability | None,
        interrupt_before: Sequence[str] | None,
        interrupt_after: Sequence[str] | None,
    ) -> tuple[RunOptions, Any, BaseCheckpointSaver | None, TaskRunner, _Lock | None]:
        config = dict(config or {})
        configurable = dict(config.get("configurable") or {})
        parent = maybe_current_task()
        saver: BaseCheckpointSaver | None = None
        namespace = ""
        resume_pending: tuple[bool, Any] = (False, None)
        parents: dict[str, str] = {}
        if parent is not None and self.checkpointer in (None, True):
            saver = parent.checkpointer
            namespace = parent.namespace
            configurable = dict(parent.config.get("configurable") or {})
            configurable.pop("checkpoint_id", None)
            configurable["checkpoint_ns"] = namespace
            resume_pending = parent.take_pending_resume()
            parents = dict(parent.parents)
        elif isinstance(self.checkpointer, BaseCheckpointSaver):
            saver = self.checkpointer
        config["configurable"] = configurable
        thread_id = config_thread_id(config) if saver is not None else configurable.get("thread_id")
        for mode in modes:
            if mode not in _MODES:
                raise InvalidConfigError(
                    f"stream_mode {mode!r} is not supported; use one of {', '.join(_MODES)}"
                )
        chosen = durability or configurable.get("durability") or self.durability
        if chosen not in _DURABILITIES:
            raise InvalidConfigError(
                f"durability={chosen!r} is not one of {', '.join(_DURABILITIES)}"
            )
        limit = config.get("recursion_limit", DEFAULT_RECURSION_LIMIT)
        if not isinstance(limit, int) or limit < 1:
            raise InvalidConfigError(f"recursion_limit must be a positive int, got {limit!r}")
        opts = RunOptions(
            spec=self.spec,
            config=config,
            thread_id=None if thread_id is None else str(thread_id),
            namespace=namespace,
            has_saver=saver is not None,
            modes=frozenset(modes),
            durability=chosen,
            interrupt_before=frozenset(
                self.interrupt_before_nodes if interrupt_before is None else interrupt_before
            ),
            interrupt_after=frozenset(
                self.interrupt_after_nodes if interrupt_after is None else interrupt_after
            ),
            recursion_limit=limit,
            metadata={**(config.get("metadata") or {}), "parents": parents},
            resume_pending=resume_pending,
            continue_into_new_nodes=self.continue_into_new_nodes,
        )
        if nested := parent is not None and saver is not None:
            input = _nested_input(self.spec, saver, config, input, resume_pending)
        self._check_input(input)
        runner = TaskRunner(config, namespace, saver, parents)
        lock: _Lock | None = None
        if saver is not None and not nested:
            timeout = float(configurable.get("lock_timeout", DEFAULT_LOCK_TIMEOUT))
            lock = _Lock(saver, str(thread_id), timeout)
        return opts, input, saver, runner, lock

    def _check_input(self, input: Any) -> None:
        if input is None or isinstance(input, Command):
            return
        start = self.spec.nodes["__start__"]
        start.write.updates_of(input)  # type: ignore[attr-defined]

    def stream(
        self,
        input: Any,
        config: RunnableConfig | None = None,
        *,
        stream_mode: str | Sequence[str] | None = None,
        durability: Durability | None = None,
        interrupt_before: Sequence[str] | None = None,
        interrupt_after: Sequence[str] | None = None,
        **ignored: Any,
    ) -> Iterator[Any]:
        """Run the graph and yield what ``stream_mode`` asks for after each step."""
        modes, single = _modes(stream_mode)
        opts, input, saver, runner, lock = self._prepare(
            input, config, modes, durability, interrupt_before, interrupt_after
        )
        with _hold(lock):
            driver = drive_sync(run_loop(opts, input), saver, runner)
            for event in driver:
                yield event.chunk if single else (event.mode, event.chunk)

    def invoke(
        self,
        input: Any,
        config: RunnableConfig | None = None,
        *,
        stream_mode: str = "values",
        durability: Durability | None = None,
        interrupt_before: Sequence[str] | None = None,
        interrupt_after: Sequence[str] | None = None,
        **ignored: Any,
    ) -> Any:
        """Run the graph to the end (or a pause) and return its output state."""
        opts, input, saver, runner, lock = self._prepare(
            input, config, (), durability, interrupt_before, interrupt_after
        )
        with _hold(lock):
            driver = drive_sync(run_loop(opts, input), saver, runner)
            while True:
                try:
                    next(driver)
                except StopIteration as stop:
                    return _result(stop.value, nested=opts.namespace != "")

    async def astream(
        self,
        input: Any,
        config: RunnableConfig | None = None,
        *,
        stream_mode: str | Sequence[str] | None = None,
        durability: Durability | None = None,
        interrupt_before: Sequence[str] | None = None,
        interrupt_after: Sequence[str] | None = None,
        **ignored: Any,
    ) -> AsyncIterator[Any]:
        """Async twin of :meth:`stream`."""
        modes, single = _modes(stream_mode)
        opts, input, saver, runner, lock = self._prepare(
            input, config, modes, durability, interrupt_before, interrupt_after
        )
        async with _ahold(lock):
            async for event in drive_async(run_loop(opts, input), saver, runner):
                if isinstance(event, Emit):
                    yield event.chunk if single else (event.mode, event.chunk)

    async def ainvoke(
        self,
        input: Any,
        config: RunnableConfig | None = None,
        *,
        stream_mode: str = "values",
        durability: Durability | None = None,
        interrupt_before: Sequence[str] | None = None,
        interrupt_after: Sequence[str] | None = None,
        **ignored: Any,
    ) -> Any:
        """Async twin of :meth:`invoke`."""
        opts, input, saver, runner, lock = self._prepare(
            input, config, (), durability, interrupt_before, interrupt_after
        )
        outcome: RunOutcome | None = None
        async with _ahold(lock):
            async for event in drive_async(run_loop(opts, input), saver, runner):
                if isinstance(event, RunOutcome):
                    outcome = event
        assert outcome is not None
        return _result(outcome, nested=opts.namespace != "")

    def batch(
        self,
        inputs: Sequence[Any],
        config: RunnableConfig | Sequence[RunnableConfig] | None = None,
        **kwargs: Any,
    ) -> list[Any]:
        """``invoke`` each input (with its own config when a list is given), concurrently."""
        from concurrent.futures import ThreadPoolExecutor

        configs = _configs(inputs, config)
        if len(inputs) <= 1:
            return [self.invoke(i, c, **kwargs) for i, c in zip(inputs, configs, strict=True)]
        with ThreadPoolExecutor(max_workers=min(16, len(inputs))) as pool:
            return list(
                pool.map(
                    lambda pair: self.invoke(pair[0], pair[1], **kwargs),
                    zip(inputs, configs, strict=True),
                )
            )

    async def abatch(
        self,
        inputs: Sequence[Any],
        config: RunnableConfig | Sequence[RunnableConfig] | None = None,
        **kwargs: Any,
    ) -> list[Any]:
        """Async twin of :meth:`batch`."""
        configs = _configs(inputs, config)
        return list(
            await asyncio.gather(
                *(self.ainvoke(i, c, **kwargs) for i, c in zip(inputs, configs, strict=True))
            )
        )

    # -- state -------------------------------------------------------------------

    def _saver(self) -> BaseCheckpointSaver:
        if not isinstance(self.checkpointer, BaseCheckpointSaver):
            raise InvalidConfigError(
                "this graph has no checkpointer, so it keeps no state to read. Compile it with "
                "one: graph.compile(checkpointer=InMemorySaver())."
            )
        return self.checkpointer

    def get_state(self, config: RunnableConfig, *, subgraphs: bool = False) -> StateSnapshot:
        """The thread's state at its latest checkpoint (or the one ``config`` names)."""
        return snapshots.get_state(self, self._saver(), config, subgraphs=subgraphs)

    async def aget_state(self, config: RunnableConfig, *, subgraphs: bool = False) -> StateSnapshot:
        """Async twin of :meth:`get_state`."""
        return await asyncio.to_thread(self.get_state, config, subgraphs=subgraphs)

    def get_state_history(
        self,
        config: RunnableConfig,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[StateSnapshot]:
        """The thread's snapshots, newest first."""
        yield from snapshots.history(self, self._saver(), config, filter, before, limit)

    async def aget_state_history(
        self,
        config: RunnableConfig,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[StateSnapshot]:
        """Async twin of :meth:`get_state_history`."""
        items = await asyncio.to_thread(
            lambda: list(self.get_state_history(config, filter=filter, before=before, limit=limit))
        )
        for item in items:
            yield item

    def update_state(
        self, config: RunnableConfig, values: Any, as_node: str | None = None, **ignored: Any
    ) -> RunnableConfig:
        """Write ``values`` as if ``as_node`` returned them: a new checkpoint, source ``update``."""
        saver = self._saver()
        thread_id = config_thread_id(config)
        timeout = float(
            (config.get("configurable") or {}).get("lock_timeout", DEFAULT_LOCK_TIMEOUT)
        )
        with saver.thread_lock(thread_id, timeout):
            return snapshots.update_state(self, saver, config, values, as_node)

    async def aupdate_state(
        self, config: RunnableConfig, values: Any, as_node: str | None = None, **ignored: Any
    ) -> RunnableConfig:
        """Async twin of :meth:`update_state`."""
        return await asyncio.to_thread(self.update_state, config, values, as_node)

    def get_graph(
        self, config: RunnableConfig | None = None, *, xray: bool = False
    ) -> DrawableGraph:
        """The graph's shape, for drawing: ``app.get_graph().draw_mermaid()``."""
        from cairngraph.graph.draw import DrawableGraph

        return DrawableGraph.of(self.builder)


def _register_types(saver: BaseCheckpointSaver, builder: StateGraph) -> None:
    serde = saver.serde
    if isinstance(serde, SupportsRegistration):
        schemas = {builder.state.cls, builder.input.cls, builder.output.cls}
        serde.register(Send, Interrupt, *(cls for cls in schemas if cls is not dict))


def _nested_input(
    spec: GraphSpec,
    saver: BaseCheckpointSaver,
    config: RunnableConfig,
    input: Any,
    pending: tuple[bool, Any],
) -> Any:
    """A subgraph run inside a resumed task picks up where it paused."""
    saved = saver.get_tuple(config)
    if saved is None:
        return input
    if pending[0]:
        return Command(resume=pending[1])
    has_next = bool(snapshots.tasks_of(spec, saved))
    return None if has_next else input


def _modes(stream_mode: str | Sequence[str] | None) -> tuple[tuple[str, ...], bool]:
    if stream_mode is None:
        return ("updates",), True
    if isinstance(stream_mode, str):
        return (stream_mode,), True
    return tuple(stream_mode), False


def _result(outcome: RunOutcome, *, nested: bool) -> Any:
    if outcome.interrupts:
        if nested:
            from cairngraph.errors import GraphInterrupt

            raise GraphInterrupt(outcome.interrupts)
        if isinstance(outcome.output, dict):
            return {**outcome.output, "__interrupt__": list(outcome.interrupts)}
    return outcome.output


def _configs(
    inputs: Sequence[Any], config: RunnableConfig | Sequence[RunnableConfig] | None
) -> list[RunnableConfig | None]:
    if isinstance(config, Sequence) and not isinstance(config, dict):
        return list(config)
    return [config] * len(inputs)


class _Lock(NamedTuple):
    """The thread a run must hold, and for how long it may wait."""

    saver: BaseCheckpointSaver
    thread_id: str
    timeout: float


def _hold(lock: _Lock | None) -> AbstractContextManager[None]:
    if lock is None:
        return nullcontext()
    return lock.saver.thread_lock(lock.thread_id, lock.timeout)


def _ahold(lock: _Lock | None) -> AbstractAsyncContextManager[None]:
    if lock is None:
        return nullcontext()
    return lock.saver.athread_lock(lock.thread_id, lock.timeout)
