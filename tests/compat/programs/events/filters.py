"""astream_events with include_names / include_types / exclude_tags, and run_name in config."""

import asyncio

from langgraph.graph import START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict):
    n: int


async def double(state: State) -> dict:
    return {"n": state["n"] * 2}


async def inc(state: State) -> dict:
    return {"n": state["n"] + 1}


builder = StateGraph(State)
builder.add_node("double", double)
builder.add_node("inc", inc)
builder.add_edge(START, "double")
builder.add_edge("double", "inc")
graph = builder.compile(name="calculator")


async def main():
    async for event in graph.astream_events({"n": 3}, version="v2", include_names=["inc"]):
        print("names", event["event"], event["name"], event["data"])
    async for event in graph.astream_events({"n": 4}, version="v2", include_types=["chain"]):
        print("types", event["event"], event["name"])
    config = {"run_name": "my-run", "tags": ["t1"]}
    async for event in graph.astream_events(
        {"n": 5}, config, version="v2", exclude_tags=["graph:step:2"]
    ):
        print("exclude", event["event"], event["name"], event["tags"])
    events = [e async for e in graph.astream_events({"n": 1}, version="v2", stream_mode="values")]
    print(
        [
            e["data"].get("chunk")
            for e in events
            if e["event"] == "on_chain_stream" and not e["parent_ids"]
        ]
    )


asyncio.run(main())
