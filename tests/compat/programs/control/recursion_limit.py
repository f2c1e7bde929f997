"""A loop without an exit hits recursion_limit and raises GraphRecursionError."""

from typing import TypedDict

from langgraph.errors import GraphRecursionError
from langgraph.graph import START, StateGraph


class State(TypedDict):
    n: int


builder = StateGraph(State)
builder.add_node("ping", lambda s: {"n": s["n"] + 1})
builder.add_node("pong", lambda s: {"n": s["n"] + 1})
builder.add_edge(START, "ping")
builder.add_edge("ping", "pong")
builder.add_edge("pong", "ping")
graph = builder.compile()

for limit in (4, 7):
    try:
        graph.invoke({"n": 0}, {"recursion_limit": limit})
    except GraphRecursionError as exc:
        print(limit, type(exc).__name__)

seen = []
try:
    for chunk in graph.stream({"n": 0}, {"recursion_limit": 5}):
        seen.append(chunk)
except GraphRecursionError:
    print("streamed before the error:", seen)
print(issubclass(GraphRecursionError, RecursionError))
