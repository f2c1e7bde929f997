"""``@entrypoint``: a function as a durable workflow, one node that calls tasks.

The decorated function becomes a graph of one node, named after it, that
runs on the run's input. Its channels are LangGraph's for an entrypoint:
``__start__`` (the input, read once), ``__end__`` (what it returned: the
run's output and the thread's ``values``) and ``__previous__`` (what the next
run of the thread sees as ``previous``: the return value, or
``entrypoint.final(save=...)``).

Invariants: the input step is step -1 and the function's run is step 0 of
the run (after the thread's last step on later runs), as in LangGraph; every
task it calls runs inside that one step, so a paused or failed run resumes
from the input checkpoint, with the saved results of the calls that finished.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Generic, TypeVar

from cairngraph.cache.base import BaseCache
from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.constants import END, PREVIOUS, START
from cairngraph.engine._cache import NodeCache, cache_namespace
from cairngraph.engine._context import TaskContext
from cairngraph.engine._timeout import sync_refused
from cairngraph.engine.algo import GraphSpec, NodeSpec
from cairngraph.engine.channels import Channel, Ephemeral, LastValue
from cairngraph.errors import InvalidGraphError, InvalidUpdateError
from cairngraph.func._graph import EntrypointGraph
from cairngraph.func._task import DEFAULTS, Defaults, retry_of
from cairngraph.types import CachePolicy, RetryPolicy, TimeoutPolicy

__all__ = ["entrypoint"]

R = TypeVar("R")
S = TypeVar("S")

_INJECTED = ("config", "writer", "store", "runtime", "previous")


class entrypoint:
    """Turn a function into a workflow graph: ``invoke``, ``stream``, ``get_state``...

    The function takes one input (use a dict for several values) and may ask
    for ``previous`` (what the thread's last run returned or saved),
    ``config``, ``writer``, ``store`` and ``runtime`` by naming them.

    Example::

        @task
        def compose_essay(topic: str) -> str:
            return f"An essay about {topic}"

        @entrypoint(checkpointer=InMemorySaver())
        def review(topic: str) -> dict:
            essay = compose_essay(topic).result()
            verdict = interrupt({"essay": essay})
            return {"essay": essay, "verdict": verdict}

        config = {"configurable": {"thread_id": "1"}}
        review.invoke("cats", config)                   # pauses at interrupt()
        review.invoke(Command(resume="great"), config)  # the essay is not written again
    """

    def __init__(
        self,
        checkpointer: BaseCheckpointSaver | None = None,
        store: Any = None,
        cache: BaseCache[Any] | None = None,
        context_schema: type[Any] | None = None,
        cache_policy: CachePolicy | None = None,
        retry_policy: RetryPolicy | Sequence[RetryPolicy] | None = None,
        timeout: float | timedelta | TimeoutPolicy | None = None,
    ) -> None:
        """``timeout`` (``async def`` workflows only) caps each attempt of the function
        (the tasks it calls keep their own): seconds, a ``timedelta`` or a
        :class:`~cairngraph.types.TimeoutPolicy`."""
        self.timeout = TimeoutPolicy.coerce(timeout)
        self.checkpointer = checkpointer
        self.store = store
        self.cache = cache
        self.context_schema = context_schema
        self.cache_policy = cache_policy
        self.retry_policy: tuple[RetryPolicy, ...] = (
            ()
            if retry_policy is None
            else (retry_policy,)
            if isinstance(retry_policy, RetryPolicy)
            else tuple(retry_policy)
        )

    @dataclass(frozen=True, slots=True)
    class final(Generic[R, S]):
        """Return ``value`` to the caller, but save ``save`` as the next run's ``previous``.

        Example::

            @entrypoint(checkpointer=InMemorySaver())
            def running_total(n: int, *, previous: int | None = None) -> entrypoint.final[int, int]:
                total = (previous or 0) + n
                return entrypoint.final(value=previous or 0, save=total)
        """

        value: R
        save: S

    def __call__(self, func: Callable[..., Any]) -> EntrypointGraph:
        """Compile ``func`` into its graph."""
        name = getattr(func, "__name__", None)
        if not isinstance(name, str):
            raise InvalidGraphError(
                [f"entrypoint {func!r} has no __name__: decorate a named function"]
            )
        if inspect.isgeneratorfunction(func) or inspect.isasyncgenfunction(func):
            raise InvalidGraphError(
                [
                    f"entrypoint {name!r} is a generator function. An entrypoint returns its "
                    "result; to send chunks while it runs, take a `writer` parameter and call "
                    "writer(chunk) (stream_mode='custom')."
                ]
            )
        parameters = list(inspect.signature(func).parameters.values())
        if not parameters:
            raise InvalidGraphError(
                [f"entrypoint {name!r} takes no parameter; it needs one for its input"]
            )
        cache = None
        if self.cache is not None and self.cache_policy is not None:
            cache = NodeCache(self.cache_policy, cache_namespace(func, name))
        retry = retry_of(self.retry_policy)
        defaults = Defaults(retry, self.cache_policy)
        is_async = inspect.iscoroutinefunction(func)
        if self.timeout is not None and not is_async:
            raise sync_refused("entrypoint", name)
        node = NodeSpec(
            name=name,
            triggers=(START,),
            run=None if is_async else _bound(func, parameters, defaults),
            arun=_abound(func, parameters, defaults) if is_async else None,
            read=_read_input,
            write=_EntryWriter(self.final),
            retry=retry,
            cache=cache,
            timeout=self.timeout,
        )
        spec = GraphSpec(
            nodes={START: _input_node(name), name: node},
            channels={
                START: Ephemeral(START),
                END: LastValue(Any, END),
                PREVIOUS: LastValue(Any, PREVIOUS),
            },
            state_keys=(END,),
            output=_output,
            values=_values,
            trigger_to_nodes={START: (name,)},
            continuations={},
        )
        return EntrypointGraph(
            func=func,
            spec=spec,
            name=name,
            checkpointer=self.checkpointer,
            store=self.store,
            cache=self.cache,
            context_schema=self.context_schema,
        )


def _wanted(parameters: list[inspect.Parameter]) -> tuple[str, ...]:
    """The injected parameters the function names (after its input)."""
    return tuple(
        p.name
        for p in parameters[1:]
        if p.name in _INJECTED and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    )


def _bound(
    func: Callable[..., Any], parameters: list[inspect.Parameter], defaults: Defaults
) -> Callable[[Any, Any], Any]:
    """``call(input, task)``: ``func`` with its input and the parameters it names injected.

    While it runs, the tasks it calls take the entrypoint's policies as defaults.
    """
    wanted = _wanted(parameters)

    def call(input: Any, task: TaskContext) -> Any:
        token = DEFAULTS.set(defaults)
        try:
            return func(input, **{name: _provide(name, task) for name in wanted})
        finally:
            DEFAULTS.reset(token)

    return call


def _abound(
    func: Callable[..., Any], parameters: list[inspect.Parameter], defaults: Defaults
) -> Callable[[Any, Any], Any]:
    """Async twin of :func:`_bound`, for an ``async def`` entrypoint."""
    wanted = _wanted(parameters)

    async def call(input: Any, task: TaskContext) -> Any:
        token = DEFAULTS.set(defaults)
        try:
            return await func(input, **{name: _provide(name, task) for name in wanted})
        finally:
            DEFAULTS.reset(token)

    return call


def _provide(name: str, task: TaskContext) -> Any:
    if name == "config":
        return task.node_config()
    if name == "previous":
        return task.previous
    runtime = task.runtime
    if name == "writer":
        return runtime.stream_writer
    if name == "store":
        return runtime.store
    return runtime


def _read_input(channels: Mapping[str, Channel]) -> Any:
    return channels[START].value


def _output(channels: Mapping[str, Channel]) -> Any:
    # A run paused before the function returned has no output yet; LangGraph gives a dict
    # then, so the caller finds "__interrupt__" in it.
    channel = channels[END]
    return channel.value if channel.is_available() else {}


def _values(channels: Mapping[str, Channel]) -> Any:
    channel = channels[END]
    return channel.value if channel.is_available() else None


class _EntryWriter:
    """The entrypoint's writes: its output, and what the next run sees as ``previous``."""

    __slots__ = ("final",)

    def __init__(self, final: type[Any]) -> None:
        self.final = final

    def __call__(self, output: Any, read_fresh: Any) -> list[tuple[str, Any]]:
        if isinstance(output, self.final):
            return [(END, output.value), (PREVIOUS, output.save)]
        return [(END, output), (PREVIOUS, output)]

    def updates_of(self, output: Any) -> list[tuple[str, Any]]:
        return self(output, None)

    def command_writes(self, command: Any) -> list[tuple[str, Any]]:
        raise InvalidUpdateError(
            "an entrypoint returns its result; it cannot return a Command(update=/goto=)"
        )


class _InputWriter:
    """The input of an entrypoint: any value; a Command may only resume it."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, output: Any, read_fresh: Any) -> list[tuple[str, Any]]:
        return []

    def updates_of(self, output: Any) -> list[tuple[str, Any]]:
        return []

    def command_writes(self, command: Any) -> list[tuple[str, Any]]:
        raise InvalidUpdateError(
            f"entrypoint {self.name!r} has no state to update or nodes to go to: pass "
            "Command(resume=...) to answer an interrupt, or a new input to run it again"
        )


def _input_node(name: str) -> NodeSpec:
    # Never triggered: the entrypoint reads the input channel itself.
    return NodeSpec(
        name=START,
        triggers=(),
        run=None,
        arun=None,
        read=_read_input,
        write=_InputWriter(name),
        hidden=True,
    )
