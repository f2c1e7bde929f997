"""``CompiledStateGraph``: the runnable workflow ``StateGraph.compile()`` returns.

This module parses the call (config, stream modes, durability) once into
:class:`~cairngraph.engine.loop.RunOptions`, takes the thread's lock for the
run, and hands the loop to the sync or async driver. Reading state
(``get_state``, history) and writing it by hand (``update_state``) live in
:mod:`cairngraph.engine.snapshot`.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Generator, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, Literal

from cairngraph.cache.base import BaseCache
from cairngraph.checkpoint.base import BaseCheckpointSaver, RunnableConfig, config_thread_id
from cairngraph.checkpoint.serde.base import SupportsRegistration
from cairngraph.constants import DEFAULT_RECURSION_LIMIT
from cairngraph.engine import _trace as trace
from cairngraph.engine import snapshot as snapshots
from cairngraph.engine._cache import cache_namespace
from cairngraph.engine._context import (
    RunScope,
    TaskContext,
    maybe_current_task,
    without_task_ids,
)
from cairngraph.engine._stream import ChunkSink
from cairngraph.engine._timeout import with_handler
from cairngraph.engine._update import Update, update_state
from cairngraph.engine.algo import GraphSpec
from cairngraph.engine.drivers import TaskRunner, drive_async, drive_sync
from cairngraph.engine.effects import Emit
from cairngraph.engine.loop import RunOptions, RunOutcome, run_loop
from cairngraph.errors import InvalidConfigError, InvalidUpdateError
from cairngraph.graph import _jsonschema
from cairngraph.graph._call import (
    DURABILITIES,
    Call,
    Prepared,
    ThreadHold,
    ahold,
    hold,
    schema_class,
)
from cairngraph.runtime import ServerInfo
from cairngraph.types import (
    All,
    Command,
    Durability,
    Interrupt,
    Send,
    StateSnapshot,
    StateUpdate,
    StreamMode,
)
from cairngraph.typing import ContextT, InputT, OutputT, StateT

if TYPE_CHECKING:
    from cairngraph.engine._messages import MessagesStream
    from cairngraph.graph.draw import DrawableGraph
    from cairngraph.graph.state import StateGraph

__all__ = ["CompiledStateGraph"]

DEFAULT_LOCK_TIMEOUT = 60.0
"""Seconds a run waits for another run of the same thread to finish."""
_LIVE_MODES = frozenset(("custom", "messages", "tools"))
"""Modes whose chunks appear while a task runs, not between steps."""
_HANDLED_MODES = frozenset(("messages", "tools"))
"""Modes made by a run's own callback handlers: a subgraph's never reach its parent's sink."""


