"""Adding a node twice, or using a reserved name, raises ValueError."""

from typing import TypedDict

from langgraph.graph import END, START, StateGraph


class State(TypedDict):
    x: int


builder = StateGraph(State)
builder.add_node("step", lambda s: {"x": 1})
try:
    builder.add_node("step", lambda s: {"x": 2})
except ValueError:
    print("duplicate: caught ValueError")

for reserved in (START, END):
    try:
        builder.add_node(reserved, lambda s: {"x": 3})
    except ValueError:
        print(reserved, "reserved: caught ValueError")

builder.add_edge(START, "step")
print(builder.compile().invoke({"x": 0}))
