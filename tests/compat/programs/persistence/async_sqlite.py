"""AsyncSqliteSaver with ainvoke, aget_state and aget_state_history."""

import asyncio
import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    steps: Annotated[list[str], operator.add]


async def fetch(state: State) -> dict:
    await asyncio.sleep(0)
    return {"steps": ["fetched"]}


async def parse(state: State) -> dict:
    return {"steps": [f"parsed {len(state['steps'])}"]}


builder = StateGraph(State)
builder.add_node("fetch", fetch)
builder.add_node("parse", parse)
builder.add_edge(START, "fetch")
builder.add_edge("fetch", "parse")


async def main() -> None:
    async with AsyncSqliteSaver.from_conn_string("async.db") as saver:
        graph = builder.compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "a1"}}
        print(await graph.ainvoke({"steps": ["start"]}, config))
        snapshot = await graph.aget_state(config)
        print(snapshot.values, snapshot.next, snapshot.metadata["step"])
        async for s in graph.aget_state_history(config):
            print(s.metadata["step"], s.metadata["source"], s.next)
        async for chunk in graph.astream({"steps": ["again"]}, config):
            print(chunk)


asyncio.run(main())
