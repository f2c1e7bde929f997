"""A node returns Command(goto=..., update=...); destinations= tells the graph where it can go."""

import operator
from typing import Annotated, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import Command


class State(TypedDict):
    value: int
    trail: Annotated[list[str], operator.add]


def router(state: State) -> Command:
    target = "small" if state["value"] < 10 else "big"
    return Command(goto=target, update={"trail": [f"router->{target}"]})


builder = StateGraph(State)
builder.add_node("router", router, destinations=("small", "big"))
builder.add_node("small", lambda s: {"trail": ["small"], "value": s["value"] + 100})
builder.add_node("big", lambda s: {"trail": ["big"]})
builder.add_edge(START, "router")
builder.add_edge("small", END)
builder.add_edge("big", END)
graph = builder.compile()

print(graph.invoke({"value": 3, "trail": []}))
print(graph.invoke({"value": 30, "trail": []}))
for chunk in graph.stream({"value": 1, "trail": []}):
    print(chunk)
print(sorted(graph.get_graph().nodes))
