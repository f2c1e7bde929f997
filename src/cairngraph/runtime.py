"""``Runtime``: what a node can reach besides its state and config.

A node asks for it by taking a parameter named ``runtime``; ``get_runtime()``
gives the same object from anywhere inside a running node. ``context`` is the
run's static context (``invoke(..., context=...)``, typed by
``StateGraph(State, context_schema=Context)``); ``stream_writer`` sends a
chunk to ``stream_mode="custom"``; ``store`` is the graph's long-term store
(``compile(store=...)``), None without one; ``heartbeat()`` tells the node's
``idle_timeout`` (``TimeoutPolicy``) that the node is still making progress;
``server_info`` is what a LangGraph server put in the config (None elsewhere).

Example::

    @dataclass
    class Context:
        user_id: str

    def greet(state: State, runtime: Runtime[Context]) -> dict:
        return {"greeting": f"hello {runtime.context.user_id}"}

    graph = StateGraph(State, context_schema=Context)
    ...
    app.invoke({}, context=Context(user_id="ada"))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

__all__ = ["ExecutionInfo", "Runtime", "ServerInfo", "get_runtime"]

ContextT = TypeVar("ContextT")


def _no_op_writer(chunk: Any) -> None:
    """The stream writer of a run nobody streams ``custom`` chunks from."""


def _no_op_heartbeat() -> None:
    """The heartbeat of a node without an ``idle_timeout``: nothing listens."""


@dataclass(frozen=True, slots=True)
class ExecutionInfo:
    """Where the running node is: its checkpoint, namespace, task and thread."""

    checkpoint_id: str
    checkpoint_ns: str
    task_id: str
    thread_id: str | None = None
    run_id: str | None = None
    node_attempt: int = 1
    node_first_attempt_time: float | None = None


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """Which assistant and graph a LangGraph server runs, and for whom.

    Built from the config's ``configurable`` (``assistant_id``, ``graph_id``, and
    ``langgraph_auth_user``, an object with an ``identity``), as that server
    sets them; a run given none of them has ``server_info`` None.

    Example::

        def node(state, runtime: Runtime):
            if runtime.server_info is not None:
                print(runtime.server_info.assistant_id)
    """

    assistant_id: str
    graph_id: str
    user: Any | None = None

    @classmethod
    def from_configurable(cls, configurable: Mapping[str, Any]) -> ServerInfo | None:
        assistant_id = configurable.get("assistant_id")
        graph_id = configurable.get("graph_id")
        user = configurable.get("langgraph_auth_user")
        if user is not None and not hasattr(user, "identity"):
            user = None
        if assistant_id is None and graph_id is None and user is None:
            return None
        return cls(
            assistant_id=str(assistant_id) if assistant_id else "",
            graph_id=str(graph_id) if graph_id else "",
            user=user,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Runtime(Generic[ContextT]):
    """The run-scoped services a node may use (see the module docstring)."""

    context: ContextT = field(default=None)  # type: ignore[assignment]
    store: Any | None = None
    stream_writer: Callable[[Any], None] = _no_op_writer
    previous: Any = None
    execution_info: ExecutionInfo | None = None
    heartbeat: Callable[[], None] = _no_op_heartbeat
    """Record progress for the running node's ``idle_timeout``: call it from long work
    that makes no other progress (the only signal with ``refresh_on="heartbeat"``).
    It never extends ``run_timeout``."""
    server_info: ServerInfo | None = None

    def override(self, **changes: Any) -> Runtime[ContextT]:
        """A copy with the given fields replaced."""
        return replace(self, **changes)


def get_runtime(context_schema: type[ContextT] | None = None) -> Runtime[ContextT]:
    """The :class:`Runtime` of the node running now.

    Example::

        def node(state):
            user = get_runtime(Context).context.user_id
    """
    from cairngraph.engine._context import current_task

    return current_task("get_runtime()").runtime
