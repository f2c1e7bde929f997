"""AsyncPostgresSaver: astream in updates, values, checkpoints and tasks modes."""

import asyncio
import os
from typing import TypedDict

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.graph import START, StateGraph

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class State(TypedDict):
    query: str
    hits: int


async def search(state: State) -> dict:
    return {"hits": len(state["query"])}


async def rank(state: State) -> dict:
    return {"hits": state["hits"] * 2}


builder = StateGraph(State)
builder.add_node("search", search)
builder.add_node("rank", rank)
builder.add_edge(START, "search")
builder.add_edge("search", "rank")


async def main() -> None:
    async with AsyncPostgresSaver.from_conn_string(DB_URI) as saver:
        await saver.setup()
        graph = builder.compile(checkpointer=saver)
        inputs = {"query": "graphs", "hits": 0}
        async for chunk in graph.astream(
            inputs, {"configurable": {"thread_id": "u"}}, stream_mode="updates"
        ):
            print("updates", chunk)
        async for chunk in graph.astream(
            inputs, {"configurable": {"thread_id": "v"}}, stream_mode="values"
        ):
            print("values", chunk)
        async for chunk in graph.astream(
            inputs, {"configurable": {"thread_id": "c"}}, stream_mode="checkpoints"
        ):
            print("checkpoint", chunk["metadata"]["step"], chunk["values"], chunk["next"])
        async for chunk in graph.astream(
            inputs, {"configurable": {"thread_id": "t"}}, stream_mode="tasks"
        ):
            print("task", chunk["name"], chunk.get("input"), chunk.get("result"))


asyncio.run(main())
