"""Every chain event of a graph with routers, a subgraph node and a subgraph called in a node."""

import asyncio
import operator
from typing import Annotated

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict):
    items: Annotated[list, operator.add]


def pick_first(state: State) -> str:
    return "collect"


async def collect(state: State) -> dict:
    return {"items": ["collected"]}


def after_collect(state: State) -> str:
    return "inner" if len(state["items"]) < 3 else END


class Inner(TypedDict):
    items: Annotated[list, operator.add]


async def inner_step(state: Inner) -> dict:
    return {"items": ["inner"]}


inner_builder = StateGraph(Inner)
inner_builder.add_node("inner_step", inner_step)
inner_builder.add_edge(START, "inner_step")
inner = inner_builder.compile()


async def call_inner(state: State) -> dict:
    result = await inner.ainvoke({"items": []})
    return {"items": result["items"]}


builder = StateGraph(State)
builder.add_node("collect", collect)
builder.add_node("call_inner", call_inner)
builder.add_node("inner", inner)
builder.add_conditional_edges(START, pick_first)
builder.add_conditional_edges("collect", after_collect)
builder.add_conditional_edges("collect", lambda state: "call_inner")
builder.add_edge("inner", END)
builder.add_edge("call_inner", END)
graph = builder.compile(checkpointer=InMemorySaver())

KEYS = ("thread_id", "langgraph_step", "langgraph_node", "langgraph_triggers", "langgraph_path")


async def main():
    config = {"configurable": {"thread_id": "runs"}, "tags": ["mine"], "metadata": {"user": "ann"}}
    async for event in graph.astream_events({"items": []}, config, version="v2"):
        metadata = event["metadata"]
        print(
            event["event"],
            event["name"],
            event["tags"],
            event["run_id"],
            event["parent_ids"],
            sorted(metadata),
            [metadata.get(key) for key in KEYS],
            event["data"],
        )


asyncio.run(main())
