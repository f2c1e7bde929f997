"""A subgraph used as the target of Send: each task runs the subgraph once."""

import operator
from typing import Annotated, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import Send


class ItemState(TypedDict):
    item: str
    results: Annotated[list[str], operator.add]


class State(TypedDict):
    items: list[str]
    results: Annotated[list[str], operator.add]


worker = StateGraph(ItemState)
worker.add_node("clean", lambda s: {"item": s["item"].strip()})
worker.add_node("emit", lambda s: {"results": [s["item"].title()]})
worker.add_edge(START, "clean")
worker.add_edge("clean", "emit")

builder = StateGraph(State)
builder.add_node("worker", worker.compile())
builder.add_conditional_edges(
    START, lambda s: [Send("worker", {"item": i, "results": []}) for i in s["items"]], ["worker"]
)
builder.add_edge("worker", END)
graph = builder.compile()

print(sorted(graph.invoke({"items": [" ant", "bee ", " cat "], "results": []})["results"]))
