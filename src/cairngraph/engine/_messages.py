"""``stream_mode="messages"``: chat-model tokens and messages, as they are made.

Through langchain-core's callback protocol (imported only when a run streams
messages, so cairngraph never requires it): the run's config carries a
handler; a chat model called in a node (with the node's config, or without
any: the node's config is also set as langchain-core's current config) reports
each token to it. Messages a node returns that were neither streamed nor in
its input are emitted when the node finishes. Each chunk is
``(message, metadata)`` with the node's metadata (``langgraph_node``,
``langgraph_step``, ...), as in LangGraph.
"""

from __future__ import annotations

import contextlib
import functools
import uuid
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from cairngraph.constants import START, TAG_NOSTREAM
from cairngraph.engine._stream import ChunkSink, graph_namespace, streams_from

if TYPE_CHECKING:
    from cairngraph.engine._context import TaskContext

__all__ = ["MessagesStream", "messages_handler", "set_langchain_config"]


class MessagesStream:
    """What the run knows of messages already sent, shared by its tasks.

    ``home`` is the namespace of the graph whose stream asked for messages (``()``
    for the root; a subgraph streamed inside a node has its own); ``outer`` is the
    stream of the run around it, which also sees this run's nodes.
    """

    def __init__(
        self,
        sink: ChunkSink,
        subgraphs: bool,
        home: tuple[str, ...] = (),
        outer: MessagesStream | None = None,
    ) -> None:
        self.sink = sink
        self.subgraphs = subgraphs
        self.home = home
        self.outer = outer
        self.runs: dict[Any, tuple[tuple[str, ...], dict[str, Any]]] = {}
        self.seen: set[str] = set()

    def emit(
        self, where: tuple[tuple[str, ...], dict[str, Any]], message: Any, dedupe: bool
    ) -> None:
        if dedupe and message.id in self.seen:
            return
        if message.id is None:
            message.id = str(uuid.uuid4())
        self.seen.add(message.id)
        self.sink.put(where[0], "messages", (message, where[1]))

    def takes(self, namespace: tuple[str, ...]) -> bool:
        """Whether the messages of the graph at ``namespace`` go to this stream."""
        return streams_from(namespace, self.home, self.subgraphs)

    def pushed(self, task: TaskContext, message: Any) -> None:
        """``push_message(message)`` in ``task``: to this stream and the ones around it that
        take the task's graph, at once."""
        namespace = graph_namespace(task.namespace, task.path)
        metadata: dict[str, Any] | None = None
        stream: MessagesStream | None = self
        while stream is not None:
            if stream.takes(namespace):
                if metadata is None:
                    metadata = dict(task.node_config().get("metadata") or {})
                stream.emit((namespace, metadata), message, False)
            stream = stream.outer

    def node_started(self, task: TaskContext, state: Any) -> None:
        for message in _messages_in(state):
            if message.id is not None:
                self.seen.add(message.id)
        if self.outer is not None:
            self.outer.node_started(task, state)

    def node_finished(self, task: TaskContext, output: Any) -> None:
        if self.outer is not None:
            self.outer.node_finished(task, output)
        namespace = graph_namespace(task.namespace, task.path)
        if task.name == START or not self.takes(namespace):
            return
        metadata = dict(task.node_config().get("metadata") or {})
        update = getattr(output, "update", output) if _is_command(output) else output
        for message in _messages_in(update):
            self.emit((namespace, metadata), message, True)


def _is_command(value: Any) -> bool:
    from cairngraph.types import Command

    return isinstance(value, Command)


def _messages_in(value: Any) -> Iterator[Any]:
    from langchain_core.messages import BaseMessage

    if isinstance(value, BaseMessage):
        yield value
        return
    if isinstance(value, dict):
        items: Sequence[Any] = list(value.values())
    elif isinstance(value, list | tuple):
        items = value
    elif hasattr(value, "__dict__"):
        items = list(vars(value).values())
    else:
        return
    for item in items:
        if isinstance(item, BaseMessage):
            yield item
        elif isinstance(item, list | tuple):
            yield from (entry for entry in item if isinstance(entry, BaseMessage))


@functools.cache
def stream_handler_base() -> Any:
    """The base class of the stream modes' callback handlers ("messages", "tools").

    A langchain-core handler told inline (events keep their order), whose taps
    pass a run's output through, and a ``_StreamingCallbackHandler``: its
    presence among a model's handlers is what makes ``invoke`` stream tokens (an
    older langchain-core has none, and its models stream only when asked to).
    """
    from langchain_core.callbacks import BaseCallbackHandler

    streaming: Any = object
    with contextlib.suppress(ImportError):
        from langchain_core.tracers._streaming import _StreamingCallbackHandler as streaming

    class StreamHandler(BaseCallbackHandler, streaming):  # type: ignore[misc]
        run_inline = True

        def tap_output_aiter(self, run_id: Any, output: Any) -> Any:
            return output

        def tap_output_iter(self, run_id: Any, output: Any) -> Any:
            return output

    return StreamHandler


def messages_handler(
    sink: ChunkSink, subgraphs: bool, outer: MessagesStream | None = None
) -> tuple[Any, MessagesStream]:
    """A langchain-core callback handler feeding ``sink``, and the run's message record.

    The handler takes the messages of the graph that drains ``sink`` (and of the
    graphs inside it with ``subgraphs``); ``outer`` is the message record of the
    stream around it, if any.
    """
    from langchain_core.outputs import ChatGeneration, ChatGenerationChunk

    stream = MessagesStream(sink, subgraphs, sink.home, outer)

    class Handler(stream_handler_base()):  # type: ignore[misc]
        def on_chat_model_start(
            self,
            serialized: dict[str, Any],
            messages: list[list[Any]],
            *,
            run_id: Any,
            tags: list[str] | None = None,
            metadata: dict[str, Any] | None = None,
            **kwargs: Any,
        ) -> None:
            if not metadata or "langgraph_checkpoint_ns" not in metadata:
                return
            if tags and TAG_NOSTREAM in tags:
                return
            namespace = graph_namespace(
                str(metadata["langgraph_checkpoint_ns"]), metadata.get("langgraph_path", ())
            )
            if not stream.takes(namespace):
                return
            user_tags = [tag for tag in tags or () if not tag.startswith(("seq:step", "graph:"))]
            found = dict(metadata)
            if user_tags:
                found["tags"] = user_tags
            stream.runs[run_id] = (namespace, found)

        def on_llm_new_token(
            self, token: Any, *, chunk: Any = None, run_id: Any, **kwargs: Any
        ) -> None:
            where = stream.runs.get(run_id)
            if where is not None and isinstance(chunk, ChatGenerationChunk):
                stream.emit(where, chunk.message, False)

        def on_llm_end(self, response: Any, *, run_id: Any, **kwargs: Any) -> None:
            where = stream.runs.pop(run_id, None)
            if where is not None and response.generations and response.generations[0]:
                generation = response.generations[0][0]
                if isinstance(generation, ChatGeneration):
                    stream.emit(where, generation.message, True)

        def on_llm_error(self, error: BaseException, *, run_id: Any, **kwargs: Any) -> None:
            stream.runs.pop(run_id, None)

    return Handler(), stream


def set_langchain_config(config: Any) -> Any:
    """Make ``config`` langchain-core's current config (so a model called without one finds
    the run's callbacks); returns the token to reset, or None."""
    from langchain_core.runnables.config import var_child_runnable_config

    return var_child_runnable_config.set(config)
