"""LangChain messages: the fixed allow-list round-trips with no registration."""

from __future__ import annotations

from typing import Any

import pytest

from cairngraph.checkpoint.serde import EncryptedSerializer, MsgpackSerializer, TypeRegistry

messages = pytest.importorskip("langchain_core.messages")


def every_message() -> list[Any]:
    tool_call = {"name": "search", "args": {"q": "cairn", "n": 3}, "id": "call-1"}
    return [
        messages.HumanMessage(content="hi", id="h1", name="ada"),
        messages.HumanMessage(content=[{"type": "text", "text": "parts"}]),
        messages.AIMessage(
            content="",
            id="a1",
            tool_calls=[tool_call],
            usage_metadata={"input_tokens": 1, "output_tokens": 2, "total_tokens": 3},
            response_metadata={"model": "llama"},
        ),
        messages.SystemMessage(content="be brief"),
        messages.ToolMessage(content="found", tool_call_id="call-1", artifact={"rows": (1, 2)}),
        messages.FunctionMessage(content="42", name="answer"),
        messages.ChatMessage(content="hey", role="critic"),
        messages.RemoveMessage(id="h1"),
        messages.AIMessageChunk(
            content="par",
            tool_call_chunks=[{"name": "search", "args": '{"q"', "id": "c", "index": 0}],
        ),
        messages.HumanMessageChunk(content="chunk"),
        messages.SystemMessageChunk(content="chunk"),
        messages.ToolMessageChunk(content="chunk", tool_call_id="call-1"),
        messages.FunctionMessageChunk(content="chunk", name="f"),
        messages.ChatMessageChunk(content="chunk", role="critic"),
    ]


def test_every_allowed_message_round_trips_without_registration() -> None:
    written = every_message()
    assert {type(message).__name__ for message in written} >= {
        "AIMessage",
        "AIMessageChunk",
        "ChatMessage",
        "ChatMessageChunk",
        "FunctionMessage",
        "FunctionMessageChunk",
        "HumanMessage",
        "HumanMessageChunk",
        "RemoveMessage",
        "SystemMessage",
        "SystemMessageChunk",
        "ToolMessage",
        "ToolMessageChunk",
    }
    payload = MsgpackSerializer(TypeRegistry()).dumps_typed({"messages": written})
    loaded = MsgpackSerializer(TypeRegistry()).loads_typed(payload)["messages"]
    assert loaded == written
    for before, after in zip(written, loaded, strict=True):
        assert type(after) is type(before)
        assert after.model_fields_set == before.model_fields_set
        assert after.model_dump() == before.model_dump()


def test_loaded_messages_behave_like_the_originals() -> None:
    serde = MsgpackSerializer()
    chunk = serde.loads_typed(serde.dumps_typed(messages.AIMessageChunk(content="a")))
    joined = chunk + messages.AIMessageChunk(content="b")
    assert joined.content == "ab"
    ai = serde.loads_typed(serde.dumps_typed(every_message()[2]))
    assert ai.tool_calls[0]["args"] == {"q": "cairn", "n": 3}


def test_messages_through_encryption() -> None:
    import os

    serde = EncryptedSerializer(MsgpackSerializer(), keys={"k": os.urandom(32)})
    written = every_message()
    assert serde.loads_typed(serde.dumps_typed(written)) == written
