"""astream with several modes over async nodes."""

import asyncio
import operator
from typing import Annotated, TypedDict

from langgraph.config import get_stream_writer
from langgraph.graph import START, StateGraph


class State(TypedDict):
    items: Annotated[list[int], operator.add]


async def produce(state: State) -> dict:
    writer = get_stream_writer()
    for i in range(3):
        await asyncio.sleep(0)
        writer({"produced": i})
    return {"items": [1, 2, 3]}


async def total(state: State) -> dict:
    return {"items": [sum(state["items"])]}


builder = StateGraph(State)
builder.add_node("produce", produce)
builder.add_node("total", total)
builder.add_edge(START, "produce")
builder.add_edge("produce", "total")
graph = builder.compile()


async def main() -> None:
    async for chunk in graph.astream({"items": []}):
        print("updates", chunk)
    async for mode, chunk in graph.astream({"items": []}, stream_mode=["custom", "values"]):
        print(mode, chunk)
    print(await graph.ainvoke({"items": [10]}))


asyncio.run(main())
