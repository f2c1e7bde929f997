"""astream_events through an interrupt and its resume, on AsyncSqliteSaver (:memory:)."""

import asyncio

from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt
from typing_extensions import TypedDict


class State(TypedDict):
    draft: str
    approved: bool


async def write(state: State) -> dict:
    return {"draft": "Hello " + state["draft"]}


async def review(state: State) -> dict:
    answer = interrupt({"check": state["draft"]})
    return {"approved": answer == "yes"}


builder = StateGraph(State)
builder.add_node("write", write)
builder.add_node("review", review)
builder.add_edge(START, "write")
builder.add_edge("write", "review")


async def main():
    async with AsyncSqliteSaver.from_conn_string(":memory:") as saver:
        graph = builder.compile(checkpointer=saver)
        config = {"configurable": {"thread_id": "t"}}
        for value in ({"draft": "world", "approved": False}, Command(resume="yes")):
            async for event in graph.astream_events(value, config, version="v2"):
                if event["event"].startswith("on_chain"):
                    print(
                        event["event"],
                        event["name"],
                        event["run_id"],
                        event["parent_ids"],
                        event["data"],
                    )
            print("next:", (await graph.aget_state(config)).next)


asyncio.run(main())
