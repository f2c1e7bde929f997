"""adispatch_custom_event / dispatch_custom_event from nodes, seen by astream_events."""

import asyncio

from langchain_core.callbacks import adispatch_custom_event, dispatch_custom_event
from langchain_core.runnables import RunnableConfig
from langgraph.graph import START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict):
    done: list[str]


async def fetch(state: State) -> dict:
    for percent in (10, 60, 100):
        await adispatch_custom_event("progress", {"node": "fetch", "percent": percent})
    return {"done": state["done"] + ["fetch"]}


def parse(state: State, config: RunnableConfig) -> dict:
    dispatch_custom_event("progress", {"node": "parse", "percent": 100}, config=config)
    return {"done": state["done"] + ["parse"]}


builder = StateGraph(State)
builder.add_node("fetch", fetch)
builder.add_node("parse", parse)
builder.add_edge(START, "fetch")
builder.add_edge("fetch", "parse")
graph = builder.compile()


async def main():
    async for event in graph.astream_events({"done": []}, version="v2"):
        if event["event"] == "on_custom_event":
            print(event["name"], event["data"], event["metadata"]["langgraph_node"], event["tags"])
            print("  parent is a node run:", len(event["parent_ids"]))
        elif event["event"] == "on_chain_end" and not event["parent_ids"]:
            print("output", event["data"]["output"])


asyncio.run(main())
