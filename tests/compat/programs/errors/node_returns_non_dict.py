"""A node returning something that is not a dict raises InvalidUpdateError."""

from typing import TypedDict

from langgraph.errors import InvalidUpdateError
from langgraph.graph import START, StateGraph


class State(TypedDict):
    text: str


for bad in ("just a string", ["a", "list"], 42):
    builder = StateGraph(State)
    builder.add_node("bad", lambda s, bad=bad: bad)
    builder.add_edge(START, "bad")
    try:
        builder.compile().invoke({"text": "x"})
        print(type(bad).__name__, "accepted")
    except InvalidUpdateError as exc:
        print(type(bad).__name__, "InvalidUpdateError", isinstance(exc, Exception))

builder = StateGraph(State)
builder.add_node("none", lambda s: None)
builder.add_edge(START, "none")
print("None is fine:", builder.compile().invoke({"text": "x"}))
