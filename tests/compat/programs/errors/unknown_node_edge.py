"""Edges to nodes that do not exist are refused when the graph is compiled."""

from typing import TypedDict

from langgraph.graph import END, START, StateGraph


class State(TypedDict):
    x: int


builder = StateGraph(State)
builder.add_node("real", lambda s: {"x": 1})
builder.add_edge(START, "real")
builder.add_edge("real", "imaginary")
try:
    builder.compile()
except ValueError:
    print("edge to unknown node: caught ValueError")

other = StateGraph(State)
other.add_node("real", lambda s: {"x": 1})
other.add_edge(START, "real")
other.add_edge("ghost", END)
try:
    other.compile()
except ValueError:
    print("edge from unknown node: caught ValueError")

fine = StateGraph(State)
fine.add_node("real", lambda s: {"x": s["x"] + 1})
fine.add_edge(START, "real")
print(fine.compile().invoke({"x": 1}))
