"""What a running node can reach without parameters: its task, its run, its stream.

The engine sets :data:`_CURRENT` around each task; ``interrupt()``,
``get_config()``, ``get_runtime()``, ``get_stream_writer()`` and a subgraph
invoked inside a node read it. Each task runs in its own copy of the context,
so concurrent tasks never see each other's.

:class:`RunScope` is what every task of one run shares (config, context,
store, the stream sink); :class:`TaskContext` is one task's view, with its
config and :class:`~cairngraph.runtime.Runtime` built only when asked for.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cairngraph.constants import DEFAULT_RECURSION_LIMIT, PREVIOUS
from cairngraph.errors import GraphInterrupt

if TYPE_CHECKING:
    from collections.abc import Mapping

    from cairngraph.checkpoint.base import BaseCheckpointSaver, RunnableConfig
    from cairngraph.engine._calls import CallSite
    from cairngraph.engine._messages import MessagesStream
    from cairngraph.engine._stream import ChunkSink
    from cairngraph.engine._timeout import AttemptClock, Signal
    from cairngraph.engine._trace import GraphRun
    from cairngraph.engine.channels import Channel
    from cairngraph.runtime import Runtime, ServerInfo

__all__ = [
    "RunScope",
    "TaskContext",
    "current_task",
    "interrupt_id",
    "maybe_current_task",
    "task_namespace",
    "without_task_ids",
]


def task_namespace(namespace: str, name: str, task_id: str) -> str:
    """The namespace of a task's subgraph: its graph's namespace, then ``name:task_id``."""
    local = f"{name}:{task_id}"
    return f"{namespace}|{local}" if namespace else local


def without_task_ids(namespace: str) -> str:
    """The namespace of a ``checkpointer=True`` subgraph: the same for every run of its node,
    so the subgraph keeps its own history across the parent's runs."""
    return "|".join(part.split(":", 1)[0] for part in namespace.split("|"))


def interrupt_id(namespace: str, index: int) -> str:
    """A stable id for the ``index``-th interrupt of the task at ``namespace``."""
    return hashlib.blake2b(f"{namespace}|{index}".encode(), digest_size=16).hexdigest()


@dataclass(slots=True, kw_only=True)
class RunScope:
    """What the tasks of one run share.

    ``sink`` receives chunks produced while tasks run (custom writes, chat
    model tokens, a subgraph's events); ``forward`` says whether subgraphs
    run inside this run send their own events to it (``stream(subgraphs=True)``).
    """

    config: RunnableConfig
    namespace: str
    checkpointer: BaseCheckpointSaver | None
    parents: dict[str, str]
    context: Any = None
    store: Any = None
    sink: ChunkSink | None = None
    forward: bool = False
    drains: bool = False
    """True for the run that owns ``sink`` (the one the caller streams)."""
    durability: str | None = None
    thread_id: str | None = None
    messages: MessagesStream | None = None
    """The ``messages`` stream's record, when the run streams messages."""
    progress: Signal | None = None
    """Structural progress of the node this run runs inside, when a timeout there (or
    above) listens."""
    heartbeat: Signal | None = None
    """The heartbeat of the node this run runs inside, when a timeout there listens."""
    trace: GraphRun | None = None
    """The graph's callback run, when the run reports to callbacks."""
    server_info: ServerInfo | None = None
    """What a LangGraph server put in the run's config (``Runtime.server_info``)."""


