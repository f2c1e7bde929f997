"""An async node with a writer parameter; astream with custom, values and debug-free modes."""

import asyncio

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import StreamWriter
from typing_extensions import TypedDict


class State(TypedDict):
    count: int


async def tick(state: State, writer: StreamWriter) -> dict:
    for i in range(3):
        await asyncio.sleep(0)
        writer({"tick": i, "count": state["count"]})
    return {"count": state["count"] + 3}


async def tock(state: State, writer: StreamWriter) -> dict:
    writer(f"tock at {state['count']}")
    return {"count": state["count"] * 2}


builder = StateGraph(State)
builder.add_node("tick", tick)
builder.add_node("tock", tock)
builder.add_edge(START, "tick")
builder.add_edge("tick", "tock")
graph = builder.compile(checkpointer=InMemorySaver())


async def main():
    config = {"configurable": {"thread_id": "a"}}
    async for mode, chunk in graph.astream({"count": 1}, config, stream_mode=["custom", "values"]):
        print(mode, chunk)
    async for chunk in graph.astream({"count": 2}, config, stream_mode="custom"):
        print(chunk)
    print(await graph.ainvoke({"count": 0}, config))


asyncio.run(main())
