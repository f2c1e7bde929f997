"""Command(goto=[Send(...), Send(...), "node"]) from a node, with a reducer collecting."""

import operator
from typing import Annotated, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, Send
from typing_extensions import TypedDict


class State(TypedDict):
    items: list[str]
    out: Annotated[list[str], operator.add]


def plan(state: State) -> Command[Literal["shout", "count"]]:
    return Command(
        update={"out": ["planned"]},
        goto=[Send("shout", {"item": item}) for item in state["items"]] + ["count"],
    )


def shout(payload: dict) -> dict:
    return {"out": [payload["item"].upper()]}


def count(state: State) -> dict:
    return {"out": [f"count saw {len(state['out'])}"]}


def finish(state: State) -> dict:
    return {"out": [f"finish saw {len(state['out'])}"]}


builder = StateGraph(State)
builder.add_node("plan", plan)
builder.add_node("shout", shout)
builder.add_node("count", count)
builder.add_node("finish", finish)
builder.add_edge(START, "plan")
builder.add_edge(["shout", "count"], "finish")
builder.add_edge("finish", END)
graph = builder.compile()

print(graph.invoke({"items": ["a", "b", "c"], "out": []}))
for chunk in graph.stream({"items": ["x"], "out": []}, stream_mode="updates"):
    print(chunk)
print(graph.invoke({"items": [], "out": []}))
