"""A misspelled keyword argument to invoke or stream: what happens."""

from typing import TypedDict

from langgraph.graph import START, StateGraph


class State(TypedDict):
    x: int


builder = StateGraph(State)
builder.add_node("inc", lambda s: {"x": s["x"] + 1})
builder.add_edge(START, "inc")
graph = builder.compile()

try:
    print("invoke:", graph.invoke({"x": 1}, stream_mod="updates"))
except TypeError:
    print("invoke: TypeError")

try:
    print("stream:", list(graph.stream({"x": 1}, stream_mod="updates")))
except TypeError:
    print("stream: TypeError")

try:
    print("stream_mode bad value:", list(graph.stream({"x": 1}, stream_mode="nonsense")))
except ValueError:
    print("stream_mode bad value: ValueError")
