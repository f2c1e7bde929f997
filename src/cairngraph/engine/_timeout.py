"""Per-attempt timeouts (``timeout=`` of ``add_node``, ``@task``, ``@entrypoint``, ``Send``).

An attempt of a timed task runs as an asyncio task of its own while the
runner waits for it, its ``run_timeout`` (wall clock since the attempt
started) and its ``idle_timeout`` (time since its last progress), whichever
comes first. When a limit passes, the attempt is cancelled, the ``@task``
calls it started and that are still running are cancelled with it, and
:class:`~cairngraph.errors.NodeTimeoutError` takes the place of its result:
the runner treats it as any error (the retry policy decides), so none of the
attempt's writes is ever applied or saved.

Progress comes in three kinds, as LangGraph counts it:

- ``runtime.heartbeat()``: refreshes the task's own clock in either mode; a
  task without a clock passes it to the node running its graph (a subgraph's
  nodes beat for that node), never to a ``@task`` call's caller;
- the task's own custom stream writes (``refresh_on="auto"`` only, own clock);
- structural progress, passed up the whole chain (callers and the nodes
  running subgraphs), each clock with ``refresh_on="auto"`` taking it: a task
  starting or ending, a ``@task`` call being started, and every langchain-core
  callback event of the runnables a task runs (a chat model's tokens among
  them; through a handler added to the task's config, when langchain-core is
  installed).

Invariants: only async attempts are timed (a running sync function cannot be
cancelled, so a timed sync node or task is refused when it is defined, and a
timed node reached by a sync run is refused when it would start); a closed
clock (a finished or timed-out attempt) ignores and stops every signal.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal

from cairngraph.errors import InvalidConfigError, InvalidGraphError, NodeTimeoutError
from cairngraph.types import TimeoutPolicy

__all__ = [
    "AttemptClock",
    "Signal",
    "has_native_async",
    "langchain_installed",
    "progress_handler",
    "with_handler",
    "run_timed",
    "sync_refused",
    "sync_run_refused",
]

Signal = Callable[[], None]
"""A kind of progress reported by a running task (see the module docstring)."""


class AttemptClock:
    """The time of a timed task's current attempt, and when it last made progress.

    ``upward`` passes structural progress on to the task this one runs inside
    (its caller, or the node running its graph), whose own timeout it may refresh.
    """

    __slots__ = ("auto", "idle_limit", "last", "open", "run_limit", "started", "upward")

    def __init__(self, policy: TimeoutPolicy, upward: Signal | None) -> None:
        self.run_limit = _seconds(policy.run_timeout)
        self.idle_limit = _seconds(policy.idle_timeout)
        self.auto = policy.refresh_on == "auto"
        self.upward = upward
        self.started = self.last = time.monotonic()
        self.open = False

    def start(self) -> None:
        """A new attempt begins: both limits count from now."""
        self.started = self.last = time.monotonic()
        self.open = True

    def close(self) -> None:
        self.open = False

    def heartbeat(self) -> None:
        """``runtime.heartbeat()``: progress in either mode."""
        if self.open:
            self.last = time.monotonic()

    def own(self) -> None:
        """The task's own custom stream write: progress with ``refresh_on="auto"``."""
        if self.open and self.auto:
            self.last = time.monotonic()

    def progress(self) -> None:
        """Structural progress of the attempt or below it; passed up the chain."""
        if not self.open:
            return
        if self.auto:
            self.last = time.monotonic()
        if self.upward is not None:
            self.upward()

    def expired(self, now: float) -> tuple[Literal["idle", "run"] | None, float]:
        """Which limit has passed at ``now`` (the run limit first), else None and the
        seconds until the nearer one."""
        run, idle = self.run_limit, self.idle_limit
        wait = float("inf")
        if run is not None:
            left = self.started + run - now
            if left <= 0:
                return "run", 0.0
            wait = left
        if idle is not None:
            left = self.last + idle - now
            if left <= 0:
                return "idle", 0.0
            wait = min(wait, left)
        return None, wait


def _seconds(value: Any) -> float | None:
    # TimeoutPolicy.coerce made every limit a float already; a timedelta never reaches here.
    return None if value is None else float(value)


async def run_timed(
    name: str,
    attempt: Awaitable[Any],
    clock: AttemptClock,
    started: Callable[[], Sequence[Any]],
) -> Any:
    """Await ``attempt`` within ``clock``'s limits; on a timeout cancel it and its calls
    (``started()`` gives their futures) and raise :class:`NodeTimeoutError`."""
    clock.start()
    work = asyncio.ensure_future(attempt)
    try:
        while True:
            kind, wait = clock.expired(time.monotonic())
            if kind is not None:
                break
            done, _ = await asyncio.wait((work,), timeout=wait)
            if done:
                return work.result()
        elapsed = time.monotonic() - clock.started
        clock.close()
        work.cancel()
        work.add_done_callback(_retrieve)
        for future in started():
            if isinstance(future, asyncio.Future) and not future.done():
                future.cancel()
                future.add_done_callback(_retrieve)
        raise NodeTimeoutError(
            name, elapsed, kind=kind, run_timeout=clock.run_limit, idle_timeout=clock.idle_limit
        )
    except asyncio.CancelledError:
        # The run itself is being torn down (a sibling failed, the caller gave up).
        work.cancel()
        raise
    finally:
        clock.close()


