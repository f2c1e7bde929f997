"""AsyncSqliteSaver: astream with updates, values and debug, and subgraphs=True, with a saver."""

import asyncio
import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    seen: Annotated[list[str], operator.add]


async def step(state: State) -> dict:
    await asyncio.sleep(0)
    return {"seen": ["step"]}


child = StateGraph(State)
child.add_node("inner", step)
child.add_edge(START, "inner")

builder = StateGraph(State)
builder.add_node("outer", step)
builder.add_node("child", child.compile())
builder.add_edge(START, "outer")
builder.add_edge("outer", "child")


async def main() -> None:
    async with AsyncSqliteSaver.from_conn_string(":memory:") as saver:
        graph = builder.compile(checkpointer=saver)
        async for chunk in graph.astream(
            {"seen": []}, {"configurable": {"thread_id": "1"}}, stream_mode="updates"
        ):
            print("updates", chunk)
        async for chunk in graph.astream(
            {"seen": []}, {"configurable": {"thread_id": "2"}}, stream_mode="values"
        ):
            print("values", chunk)
        async for ns, chunk in graph.astream(
            {"seen": []},
            {"configurable": {"thread_id": "3"}},
            stream_mode="updates",
            subgraphs=True,
        ):
            print("sub", [part.split(":")[0] for part in ns], chunk)
        async for event in graph.astream(
            {"seen": []}, {"configurable": {"thread_id": "4"}}, stream_mode="debug"
        ):
            print("debug", event["step"], event["type"], event["payload"].get("name"))


asyncio.run(main())
