"""``push_message``: a node sends a message to the messages stream and to state, at once."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from langchain_core.messages import AIMessage

from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.errors import InvalidConfigError, InvalidUpdateError
from cairngraph.graph import START, MessagesState, StateGraph
from cairngraph.graph.message import push_message
from cairngraph.types import RetryPolicy


def _graph(node: Any, **options: Any) -> Any:
    builder = StateGraph(MessagesState)
    builder.add_node("talk", node, **options)
    builder.add_edge(START, "talk")
    return builder.compile(checkpointer=InMemorySaver())


def _config() -> dict[str, Any]:
    return {"configurable": {"thread_id": "t"}}


def test_a_failed_attempts_pushed_messages_are_not_kept() -> None:
    attempts: list[int] = []

    def talk(state: MessagesState) -> dict[str, Any]:
        attempts.append(1)
        push_message(AIMessage(f"try {len(attempts)}", id=f"try-{len(attempts)}"))
        if len(attempts) == 1:
            raise ConnectionError("flaky")
        return {}

    graph = _graph(talk, retry_policy=RetryPolicy(initial_interval=0.0, jitter=False))
    result = graph.invoke({"messages": []}, _config())
    assert [m.content for m in result["messages"]] == ["try 2"]


def test_the_message_streams_at_once_and_once() -> None:
    def talk(state: MessagesState) -> dict[str, Any]:
        pushed = push_message(AIMessage("now", id="n1"))
        return {"messages": [pushed]}  # returned too: streamed once, stored once

    chunks = list(_graph(talk).stream({"messages": []}, _config(), stream_mode="messages"))
    assert [(m.content, meta["langgraph_node"]) for m, meta in chunks] == [("now", "talk")]


def test_an_async_node_pushes_too() -> None:
    async def talk(state: MessagesState) -> dict[str, Any]:
        push_message(AIMessage("async hello", id="a1"))
        return {}

    async def run() -> list[Any]:
        graph = _graph(talk)
        return [c async for c in graph.astream({"messages": []}, _config(), stream_mode="messages")]

    assert [m.content for m, _ in asyncio.run(run())] == ["async hello"]


def test_a_message_without_an_id_is_an_error_naming_the_node() -> None:
    def talk(state: MessagesState) -> dict[str, Any]:
        push_message(AIMessage("no id"))
        return {}

    with pytest.raises(InvalidUpdateError, match=r"'talk'.*without an id"):
        _graph(talk).invoke({"messages": []}, _config())


def test_outside_a_node_it_is_an_error() -> None:
    with pytest.raises(InvalidConfigError, match=r"push_message\(\) was called outside"):
        push_message(AIMessage("x", id="x"))
