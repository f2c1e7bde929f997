"""add_conditional_edges with a list of targets and a router returning several nodes."""

import operator
from typing import Annotated, TypedDict

from langgraph.graph import END, START, StateGraph


class State(TypedDict):
    tags: list[str]
    out: Annotated[list[str], operator.add]


def pick(state: State) -> list[str]:
    return [t for t in ("news", "sports", "weather") if t in state["tags"]] or [END]


builder = StateGraph(State)
builder.add_node("classify", lambda s: {"out": ["classified"]})
for name in ("news", "sports", "weather"):
    builder.add_node(name, lambda s, name=name: {"out": [name]})
builder.add_edge(START, "classify")
builder.add_conditional_edges("classify", pick, ["news", "sports", "weather", END])
graph = builder.compile()

print(graph.invoke({"tags": ["sports", "news"], "out": []}))
print(graph.invoke({"tags": [], "out": []}))
print(graph.invoke({"tags": ["weather"], "out": []}))
