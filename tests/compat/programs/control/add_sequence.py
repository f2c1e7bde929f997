"""add_sequence adds nodes in order, named after their functions or given names."""

import operator
from typing import Annotated, TypedDict

from langgraph.graph import START, StateGraph


class State(TypedDict):
    value: int
    steps: Annotated[list[str], operator.add]


def load(state: State) -> dict:
    return {"value": state["value"] + 1, "steps": ["load"]}


def transform(state: State) -> dict:
    return {"value": state["value"] * 3, "steps": ["transform"]}


def save(state: State) -> dict:
    return {"steps": [f"save {state['value']}"]}


builder = StateGraph(State)
builder.add_sequence([load, transform, ("store", save)])
builder.add_edge(START, "load")
graph = builder.compile()

print(graph.invoke({"value": 1, "steps": []}))
print([name for name in graph.get_graph().nodes])
for chunk in graph.stream({"value": 0, "steps": []}, stream_mode="updates"):
    print(chunk)
