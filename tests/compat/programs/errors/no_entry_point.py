"""A graph with no edge from START cannot be compiled."""

from typing import TypedDict

from langgraph.graph import StateGraph


class State(TypedDict):
    x: int


builder = StateGraph(State)
builder.add_node("lonely", lambda s: {"x": 1})
try:
    builder.compile()
except ValueError:
    print("no entry point: caught ValueError")

builder.set_entry_point("lonely")
graph = builder.compile()
print(graph.invoke({"x": 0}))

finish = StateGraph(State)
finish.add_node("only", lambda s: {"x": s["x"] + 5})
finish.set_entry_point("only")
finish.set_finish_point("only")
print(finish.compile().invoke({"x": 1}))
