"""The values users pass to and get from a graph: commands, interrupts, snapshots.

``interrupt()`` is the one function here with behaviour: it reads the running
task's context (a context variable set by the engine) to either return the
value the run was resumed with or pause the run.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Generic, Literal, NamedTuple, NotRequired, TypeVar

from typing_extensions import TypedDict

from cairngraph.checkpoint.base import BaseCheckpointSaver, CheckpointMetadata, RunnableConfig
from cairngraph.errors import InvalidConfigError

__all__ = [
    "All",
    "CachePolicy",
    "Checkpointer",
    "Command",
    "Durability",
    "GraphOutput",
    "Interrupt",
    "Overwrite",
    "PregelTask",
    "RetryPolicy",
    "Send",
    "StateSnapshot",
    "StateUpdate",
    "StreamMode",
    "StreamPart",
    "StreamWriter",
    "TimeoutPolicy",
    "interrupt",
]

Checkpointer = None | bool | BaseCheckpointSaver
"""What ``compile(checkpointer=)`` takes: a saver; None (a subgraph: its parent's);
True (a subgraph keeping its own state across runs); False (no saving)."""

All = Literal["*"]
"""``interrupt_before="*"``: pause before every node."""

StreamMode = Literal[
    "values", "updates", "debug", "custom", "messages", "checkpoints", "tasks", "tools"
]
"""What ``stream`` yields: the whole state after each step (``values``), each node's
update (``updates``), what nodes write with ``get_stream_writer()`` (``custom``),
chat-model tokens (``messages``), each checkpoint (``checkpoints``), each task's
start and result (``tasks``), the last three wrapped as engine events (``debug``),
or each tool call's start, partial output and end (``tools``)."""

StreamWriter = Callable[[Any], None]
"""The ``writer`` a node or entrypoint takes: ``writer(chunk)`` sends a ``custom`` chunk."""

Durability = Literal["sync", "async", "exit"]
"""When a step's checkpoint is written: before the next step (``sync``, the
default), while the next step runs (``async``), or only when the run ends,
pauses or fails (``exit``)."""

N = TypeVar("N", bound=Hashable)


def _tool_output_base() -> type:
    """langchain-core's ``ToolOutputMixin`` when it is installed, else ``object``.

    A tool that returns a ``Command`` must get it back from langchain-core's
    tool wrapper untouched (not turned into a ``ToolMessage`` of its repr), and
    langchain-core passes through only instances of that mixin, as LangGraph's
    ``Command`` is. cairngraph never needs langchain-core otherwise.
    """
    try:
        from langchain_core.messages.tool import ToolOutputMixin
    except ImportError:
        return object
    return ToolOutputMixin


_ToolOutput: Any = _tool_output_base()


@dataclass(frozen=True, slots=True)
class Interrupt:
    """A pause requested by ``interrupt(value)``; ``id`` addresses its resume value.

    Example::

        result = graph.invoke(inputs, config)
        question = result["__interrupt__"][0].value
    """

    value: Any
    id: str = ""
    response_schema: Any = None
    """What the answer should look like (a type or a JSON Schema dict), as in LangGraph."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TimeoutPolicy:
    """How long one attempt of a node or task may run before it is cancelled.

    ``run_timeout`` caps an attempt's wall-clock time and is never refreshed;
    ``idle_timeout`` caps the time an attempt goes without progress. Progress is
    ``runtime.heartbeat()`` and, with ``refresh_on="auto"`` (the default), also
    the node's own custom stream writes, the ``@task`` calls it starts and
    finishes, the steps of subgraphs it runs and the callback events of the
    chat models and runnables it calls (see :mod:`cairngraph.engine._timeout`).
    Seconds, as a number or a ``timedelta``. A
    timed-out attempt raises :class:`~cairngraph.errors.NodeTimeoutError`, its
    writes are dropped, and its retry policy decides whether it runs again.
    Only ``async def`` nodes and tasks, run with ``ainvoke``/``astream``, can
    have one: a running sync function cannot be cancelled.

    Example::

        graph.add_node("fetch", fetch, timeout=TimeoutPolicy(run_timeout=30, idle_timeout=5))
        graph.add_node("call_llm", call_llm, timeout=10.0)   # the same as run_timeout=10.0
    """

    run_timeout: float | timedelta | None = None
    idle_timeout: float | timedelta | None = None
    refresh_on: Literal["auto", "heartbeat"] = "auto"

    @classmethod
    def coerce(cls, value: float | timedelta | TimeoutPolicy | None) -> TimeoutPolicy | None:
        """``value`` as a policy in float seconds: a number or ``timedelta`` is a ``run_timeout``.

        None, and a policy with neither timeout, give None (no timeout). A
        timeout that is not a positive number of seconds, or an unknown
        ``refresh_on``, is an :class:`~cairngraph.errors.InvalidConfigError` (a
        ``ValueError``, as LangGraph raises).
        """
        if value is None:
            return None
        policy = value if isinstance(value, TimeoutPolicy) else cls(run_timeout=value)
        if policy.refresh_on not in ("auto", "heartbeat"):
            raise InvalidConfigError(
                f"TimeoutPolicy(refresh_on={policy.refresh_on!r}): refresh_on must be 'auto' "
                "or 'heartbeat'"
            )
        run = _seconds(policy.run_timeout, "run_timeout")
        idle = _seconds(policy.idle_timeout, "idle_timeout")
        if run is None and idle is None:
            return None
        return cls(run_timeout=run, idle_timeout=idle, refresh_on=policy.refresh_on)


def _seconds(value: float | timedelta | None, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    else:
        raise InvalidConfigError(
            f"{name}={value!r}: a timeout is a number of seconds or a timedelta, "
            "e.g. timeout=30 or timeout=timedelta(seconds=30)"
        )
    if not seconds > 0 or math.isinf(seconds):
        raise InvalidConfigError(
            f"{name}={value!r}: {name} must be a positive, finite number of seconds"
        )
    return seconds


@dataclass(frozen=True, slots=True, init=False)
class Send:
    """Start ``node`` in the next step with its own input ``arg`` (map-reduce).

    ``timeout`` (a number of seconds, a ``timedelta`` or a
    :class:`TimeoutPolicy`) replaces the node's own timeout for this one task.

    Example::

        def fan_out(state):
            return [Send("summarize", {"doc": d}) for d in state["docs"]]
    """

    node: str
    arg: Any
    timeout: TimeoutPolicy | None

    def __init__(
        self, node: str, arg: Any, *, timeout: float | timedelta | TimeoutPolicy | None = None
    ) -> None:
        object.__setattr__(self, "node", node)
        object.__setattr__(self, "arg", arg)
        object.__setattr__(self, "timeout", TimeoutPolicy.coerce(timeout))

    def __repr__(self) -> str:
        if self.timeout is None:
            return f"Send(node={self.node!r}, arg={self.arg!r})"
        return f"Send(node={self.node!r}, arg={self.arg!r}, timeout={self.timeout!r})"


OVERWRITE: Literal["__overwrite__"] = "__overwrite__"
"""The marker of an :class:`Overwrite`, also as a dict: ``{"__overwrite__": value}``."""


@dataclass(slots=True)
class Overwrite:
    """Write ``value`` to a reducer key as it is, bypassing the reducer, for one step.

    A key receives at most one Overwrite a step (two are an
    :class:`~cairngraph.errors.InvalidUpdateError`); writes after it in the same
    step are ignored. The dict forms ``{"__overwrite__": value}`` and
    ``{"type": "__overwrite__", "value": value}`` (an Overwrite after a trip
    through JSON) mean the same. A plain key stores the Overwrite itself.

    Example::

        class State(TypedDict):
            notes: Annotated[list[str], operator.add]

        def reset(state: State) -> dict:
            return {"notes": Overwrite(["fresh start"])}  # not appended: replaced
    """

    value: Any
    type: Literal["__overwrite__"] = OVERWRITE


def overwritten(write: Any) -> tuple[bool, Any]:
    """``(True, value)`` when ``write`` is an :class:`Overwrite` or one of its dict forms."""
    if isinstance(write, Overwrite):
        return True, write.value
    if isinstance(write, dict):
        if len(write) == 1 and OVERWRITE in write:
            return True, write[OVERWRITE]
        if write.get("type") == OVERWRITE and "value" in write:
            return True, write["value"]
    return False, None


@dataclass(frozen=True, slots=True, kw_only=True)
class Command(Generic[N], _ToolOutput):  # type: ignore[misc]  # base chosen at import
    """Returned by a node to update state and choose where to go; passed to
    ``invoke`` with ``resume=`` to answer an interrupt.

    Example::

        def route(state):
            return Command(update={"seen": True}, goto="review")

        graph.invoke(Command(resume="approved"), config)
    """

    graph: str | None = None
    update: Any | None = None
    resume: Any | None = None
    goto: N | Send | Sequence[N | Send] = ()

    PARENT = "__parent__"

    def __repr__(self) -> str:
        # As LangGraph shows it: only the fields that are set (and not empty), nested
        # dataclasses as dicts; a value that cannot be copied is shown as it is.
        try:
            fields = dataclasses.asdict(self)
        except Exception:  # noqa: BLE001 - a repr must not raise
            fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        contents = ", ".join(f"{name}={value!r}" for name, value in fields.items() if value)
        return f"Command({contents})"


def default_retry_on(error: Exception) -> bool:
    r"""LangGraph's default: retry errors that are usually transient, not programming errors.

    A connection error is retried; an HTTP error (``httpx.HTTPStatusError``,
    ``requests.HTTPError``) only for a 5xx status; other ``OSError``\ s (a
    timeout included) and the usual programming errors are not. Neither HTTP
    library is imported: the error's own classes are looked at.
    """
    if isinstance(error, ConnectionError):
        return True
    status = _http_status(error)
    if status is not None:
        return status is True or 500 <= status < 600
    permanent = (
        ValueError,
        TypeError,
        ArithmeticError,
        ImportError,
        LookupError,
        NameError,
        SyntaxError,
        RuntimeError,
        ReferenceError,
        StopIteration,
        StopAsyncIteration,
        OSError,
    )
    return not isinstance(error, permanent)


_HTTP_ERRORS = {("httpx", "HTTPStatusError"), ("requests.exceptions", "HTTPError")}


def _http_status(error: Exception) -> int | bool | None:
    """The status of an httpx/requests HTTP error (True: requests' error without a response)."""
    for cls in type(error).__mro__:
        if (cls.__module__.split("._")[0], cls.__name__) in _HTTP_ERRORS:
            response = getattr(error, "response", None)
            code = getattr(response, "status_code", None)
            if isinstance(code, int):
                return code
            return True if cls.__module__.startswith("requests") else None
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """How a failing node is retried before the run gives up.

    Example::

        graph.add_node("call_llm", call_llm, retry_policy=RetryPolicy(max_attempts=5))
    """

    initial_interval: float = 0.5
    backoff_factor: float = 2.0
    max_interval: float = 128.0
    max_attempts: int = 3
    jitter: bool = True
    retry_on: type[Exception] | Sequence[type[Exception]] | Callable[[Exception], bool] = field(
        default=default_retry_on
    )

    def should_retry(self, error: Exception, attempt: int) -> bool:
        """Whether attempt number ``attempt`` (1-based) that raised ``error`` is retried."""
        if attempt >= self.max_attempts:
            return False
        check = self.retry_on
        if isinstance(check, type):
            return isinstance(error, check)
        if isinstance(check, Sequence):
            return isinstance(error, tuple(check))
        return bool(check(error))

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        interval = min(
            self.max_interval, self.initial_interval * self.backoff_factor ** (attempt - 1)
        )
        return interval + (random.uniform(0, 1) if self.jitter else 0.0)


@dataclass(frozen=True, slots=True, kw_only=True)
class CachePolicy:
    """Reuse a node's result for the same input, for ``ttl`` seconds (None: forever).

    ``key_func`` turns the node's input into the cache key (by default, its
    serialized bytes).

    Example::

        graph.add_node("fetch", fetch, cache_policy=CachePolicy(ttl=60))
        app = graph.compile(cache=InMemoryCache())
    """

    key_func: Callable[..., str | bytes] | None = None
    ttl: int | None = None


class PregelTask(NamedTuple):
    """A task of a snapshot: a node that runs (or ran) from that checkpoint."""

    id: str
    name: str
    path: tuple[Any, ...]
    error: str | None = None
    """The task's exception as its repr (``"ValueError('bad')"``), as in LangGraph."""
    interrupts: tuple[Interrupt, ...] = ()
    state: RunnableConfig | StateSnapshot | None = None
    result: Any | None = None


class StateUpdate(NamedTuple):
    """One update of ``bulk_update_state``: ``values`` as if ``as_node`` returned them.

    Example::

        graph.bulk_update_state(config, [
            [StateUpdate({"topic": "owls"}, as_node="__input__")],
            [StateUpdate({"joke": "..."}, as_node="write_joke")],
        ])
    """

    values: dict[str, Any] | Any | None
    as_node: str | None = None
    task_id: str | None = None


class StateSnapshot(NamedTuple):
    """The state of a thread at one checkpoint, as ``get_state`` returns it."""

    values: dict[str, Any] | Any
    next: tuple[str, ...]
    config: RunnableConfig
    metadata: CheckpointMetadata | None
    created_at: str | None
    parent_config: RunnableConfig | None
    tasks: tuple[PregelTask, ...]
    interrupts: tuple[Interrupt, ...] = ()


def interrupt(value: Any) -> Any:
    """Pause the run and hand ``value`` to the caller; return the resume value.

    The first time a node calls it, the run stops (the node's other writes are
    discarded) and ``invoke`` returns with ``"__interrupt__"``. When the caller
    answers with ``invoke(Command(resume=answer), config)``, the node runs again
    from its start and this call returns ``answer``.

    Example::

        def review(state):
            verdict = interrupt({"draft": state["draft"]})
            return {"approved": verdict == "yes"}
    """
    from cairngraph.engine._context import current_task

    return current_task().interrupt(value)


OutputT = TypeVar("OutputT")


@dataclass(frozen=True)
class GraphOutput(Generic[OutputT]):
    """What ``invoke(..., version="v2")`` returns: the output, and the interrupts apart.

    ``value`` is the output state (the output schema's dataclass or pydantic model
    when it is one, else a dict); ``interrupts`` are the pauses the run ended on.

    Example::

        out = graph.invoke({"topic": "cats"}, config, version="v2")
        if out.interrupts:
            print("waiting for:", out.interrupts[0].value)
        else:
            print(out.value)
    """

    value: OutputT
    interrupts: tuple[Interrupt, ...] = ()

    def __getitem__(self, key: str) -> Any:
        """Reads written for version 1's dict: ``out["__interrupt__"]``, ``out["key"]``."""
        if key == "__interrupt__":
            return self.interrupts
        if isinstance(self.value, dict):
            return self.value[key]
        try:
            return getattr(self.value, key)
        except AttributeError:
            raise KeyError(key) from None

    def __contains__(self, key: object) -> bool:
        if key == "__interrupt__":
            return bool(self.interrupts)
        if isinstance(self.value, dict):
            return key in self.value
        return isinstance(key, str) and hasattr(self.value, key)


class StreamPart(TypedDict):
    """One chunk of ``stream(..., version="v2")``, whatever the stream modes.

    ``type`` is the stream mode that made it, ``ns`` the namespace of the
    (sub)graph it comes from (``()`` for the graph streamed), ``data`` what
    version 1 yields for that mode. ``values`` parts also carry
    ``interrupts``, the pauses the step ended on (``()`` for none), and their
    ``data`` is the output schema's dataclass or pydantic model when it is one.

    Example::

        for part in graph.stream(inputs, config, stream_mode=["updates", "custom"],
                                 version="v2"):
            print(part["type"], part["ns"], part["data"])
    """

    type: StreamMode
    ns: tuple[str, ...]
    data: Any
    interrupts: NotRequired[tuple[Interrupt, ...]]
