"""A graph's runs as events: chat-model tokens by node, custom progress events, a callback.

Runs offline: the chat model is langchain-core's scripted fake model.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler, adispatch_custom_event
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from cairngraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from cairngraph.graph import START, MessagesState, StateGraph

model = GenericFakeChatModel(
    messages=iter([AIMessage(content="Why did the cat sit on the keyboard?")])
)


async def write_joke(state: MessagesState) -> dict[str, Any]:
    await adispatch_custom_event("progress", {"stage": "drafting"})
    reply = await model.ainvoke(state["messages"])
    return {"messages": [reply]}


async def review(state: MessagesState) -> dict[str, Any]:
    await adispatch_custom_event("progress", {"stage": "reviewed"})
    return {}


builder = StateGraph(MessagesState)
builder.add_node("write_joke", write_joke)
builder.add_node("review", review)
builder.add_edge(START, "write_joke")
builder.add_edge("write_joke", "review")


class NodeTimer(BaseCallbackHandler):
    """A user's own handler: sees the graph's run and each node's."""

    def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
        if kwargs.get("parent_run_id") is None:
            print("run started:", kwargs.get("name"))
        elif (kwargs.get("metadata") or {}).get("langgraph_node") == kwargs.get("name"):
            print("node started:", kwargs.get("name"), kwargs.get("tags"))


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        await run(str(Path(folder) / "events.db"))


async def run(path: str) -> None:
    async with AsyncSqliteSaver.from_conn_string(path) as saver:
        graph = builder.compile(checkpointer=saver)
        config: dict[str, Any] = {
            "configurable": {"thread_id": "events-demo"},
            "callbacks": [NodeTimer()],
        }
        async for event in graph.astream_events(
            {"messages": [("user", "a joke about cats")]}, config, version="v2"
        ):
            kind = event["event"]
            if kind == "on_chat_model_stream":
                node = event["metadata"]["langgraph_node"]
                print(f"token from {node}: {event['data']['chunk'].content!r}")
            elif kind == "on_custom_event":
                print("custom event:", event["name"], event["data"])
        state = await graph.aget_state(config)
        print("saved:", state.values["messages"][-1].content)


if __name__ == "__main__":
    asyncio.run(main())