class CompiledStateGraph(Generic[StateT, ContextT, InputT, OutputT]):
    """A checked graph, ready to run; every step saved when it has a checkpointer.

    Example::

        app = graph.compile(checkpointer=InMemorySaver())
        config = {"configurable": {"thread_id": "1"}}
        app.invoke({"topic": "cats"}, config)
        app.get_state(config).values
    """

    live_modes: frozenset[str] = _LIVE_MODES
    schema_classes: tuple[type | None, type | None] = (None, None)
    """What ``version="v2"`` builds output and state values as (None: dicts)."""
    """Stream modes whose chunks are made while tasks run (and need the run's sink)."""

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
        store: Any = None,
        cache: Any = None,
        debug: bool = False,
    ) -> None:
        if durability not in DURABILITIES:
            raise InvalidConfigError(
                f"durability={durability!r} is not one of {', '.join(DURABILITIES)}"
            )
        self.builder = builder
        self.context_schema: Any = builder.context_schema
        self.spec = spec
        self.checkpointer = checkpointer
        self.interrupt_before_nodes = interrupt_before
        self.interrupt_after_nodes = interrupt_after
        self.name = name
        self.durability = durability
        self.strict = strict
        self.continue_into_new_nodes = continue_into_new_nodes
        self.store = store
        if cache is not None and not isinstance(cache, BaseCache):
            raise InvalidConfigError(
                f"cache={cache!r} is not a cache: pass a cairngraph.cache one, e.g. "
                "compile(cache=InMemoryCache()) or compile(cache=SqliteCache('cache.db'))"
            )
        self.cache: BaseCache[Any] | None = cache
        self.debug = debug
        self.schema_classes = (schema_class(builder.output.cls), schema_class(builder.state.cls))
        if isinstance(checkpointer, BaseCheckpointSaver):
            _register_types(checkpointer.serde, builder)
        if cache is not None:
            _register_types(cache.serde, builder)

    # -- running ---------------------------------------------------------------

    async def _aprepare(self, input: Any, config: RunnableConfig | None, call: Call) -> Prepared:
        """:meth:`_prepare` for the async API. A subgraph's run reads its saved checkpoint
        while preparing (``_nested_input``), so it prepares off the event loop, where an
        async saver's sync read would be refused (it would wait on its own loop)."""
        if maybe_current_task() is None:
            return self._prepare(input, config, call)
        return await asyncio.to_thread(self._prepare, input, config, call)

    def _prepare(self, input: Any, config: RunnableConfig | None, call: Call) -> Prepared:
        config = dict(config or {})
        configurable = dict(config.get("configurable") or {})
        parent = maybe_current_task()
        saver: BaseCheckpointSaver | None = None
        namespace = ""
        resume_pending: tuple[bool, Any] = (False, None)
        parents: dict[str, str] = {}
        forward: tuple[ChunkSink, tuple[str, ...]] | None = None
        sink: ChunkSink | None = None
        own_sink = False
        context = call.context
        store = self.store
        modes = call.modes
        if parent is not None:
            # A graph run inside a node: the parent's thread, a namespace of its own.
            scope = parent.scope
            saver = self._nested_saver(parent)
            index = parent.subgraph_calls
            parent.subgraph_calls += 1
            namespace = parent.namespace if index == 0 else f"{parent.namespace}|{index}"
            if self.checkpointer is True:
                namespace = without_task_ids(namespace)
            base = dict(scope.config)
            base.update({key: value for key, value in config.items() if key in ("tags",)})
            # The run's own id and name are not the subgraph's.
            base.pop("run_id", None)
            base.pop("run_name", None)
            if parent.trace is not None:
                # The subgraph's run is a child of the node's, as what else it calls.
                base["callbacks"] = parent.node_config()["callbacks"]
            config = base
            configurable = dict(scope.config.get("configurable") or {})
            configurable["checkpoint_ns"] = namespace
            parents = parent.parents
            sink = scope.sink
            if context is None:
                context = scope.context
            store = store if store is not None else scope.store
            if sink is not None and scope.forward:
                forward = (sink, tuple(namespace.split("|")))
                modes = tuple(sorted(sink.modes.union(modes)))
            if call.subgraphs or _LIVE_MODES.intersection(call.modes):
                # A stream() inside a node that asks for chunks made while tasks run
                # (custom, messages, tools), or for its subgraphs' events, takes them itself,
                # as in LangGraph: its own sink, drained by this run. What it does not keep
                # for itself also reaches a parent stream that streams subgraphs, at once:
                # not its custom chunks when it asked for them, never its handlers'
                # messages and tool events (a parent's own handler sees those, callbacks
                # being inherited). Its between-step chunks are forwarded by stream().
                sink = ChunkSink(
                    frozenset(modes),
                    tuple(namespace.split("|")),
                    subgraphs=call.subgraphs,
                    parent=None if forward is None else forward[0],
                    keeps=_HANDLED_MODES.union(_LIVE_MODES.intersection(call.modes)),
                )
                own_sink = True
        elif isinstance(self.checkpointer, BaseCheckpointSaver):
            saver = self.checkpointer
        config["configurable"] = configurable
        # What the graph's callback run shows as its input, when the run reports to callbacks.
        traced = (input,) if trace.wanted(config) else None
        if parent is not None:
            input, resume_pending = _nested_start(
                self.spec, saver, config, input, parent, persistent=self.checkpointer is True
            )
        thread_id = config_thread_id(config) if saver is not None else configurable.get("thread_id")
        chosen = (
            call.durability
            or (parent.scope.durability if parent is not None else None)
            or configurable.get("durability")
            or self.durability
        )
        if chosen not in DURABILITIES:
            raise InvalidConfigError(
                f"durability={chosen!r} is not one of {', '.join(DURABILITIES)}"
            )
        limit = config.get("recursion_limit", DEFAULT_RECURSION_LIMIT)
        if not isinstance(limit, int) or limit < 1:
            raise InvalidConfigError(f"recursion_limit must be a positive int, got {limit!r}")
        if parent is None and (call.subgraphs or self.live_modes & set(modes)):
            sink = ChunkSink(frozenset(modes))
        messages = parent.scope.messages if parent is not None else None
        # The run's own stream handlers: the root's, or a subgraph's streamed in a node.
        asked = modes if parent is None else call.modes if own_sink else ()
        if "messages" in asked:
            config, messages = _with_messages_handler(config, sink, call.subgraphs, messages)
        if "tools" in asked:
            config = _with_tools_handler(config, sink, call.subgraphs)
        opts = RunOptions(
            spec=self.spec,
            config=config,
            thread_id=None if thread_id is None else str(thread_id),
            namespace=namespace,
            has_saver=saver is not None,
            modes=frozenset(modes),
            durability=chosen,
            interrupt_before=frozenset(
                # An empty list keeps the compiled breakpoints, as in LangGraph.
                _names(call.interrupt_before)
                if call.interrupt_before
                else self.interrupt_before_nodes
            ),
            interrupt_after=frozenset(
                _names(call.interrupt_after) if call.interrupt_after else self.interrupt_after_nodes
            ),
            recursion_limit=limit,
            metadata={**(config.get("metadata") or {}), "parents": parents},
            resume_pending=resume_pending,
            continue_into_new_nodes=self.continue_into_new_nodes,
            has_cache=self.cache is not None,
            output_keys=(
                None
                if call.output_keys is None
                else (call.output_keys,)
                if isinstance(call.output_keys, str)
                else call.output_keys
            ),
        )
        self._check_input(input)
        # Whether the events of its subgraphs go to the sink: the caller asked for them,
        # or (a subgraph's run) the stream around it takes them.
        if parent is None:
            forwards = call.subgraphs
        elif own_sink:
            forwards = call.subgraphs or forward is not None
        else:
            forwards = forward is not None
        runner = TaskRunner(
            RunScope(
                config=config,
                namespace=namespace,
                checkpointer=saver,
                parents=parents,
                context=_coerce_context(self.context_schema, context),
                store=store,
                sink=sink,
                forward=forwards,
                drains=(parent is None and sink is not None) or own_sink,
                durability=chosen if parent is None else parent.scope.durability,
                thread_id=opts.thread_id,
                messages=messages,
                # Its steps (and its nodes' heartbeats) are progress for a timeout of the
                # node running it.
                progress=parent.progress if parent is not None and parent.watched else None,
                heartbeat=parent.beat_target() if parent is not None else None,
                # A subgraph's config is its parent's: so is what the server put in it.
                server_info=(
                    parent.scope.server_info
                    if parent is not None
                    else ServerInfo.from_configurable(configurable)
                ),
            )
        )
        lock: ThreadHold | None = None
        if saver is not None and parent is None:
            timeout = float(configurable.get("lock_timeout", DEFAULT_LOCK_TIMEOUT))
            lock = ThreadHold(saver, str(thread_id), timeout)
        return Prepared(opts, input, saver, runner, lock, forward, traced)

    def _drive(self, prepared: Prepared) -> Generator[Any, None, RunOutcome]:
        """The run's events (sync), reported to callbacks when its config has some."""
        driver = drive_sync(
            run_loop(prepared.opts, prepared.input), prepared.saver, prepared.runner, self.cache
        )
        if prepared.traced is None:
            return driver
        run = trace.start(prepared.opts.config, prepared.traced[0], self.name)
        prepared.runner.scope.trace = run
        return trace.traced(driver, run)

    async def _adrive(self, prepared: Prepared) -> AsyncIterator[Any]:
        driver = drive_async(
            run_loop(prepared.opts, prepared.input), prepared.saver, prepared.runner, self.cache
        )
        if prepared.traced is None:
            async for event in driver:
                yield event
            return
        run = await trace.astart(prepared.opts.config, prepared.traced[0], self.name)
        prepared.runner.scope.trace = run
        async for event in trace.atraced(driver, run):
            yield event

    def _nested_saver(self, parent: TaskContext) -> BaseCheckpointSaver | None:
        if self.checkpointer is False:
            return None
        if isinstance(self.checkpointer, BaseCheckpointSaver):
            return self.checkpointer
        return parent.checkpointer

    def _check_input(self, input: Any) -> None:
        if input is None or isinstance(input, Command):
            return
        self.spec.nodes["__start__"].write.updates_of(input)

    def stream(
        self,
        input: Any,
        config: RunnableConfig | None = None,
        *,
        context: Any = None,
        stream_mode: StreamMode | Sequence[StreamMode] | None = None,
        print_mode: StreamMode | Sequence[StreamMode] = (),
        output_keys: str | Sequence[str] | None = None,
        interrupt_before: All | Sequence[str] | None = None,
        interrupt_after: All | Sequence[str] | None = None,
        durability: Durability | None = None,
        subgraphs: bool = False,
        debug: bool | None = None,
        checkpoint_during: bool | None = None,
        version: Literal["v1", "v2"] = "v1",
    ) -> Iterator[Any]:
        """Run the graph and yield what ``stream_mode`` asks for after each step.

        Example::

            for chunk in app.stream({"topic": "cats"}, config, stream_mode="updates"):
                print(chunk)
        """
        call = Call.of(
            stream_mode,
            print_mode,
            output_keys,
            interrupt_before,
            interrupt_after,
            durability,
            checkpoint_during,
            context,
            subgraphs,
            bool(debug or self.debug),
            version,
            self.schema_classes,
        )
        prepared = self._prepare(input, config, call)
        home = prepared.home
        with hold(prepared.lock):
            for event in self._drive(prepared):
                if not event.namespace and event.mode not in _LIVE_MODES:
                    prepared.forward_event(event)  # a subgraph's own steps, to the run above
                if call.wants(event):
                    yield call.format(event, home)

    def invoke(
        self,
        input: Any,
        config: RunnableConfig | None = None,
        *,
        context: Any = None,
        stream_mode: StreamMode = "values",
        print_mode: StreamMode | Sequence[StreamMode] = (),
        output_keys: str | Sequence[str] | None = None,
        interrupt_before: All | Sequence[str] | None = None,
        interrupt_after: All | Sequence[str] | None = None,
        durability: Durability | None = None,
        debug: bool | None = None,
        checkpoint_during: bool | None = None,
        version: Literal["v1", "v2"] = "v1",
    ) -> Any:
        """Run the graph to the end (or a pause) and return its output state.

        Example::

            result = app.invoke({"topic": "cats"}, {"configurable": {"thread_id": "1"}})
        """
        if stream_mode != "values":
            chunks = list(
                self.stream(
                    input,
                    config,
                    context=context,
                    stream_mode=stream_mode,
                    print_mode=print_mode,
                    output_keys=output_keys,
                    interrupt_before=interrupt_before,
                    interrupt_after=interrupt_after,
                    durability=durability,
                    debug=debug,
                    checkpoint_during=checkpoint_during,
                    version=version,
                )
            )
            return chunks
        call = Call.of(
            (),
            print_mode,
            output_keys,
            interrupt_before,
            interrupt_after,
            durability,
            checkpoint_during,
            context,
            False,
            bool(debug or self.debug),
            version,
            self.schema_classes,
        )
        prepared = self._prepare(input, config, call)
        with hold(prepared.lock):
            driver = self._drive(prepared)
            while True:
                try:
                    event = next(driver)
                except StopIteration as stop:
                    return call.output(stop.value, nested=prepared.opts.namespace != "")
                prepared.forward_event(event)
                call.print(event)

    async def astream(
        self,
        input: Any,
        config: RunnableConfig | None = None,
        *,
        context: Any = None,
        stream_mode: StreamMode | Sequence[StreamMode] | None = None,
        print_mode: StreamMode | Sequence[StreamMode] = (),
        output_keys: str | Sequence[str] | None = None,
        interrupt_before: All | Sequence[str] | None = None,
        interrupt_after: All | Sequence[str] | None = None,
        durability: Durability | None = None,
        subgraphs: bool = False,
        debug: bool | None = None,
        checkpoint_during: bool | None = None,
        version: Literal["v1", "v2"] = "v1",
    ) -> AsyncIterator[Any]:
        """Async twin of :meth:`stream`."""
        call = Call.of(
            stream_mode,
            print_mode,
            output_keys,
            interrupt_before,
            interrupt_after,
            durability,
            checkpoint_during,
            context,
            subgraphs,
            bool(debug or self.debug),
            version,
            self.schema_classes,
        )
        prepared = await self._aprepare(input, config, call)
        home = prepared.home
        async with ahold(prepared.lock):
            async for event in self._adrive(prepared):
                if not isinstance(event, Emit):
                    continue
                if not event.namespace and event.mode not in _LIVE_MODES:
                    prepared.forward_event(event)  # a subgraph's own steps, to the run above
                if call.wants(event):
                    yield call.format(event, home)

    def astream_events(
        self,
        input: Any,
        config: RunnableConfig | None = None,
        *,
        version: Literal["v1", "v2"] = "v2",
        include_names: Sequence[str] | None = None,
        include_types: Sequence[str] | None = None,
        include_tags: Sequence[str] | None = None,
        exclude_names: Sequence[str] | None = None,
        exclude_types: Sequence[str] | None = None,
        exclude_tags: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[Mapping[str, Any]]:
        """Run the graph and yield langchain-core's ``astream_events`` (v2) events: the
        graph's, each node's and router's, and those of what the nodes call (chat model
        tokens, tools, custom events). ``kwargs`` go to :meth:`astream`.

        Example::

            async for event in app.astream_events({"topic": "cats"}, config, version="v2"):
                if event["event"] == "on_chat_model_stream":
                    print(event["data"]["chunk"].content, end="")
        """
        if version != "v2":
            raise InvalidConfigError(
                f"astream_events(version={version!r}): cairngraph gives the v2 event format "
                "(langchain-core's default and current one); pass version='v2'."
            )
        try:
            from langchain_core.tracers.event_stream import _astream_events_implementation_v2
        except ImportError as error:
            raise ImportError(
                "astream_events() reports through langchain-core's callbacks. Install the "
                "agents extra: pip install 'cairngraph[agents]'"
            ) from error
        return _astream_events_implementation_v2(
            self,  # type: ignore[arg-type]
            input,
            config,  # type: ignore[arg-type]
            include_names=include_names,
            include_types=include_types,
            include_tags=include_tags,
            exclude_names=exclude_names,
            exclude_types=exclude_types,
            exclude_tags=exclude_tags,
            **kwargs,
        )

    async def ainvoke(
        self,
        input: Any,
        config: RunnableConfig | None = None,
        *,
        context: Any = None,
        stream_mode: StreamMode = "values",
        print_mode: StreamMode | Sequence[StreamMode] = (),
        output_keys: str | Sequence[str] | None = None,
        interrupt_before: All | Sequence[str] | None = None,
        interrupt_after: All | Sequence[str] | None = None,
        durability: Durability | None = None,
        debug: bool | None = None,
        checkpoint_during: bool | None = None,
        version: Literal["v1", "v2"] = "v1",
    ) -> Any:
        """Async twin of :meth:`invoke`."""
        if stream_mode != "values":
            return [
                chunk
                async for chunk in self.astream(
                    input,
                    config,
                    context=context,
                    stream_mode=stream_mode,
                    print_mode=print_mode,
                    output_keys=output_keys,
                    interrupt_before=interrupt_before,
                    interrupt_after=interrupt_after,
                    durability=durability,
                    debug=debug,
                    checkpoint_during=checkpoint_during,
                    version=version,
                )
            ]
        call = Call.of(
            (),
            print_mode,
            output_keys,
            interrupt_before,
            interrupt_after,
            durability,
            checkpoint_during,
            context,
            False,
            bool(debug or self.debug),
            version,
            self.schema_classes,
        )
        prepared = await self._aprepare(input, config, call)
        outcome: RunOutcome | None = None
        async with ahold(prepared.lock):
            async for event in self._adrive(prepared):
                if isinstance(event, RunOutcome):
                    outcome = event
                else:
                    prepared.forward_event(event)
                    call.print(event)
        assert outcome is not None
        return call.output(outcome, nested=prepared.opts.namespace != "")

    def batch(
        self,
        inputs: Sequence[Any],
        config: RunnableConfig | Sequence[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any,
    ) -> list[Any]:
        """``invoke`` each input (with its own config when a list is given), concurrently.

        ``kwargs`` are :meth:`invoke`'s keyword arguments (a typo is a TypeError).
        """
        from concurrent.futures import ThreadPoolExecutor

        configs = _configs(inputs, config)

        def one(pair: tuple[Any, RunnableConfig | None]) -> Any:
            try:
                return self.invoke(pair[0], pair[1], **kwargs)
            except Exception as error:
                if return_exceptions:
                    return error
                raise

        pairs = list(zip(inputs, configs, strict=True))
        if len(pairs) <= 1:
            return [one(pair) for pair in pairs]
        with ThreadPoolExecutor(max_workers=min(16, len(pairs))) as pool:
            return list(pool.map(one, pairs))

    async def abatch(
        self,
        inputs: Sequence[Any],
        config: RunnableConfig | Sequence[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any,
    ) -> list[Any]:
        """Async twin of :meth:`batch`."""
        configs = _configs(inputs, config)
        return list(
            await asyncio.gather(
                *(self.ainvoke(i, c, **kwargs) for i, c in zip(inputs, configs, strict=True)),
                return_exceptions=return_exceptions,
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
        self,
        config: RunnableConfig,
        values: Any,
        as_node: str | None = None,
        task_id: str | None = None,
    ) -> RunnableConfig:
        """Write ``values`` as if ``as_node`` returned them: a new checkpoint, source ``update``.

        ``task_id`` credits the writes to one task of the pending step (from
        ``get_state(config).tasks``); by default they go to the next pending
        task of ``as_node``.

        Example::

            app.update_state(config, {"joke": "a better one"}, as_node="generate_joke")
            task = app.get_state(config).tasks[0]
            app.update_state(config, {"joke": "this one"}, as_node=task.name, task_id=task.id)
        """
        return self.bulk_update_state(config, [[StateUpdate(values, as_node, task_id)]])

    def bulk_update_state(
        self, config: RunnableConfig, supersteps: Sequence[Sequence[StateUpdate]]
    ) -> RunnableConfig:
        """Several updates at once: each superstep (a list of :class:`StateUpdate`) one checkpoint.

        ``as_node="__input__"`` saves a run's input (the next ``invoke(None,
        config)`` runs it); updates in one superstep apply together, as the
        writes of that many nodes of one step. An update's ``task_id`` names the
        pending task it stands for (by default the next pending task of its
        node): its writes are saved as that task's on the checkpoint the update
        builds on, so the history shows them as the task's ``result``.

        Example::

            app.bulk_update_state(config, [
                [StateUpdate({"topic": "owls"}, as_node="__input__")],
                [StateUpdate({"joke": "a hoot"}, as_node="generate_joke")],
            ])
        """
        plain: list[list[Update]] = []
        for updates in supersteps:
            step: list[Update] = []
            for update in updates:
                values, as_node, task_id = StateUpdate(*update)
                if task_id is not None and not isinstance(task_id, str):
                    raise InvalidUpdateError(
                        f"update_state(task_id={task_id!r}): a task id is a string, e.g. "
                        "graph.get_state(config).tasks[0].id"
                    )
                step.append((values, as_node, task_id))
            plain.append(step)
        saver = self._saver()
        thread_id = config_thread_id(config)
        timeout = float(
            (config.get("configurable") or {}).get("lock_timeout", DEFAULT_LOCK_TIMEOUT)
        )
        with saver.thread_lock(thread_id, timeout):
            return update_state(self, saver, config, plain)

    async def abulk_update_state(
        self, config: RunnableConfig, supersteps: Sequence[Sequence[StateUpdate]]
    ) -> RunnableConfig:
        """Async twin of :meth:`bulk_update_state`."""
        return await asyncio.to_thread(self.bulk_update_state, config, supersteps)

    async def aupdate_state(
        self,
        config: RunnableConfig,
        values: Any,
        as_node: str | None = None,
        task_id: str | None = None,
    ) -> RunnableConfig:
        """Async twin of :meth:`update_state`."""
        return await asyncio.to_thread(self.update_state, config, values, as_node, task_id)

    def clear_cache(self, nodes: Sequence[str] | None = None) -> None:
        """Forget the cached results of ``nodes`` (every node when None), as LangGraph does.

        Example::

            app = builder.compile(cache=InMemoryCache())
            app.clear_cache(["expensive"])   # or app.clear_cache() for every node
        """
        self._require_cache().clear(self._cache_namespaces(nodes))

    async def aclear_cache(self, nodes: Sequence[str] | None = None) -> None:
        """:meth:`clear_cache`, awaitable."""
        await self._require_cache().aclear(self._cache_namespaces(nodes))

    def _require_cache(self) -> BaseCache[Any]:
        if self.cache is None:
            raise InvalidConfigError(
                "No cache is set for this graph. Cannot clear cache. Compile it with one: "
                "builder.compile(cache=InMemoryCache())."
            )
        return self.cache

    def _cache_namespaces(self, nodes: Sequence[str] | None) -> list[tuple[str, ...]]:
        defs = self.builder.nodes
        chosen = list(nodes) if nodes else list(defs)
        return [cache_namespace(defs[node].action, node) for node in chosen if node in defs]

    def get_graph(
        self, config: RunnableConfig | None = None, *, xray: bool = False
    ) -> DrawableGraph:
        """The graph's shape, for drawing: ``app.get_graph().draw_mermaid()``."""
        from cairngraph.graph.draw import DrawableGraph

        return DrawableGraph.of(self.builder)

    # -- schemas (built with pydantic, only when asked for) ----------------------

    def get_name(self, suffix: str | None = None, *, name: str | None = None) -> str:
        """The graph's name (``compile(name=)``, "LangGraph" by default), with ``suffix``
        appended as LangGraph does: ``get_name("Input")`` is ``"LangGraphInput"``."""
        return _jsonschema.model_name(name or self.name, suffix) if suffix else name or self.name

    def get_input_jsonschema(self, config: RunnableConfig | None = None) -> dict[str, Any]:
        """The JSON schema of ``invoke``'s input, as LangGraph gives it:
        ``app.get_input_jsonschema()["properties"]``. Needs pydantic."""
        return _jsonschema.input_jsonschema(self.builder.input, self.get_name())

    def get_output_jsonschema(self, config: RunnableConfig | None = None) -> dict[str, Any]:
        """The JSON schema of ``invoke``'s result: ``app.get_output_jsonschema()``."""
        return _jsonschema.output_jsonschema(self.builder.output, self.name)

    def get_input_schema(self, config: RunnableConfig | None = None) -> Any:
        """A pydantic model of the input: ``app.get_input_schema().model_json_schema()``."""
        return _jsonschema.input_model(self.builder.input, self.name)

    def get_output_schema(self, config: RunnableConfig | None = None) -> Any:
        """A pydantic model of the output, every key optional."""
        return _jsonschema.output_model(self.builder.output, self.name)

    def get_context_jsonschema(self) -> dict[str, Any] | None:
        """The JSON schema of ``context_schema`` (None when the graph has none)."""
        return _jsonschema.context_jsonschema(self.context_schema)

    @property
    def input_schema(self) -> Any:
        """``get_input_schema()``, as LangGraph's property."""
        return self.get_input_schema()

    @property
    def output_schema(self) -> Any:
        """``get_output_schema()``, as LangGraph's property."""
        return self.get_output_schema()


def _register_types(serde: Any, builder: StateGraph) -> None:
    if isinstance(serde, SupportsRegistration):
        schemas = {builder.state.cls, builder.input.cls, builder.output.cls}
        serde.register(Send, Interrupt, *(cls for cls in schemas if cls is not dict))


def _nested_start(
    spec: GraphSpec,
    saver: BaseCheckpointSaver | None,
    config: RunnableConfig,
    input: Any,
    parent: TaskContext,
    *,
    persistent: bool,
) -> tuple[Any, tuple[bool, Any]]:
    """The input of a graph run inside a node, and the answer it may take.

    A run with no checkpoint yet starts from ``input``; its first ``interrupt()``
    may take the parent task's unbound answer. A paused run picks up where it
    stopped and takes the answer. A finished run of a resumed task returns its
    saved result without running again (as LangGraph's resumed subgraph does),
    leaving the answer for a later ``interrupt()``; a ``checkpointer=True``
    subgraph's finished thread runs the new input.
    """
    saved = saver.get_tuple(config) if saver is not None else None
    if saved is None:
        return input, parent.take_pending_resume()
    if snapshots.tasks_of(spec, saved):
        pending = parent.take_pending_resume()
        return (Command(resume=pending[1]) if pending[0] else None), pending
    resumed = bool(parent.resumes) or parent.has_pending_resume
    return (None if resumed and not persistent else input), (False, None)


def _names(value: All | Sequence[str]) -> tuple[str, ...]:
    return ("*",) if value == "*" else tuple(value)


def _coerce_context(schema: Any, context: Any) -> Any:
    """A dict given as context becomes the context schema's dataclass or model, as in LangGraph."""
    if context is None or schema is None or not isinstance(context, dict):
        return context
    if dataclasses.is_dataclass(schema) or hasattr(schema, "model_validate"):
        return schema(**context)
    return context


def _with_messages_handler(
    config: RunnableConfig,
    sink: ChunkSink | None,
    subgraphs: bool,
    outer: MessagesStream | None,
) -> tuple[RunnableConfig, MessagesStream]:
    """The run's config with the ``messages`` stream's callback handler added."""
    from cairngraph.engine._messages import messages_handler

    assert sink is not None
    handler, stream = messages_handler(sink, subgraphs, outer)
    return {**config, "callbacks": with_handler(config.get("callbacks"), handler)}, stream


def _with_tools_handler(
    config: RunnableConfig, sink: ChunkSink | None, subgraphs: bool
) -> RunnableConfig:
    """The run's config with the ``tools`` stream's callback handler added."""
    from cairngraph.engine._tools import tools_handler

    assert sink is not None
    return {
        **config,
        "callbacks": with_handler(config.get("callbacks"), tools_handler(sink, subgraphs)),
    }


def _configs(
    inputs: Sequence[Any], config: RunnableConfig | Sequence[RunnableConfig] | None
) -> list[RunnableConfig | None]:
    if isinstance(config, Sequence) and not isinstance(config, dict):
        return list(config)
    return [config] * len(inputs)