@dataclass(slots=True, kw_only=True)
class TaskContext:
    """The running task as seen from inside its node.

    ``resumes`` are the answers already given to this task's interrupts, in
    order; ``pending_resume`` is an answer not yet bound to an interrupt (from
    ``Command(resume=value)``), taken by the first interrupt that needs one.

    ``caller`` is the task that started this one with a ``@task`` call (its
    unbound answer is taken when this task has none); ``calls`` starts such
    calls; ``call_count`` numbers them, which is what makes their ids stable;
    ``started`` holds their futures, waited for when the task returns.
    """

    task_id: str
    name: str
    namespace: str
    scope: RunScope
    step: int = 0
    path: tuple[Any, ...] = ()
    triggers: tuple[str, ...] = ()
    checkpoint_id: str = ""
    resumes: list[Any] = field(default_factory=list)
    pending_resume: Any = None
    has_pending_resume: bool = False
    counter: int = 0
    subgraph_calls: int = 0
    """Graph runs started inside this attempt: the n-th (from 0) runs in namespace
    ``namespace|n`` (n > 0), as in LangGraph, so two calls never share a checkpoint."""
    resumes_changed: bool = False
    attempt: int = 1
    channels: Mapping[str, Channel] | None = None
    """The step's channels (read for ``previous``)."""
    caller: TaskContext | None = None
    calls: CallSite | None = None
    call_count: int = 0
    started: list[Any] | None = None
    unsaved: list[tuple[str, list[tuple[str, Any]]]] | None = None
    """``(task id, writes)`` of finished calls not saved yet, shared with the calls' own calls
    (None until the task makes a call: most tasks make none)."""
    read_state: Callable[[], Any] | None = None
    """The state as this task's node reads it when an edge starts it (for a node started
    by a ``Send`` that needs the graph's state too, as ``ToolNode`` does)."""
    clock: AttemptClock | None = None
    """The timed task's attempt clock (``timeout=``); None for a task without a timeout."""
    upward: Signal | None = None
    """Where this task's structural progress goes: the caller's, or the node's running its
    graph, when a timeout there listens (else None). A task with a clock passes its
    progress on through the clock, which stops once the attempt is over."""
    trace: Any = None
    """The callback run of this attempt, when the run reports to callbacks."""
    node_error: Any = None
    """For an error handler: the :class:`~cairngraph.errors.NodeError` it handles."""
    pushed: list[tuple[str, Any]] | None = None
    """Writes the node made while it ran (``push_message``), before those of its output."""
    _config: RunnableConfig | None = None
    _runtime: Runtime[Any] | None = None

    def start_attempt(self, attempt: int) -> None:
        """Attempt number ``attempt`` (a retry: 2 and up; a new context is at attempt 1)
        begins: interrupts count from the first again, and the runtime shows the new
        number (``execution_info.node_attempt``)."""
        self.counter = 0
        self.subgraph_calls = 0
        self.pushed = None  # a failed attempt's pushed writes go with it
        if attempt != self.attempt:
            self.attempt = attempt
            self._runtime = None

    @property
    def watched(self) -> bool:
        """Whether a timeout (this task's or one above it) listens to its progress."""
        return self.clock is not None or self.upward is not None

    def progress(self) -> None:
        """Structural progress of this task (a call started, a callback event...)."""
        if self.clock is not None:
            self.clock.progress()
        elif self.upward is not None:
            self.upward()

    def beat_target(self) -> Signal | None:
        """What ``runtime.heartbeat()`` refreshes: the task's own clock, else (for a task
        of a subgraph, not a ``@task`` call) the node's running the subgraph, if any."""
        if self.clock is not None:
            return self.clock.heartbeat
        return self.scope.heartbeat if self.caller is None else None

    @property
    def timed_out(self) -> bool:
        """Whether this task's own attempt has ended (the writes it makes now are dropped)."""
        return self.clock is not None and not self.clock.open

    @property
    def config(self) -> RunnableConfig:
        """The run's config (what subgraphs inherit)."""
        return self.scope.config

    @property
    def previous(self) -> Any:
        """What the thread's entrypoint returned (or saved) last time: ``runtime.previous``."""
        channel = self.channels.get(PREVIOUS) if self.channels is not None else None
        return channel.value if channel is not None and channel.is_available() else None

    @property
    def checkpointer(self) -> BaseCheckpointSaver | None:
        return self.scope.checkpointer

    @property
    def parents(self) -> dict[str, str]:
        """``checkpoint_ns → checkpoint_id`` of the graphs this task runs inside."""
        return {**self.scope.parents, self.scope.namespace: self.checkpoint_id}

    def forget_config(self) -> None:
        """The node's config changes (an attempt's callback run began): build it again."""
        self._config = None

    def node_config(self) -> RunnableConfig:
        """The config the node sees: the run's, with the task's namespace and metadata."""
        if self._config is None:
            from cairngraph.engine._stream import node_config

            self._config = node_config(self)
        return self._config

    @property
    def runtime(self) -> Runtime[Any]:
        if self._runtime is None:
            from cairngraph.engine._stream import runtime_of

            self._runtime = runtime_of(self)
        return self._runtime

    def interrupt(self, value: Any) -> Any:
        from cairngraph.types import Interrupt

        index = self.counter
        self.counter += 1
        if index < len(self.resumes):
            return self.resumes[index]
        if self.has_pending_resume:
            answer = self.pending_resume
            self.has_pending_resume = False
            self.resumes.append(answer)
            self.resumes_changed = True
            return answer
        if self.caller is not None:
            found, answer = self.caller.take_pending_resume()
            if found:
                self.resumes.append(answer)
                self.resumes_changed = True
                return answer
        raise GraphInterrupt([Interrupt(value=value, id=interrupt_id(self.namespace, index))])

    def take_pending_resume(self) -> tuple[bool, Any]:
        """Hand an unbound resume answer to a subgraph run inside this task."""
        if not self.has_pending_resume:
            return (False, None) if self.caller is None else self.caller.take_pending_resume()
        self.has_pending_resume = False
        return True, self.pending_resume


_CURRENT: ContextVar[TaskContext | None] = ContextVar("cairngraph_task", default=None)


def current_task(what: str = "interrupt()") -> TaskContext:
    """The task running now; a clear error outside a node."""
    found = _CURRENT.get()
    if found is None:
        from cairngraph.errors import InvalidConfigError

        raise InvalidConfigError(
            f"{what} was called outside a running node. Call it from inside a node "
            "function while the graph runs."
        )
    return found


def maybe_current_task() -> TaskContext | None:
    return _CURRENT.get()


_UPDATING: ContextVar[RunnableConfig | None] = ContextVar("cairngraph_updating", default=None)


def updating_config() -> RunnableConfig | None:
    """The config a router gets while ``update_state`` runs it (None otherwise)."""
    return _UPDATING.get()


@contextlib.contextmanager
def updating(config: RunnableConfig) -> Iterator[None]:
    """Run ``update_state``'s routers with ``config`` as theirs, as LangGraph does: the
    caller's ``configurable``, ``metadata`` (with the thread id), ``tags``,
    ``callbacks`` and the recursion limit."""
    configurable = dict(config.get("configurable") or {})
    metadata = dict(config.get("metadata") or {})
    if "thread_id" in configurable:
        metadata.setdefault("thread_id", configurable["thread_id"])
    given: RunnableConfig = {
        "tags": list(config.get("tags") or []),
        "metadata": metadata,
        "callbacks": config.get("callbacks"),
        "recursion_limit": config.get("recursion_limit", DEFAULT_RECURSION_LIMIT),
        "configurable": configurable,
    }
    token = _UPDATING.set(given)
    try:
        yield
    finally:
        _UPDATING.reset(token)


def set_current(task: TaskContext | None) -> Any:
    return _CURRENT.set(task)