def _retrieve(future: asyncio.Future[Any]) -> None:
    """Mark a cancelled attempt's outcome as seen, so asyncio does not log it."""
    if not future.cancelled():
        with contextlib.suppress(BaseException):
            future.exception()


_WHY = "a running sync function cannot be cancelled"


def sync_refused(kind: Literal["node", "task", "entrypoint"], name: str) -> InvalidGraphError:
    """The error for ``timeout=`` on a sync node, task or entrypoint (LangGraph's ValueError)."""
    return InvalidGraphError(
        [
            f"{kind} {name!r} has timeout= but is a sync function, and timeouts are only "
            f"supported for async nodes and tasks ({_WHY}). Make it `async def` and run the "
            "graph with ainvoke()/astream(), or drop timeout="
        ]
    )


def sync_run_refused(name: str, *, is_async: bool) -> InvalidConfigError:
    """The error for a timed node about to run as sync code: in ``invoke()``/``stream()``,
    or a sync node given a timeout by ``Send(timeout=)``."""
    if is_async:
        fix = "Run the graph with ainvoke()/astream(), or drop timeout="
    else:
        fix = "Make the node `async def`, or send it without timeout="
    return InvalidConfigError(
        f"node {name!r} has a timeout, which only an async run of an async node can "
        f"enforce ({_WHY}). {fix}"
    )


def has_native_async(action: Any) -> bool:
    """Whether ``action`` runs as a coroutine of its own, so a timeout can cancel it.

    A coroutine function (or a callable whose ``__call__`` is one), or a runnable
    (a compiled graph among them) with an async implementation of its own: langchain-core's
    ``RunnableLambda`` only with an async function, another runnable only when its
    class defines ``ainvoke`` itself (langchain-core's default runs the sync
    ``invoke`` in a thread, which a timeout could not stop).
    """
    if inspect.isroutine(action):
        return inspect.iscoroutinefunction(action)
    if hasattr(action, "invoke"):
        if type(action).__name__ == "RunnableLambda" and hasattr(action, "afunc"):
            return getattr(action, "afunc", None) is not None
        for cls in type(action).__mro__:
            if "ainvoke" in vars(cls):
                # langchain-core's own default awaits the sync invoke() in a thread.
                return not (cls.__name__ == "Runnable" and cls.__module__.startswith("langchain"))
        return False
    return inspect.iscoroutinefunction(getattr(action, "__call__", None))  # noqa: B004


_CALLBACK_EVENTS = (
    "on_llm_start",
    "on_chat_model_start",
    "on_llm_new_token",
    "on_llm_end",
    "on_llm_error",
    "on_chain_start",
    "on_chain_end",
    "on_chain_error",
    "on_tool_start",
    "on_tool_end",
    "on_tool_error",
    "on_retriever_start",
    "on_retriever_end",
    "on_retriever_error",
    "on_agent_action",
    "on_agent_finish",
    "on_text",
    "on_retry",
    "on_custom_event",
)


@functools.cache
def _handler_class() -> type | None:
    try:
        from langchain_core.callbacks import BaseCallbackHandler
    except ImportError:
        return None

    def on_event(self: Any, *args: Any, **kwargs: Any) -> None:
        self.signal()

    def init(self: Any, signal: Signal) -> None:
        BaseCallbackHandler.__init__(self)
        self.signal = signal

    body: dict[str, Any] = {name: on_event for name in _CALLBACK_EVENTS}
    body.update(__init__=init, run_inline=True, __doc__="Callback events as progress.")
    return type("TimeoutProgressHandler", (BaseCallbackHandler,), body)


def langchain_installed() -> bool:
    """Whether langchain-core is there to report a timed node's callback events."""
    return _handler_class() is not None


def progress_handler(signal: Signal) -> Any | None:
    """A langchain-core callback handler whose every event is progress (``signal()``),
    or None without langchain-core."""
    cls = _handler_class()
    return None if cls is None else cls(signal)


def with_handler(callbacks: Any, handler: Any) -> Any:
    """``callbacks`` (None, a list of handlers or a callback manager) with ``handler`` added."""
    if callbacks is None:
        return [handler]
    if isinstance(callbacks, list):
        return [*callbacks, handler]
    callbacks = callbacks.copy()
    callbacks.add_handler(handler, inherit=True)
    return callbacks
