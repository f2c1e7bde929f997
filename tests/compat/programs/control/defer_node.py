"""add_node(defer=True): the collector waits until all branches of unequal length finish."""

import operator
from typing import Annotated, TypedDict

from langgraph.graph import END, START, StateGraph


class State(TypedDict):
    seen: Annotated[list[str], operator.add]


def step(name):
    return lambda state: {"seen": [name]}


builder = StateGraph(State)
builder.add_node("a", step("a"))
builder.add_node("b", step("b"))
builder.add_node("b_2", step("b_2"))
builder.add_node("c", step("c"))
builder.add_node("collect", lambda s: {"seen": [f"collect({len(s['seen'])})"]}, defer=True)
builder.add_edge(START, "a")
builder.add_edge("a", "b")
builder.add_edge("a", "c")
builder.add_edge("b", "b_2")
builder.add_edge("b_2", "collect")
builder.add_edge("c", "collect")
builder.add_edge("collect", END)
graph = builder.compile()

print(graph.invoke({"seen": []}))
for chunk in graph.stream({"seen": []}):
    print(chunk)
