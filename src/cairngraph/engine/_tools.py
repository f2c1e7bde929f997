"""``stream_mode="tools"``: each tool call's start, partial output and end, as it happens.

Through langchain-core's tool callbacks (imported only when a run streams
tools, so cairngraph never requires it): the run's config carries a handler,
and a tool run with a node's config reports to it — a ``ToolNode``'s tools,
``create_react_agent``'s, and a tool a node calls itself (the node's config is
also langchain-core's current config). Every chunk is a dict keyed by the
call's ``tool_call_id`` (the callback run's id for a tool called without one):

- ``{"event": "tool-started", "tool_call_id", "tool_name", "input"}``; ``input``
  (the arguments, injected ones left out) only when they were a dict;
- ``{"event": "tool-output-delta", "tool_call_id", "delta"}`` for each
  ``ToolRuntime.emit_output_delta(delta)`` the tool body makes;
- ``{"event": "tool-finished", "tool_call_id", "output"}``: what the tool
  returned (a ``ToolMessage`` when it was given a tool call);
- ``{"event": "tool-error", "tool_call_id", "message"}``: ``str(error)``, also
  when a ``ToolNode`` then answers the call with an error message. An
  interrupt is a pause, not an error: the call reports nothing more, and
  starts again on resume.

A chunk's namespace is the graph the tool runs in (a ``@task`` call's tools
are its entrypoint's); a subgraph's tools are streamed only with
``subgraphs=True``. A tool tagged ``nostream`` is not streamed.

Invariant: while a reported tool runs, :data:`_delta_writer` (a context
variable, so parallel calls never mix) holds the writer of its
``tool-output-delta`` chunks; it is reset when the call ends, and unset in any
run that does not stream tools, where ``emit_output_delta`` does nothing.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable
from typing import Any

from cairngraph.constants import TAG_NOSTREAM
from cairngraph.engine._stream import ChunkSink, graph_namespace, streams_from

__all__ = ["emit_output_delta", "tools_handler"]


_delta_writer: contextvars.ContextVar[Callable[[Any], None] | None] = contextvars.ContextVar(
    "cairngraph_tool_delta_writer", default=None
)


def emit_output_delta(delta: Any) -> None:
    """Stream ``delta`` as a ``tool-output-delta`` of the tool call running now (if the
    run streams ``tools``; otherwise nothing happens)."""
    writer = _delta_writer.get()
    if writer is not None:
        writer(delta)


class _Call:
    """A reported tool call: where its chunks go, its id, the delta writer to reset."""

    __slots__ = ("namespace", "token", "tool_call_id")

    def __init__(
        self,
        namespace: tuple[str, ...],
        tool_call_id: str,
        token: contextvars.Token[Callable[[Any], None] | None],
    ) -> None:
        self.namespace = namespace
        self.tool_call_id = tool_call_id
        self.token = token


class ToolsStream:
    """The run's tool calls in flight (by callback run id: an end is told only that)."""

    def __init__(self, sink: ChunkSink, subgraphs: bool) -> None:
        self.sink = sink
        self.subgraphs = subgraphs
        self.calls: dict[Any, _Call] = {}

    def namespace_of(
        self, metadata: dict[str, Any] | None, tags: list[str] | None
    ) -> tuple[str, ...] | None:
        """Where a tool call's chunks go, or None when it is not streamed."""
        if not metadata or (tags and TAG_NOSTREAM in tags):
            return None
        if not metadata.get("langgraph_checkpoint_ns"):
            return () if not self.sink.home else None
        namespace = graph_namespace(
            str(metadata["langgraph_checkpoint_ns"]), metadata.get("langgraph_path", ())
        )
        if not streams_from(namespace, self.sink.home, self.subgraphs):
            return None
        return namespace

    def started(
        self,
        run_id: Any,
        name: str,
        inputs: dict[str, Any] | None,
        metadata: dict[str, Any] | None,
        tags: list[str] | None,
        tool_call_id: str | None,
    ) -> None:
        namespace = self.namespace_of(metadata, tags)
        if namespace is None:
            return
        call_id = tool_call_id or str(run_id)
        sink = self.sink

        def write(delta: Any) -> None:
            sink.put(
                namespace,
                "tools",
                {"event": "tool-output-delta", "tool_call_id": call_id, "delta": delta},
            )

        self.calls[run_id] = _Call(namespace, call_id, _delta_writer.set(write))
        chunk: dict[str, Any] = {
            "event": "tool-started",
            "tool_call_id": call_id,
            "tool_name": name,
        }
        if inputs is not None:
            chunk["input"] = inputs
        sink.put(namespace, "tools", chunk)

    def ended(self, run_id: Any, event: str | None, key: str = "", value: Any = None) -> None:
        """The call ``run_id`` ended: stream ``{"event": event, ..., key: value}`` (none
        when ``event`` is None)."""
        call = self.calls.pop(run_id, None)
        if call is None:
            return
        # An end told in another context than its start (a handler run elsewhere) cannot
        # reset the variable there; that context ends with the call anyway.
        with contextlib.suppress(ValueError):
            _delta_writer.reset(call.token)
        if event is not None:
            chunk = {"event": event, "tool_call_id": call.tool_call_id, key: value}
            self.sink.put(call.namespace, "tools", chunk)


def tools_handler(sink: ChunkSink, subgraphs: bool) -> Any:
    """A langchain-core callback handler streaming the run's tool calls into ``sink``.

    As the messages handler's, it makes a chat model among the run's handlers stream
    its tokens, as LangGraph's tools handler does.
    """
    from cairngraph.engine._messages import stream_handler_base
    from cairngraph.errors import GraphInterrupt

    stream = ToolsStream(sink, subgraphs)

    class Handler(stream_handler_base()):  # type: ignore[misc]
        def on_tool_start(
            self,
            serialized: dict[str, Any],
            input_str: str,
            *,
            run_id: Any,
            tags: list[str] | None = None,
            metadata: dict[str, Any] | None = None,
            inputs: dict[str, Any] | None = None,
            **kwargs: Any,
        ) -> None:
            name = (serialized or {}).get("name") or kwargs.get("name") or ""
            stream.started(run_id, name, inputs, metadata, tags, kwargs.get("tool_call_id"))

        def on_tool_end(self, output: Any, *, run_id: Any, **kwargs: Any) -> None:
            stream.ended(run_id, "tool-finished", "output", output)

        def on_tool_error(self, error: BaseException, *, run_id: Any, **kwargs: Any) -> None:
            if isinstance(error, GraphInterrupt):
                stream.ended(run_id, None)
            else:
                stream.ended(run_id, "tool-error", "message", str(error))

    return Handler()
