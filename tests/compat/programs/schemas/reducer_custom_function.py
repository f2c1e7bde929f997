"""A custom reducer function: merge dicts and keep the max score."""

from typing import Annotated, TypedDict

from langgraph.graph import START, StateGraph


def merge_dicts(current: dict, update: dict) -> dict:
    return {**current, **update}


def keep_max(current: int, update: int) -> int:
    return max(current, update)


class State(TypedDict):
    facts: Annotated[dict, merge_dicts]
    best: Annotated[int, keep_max]


def a(state: State) -> dict:
    return {"facts": {"a": 1}, "best": 3}


def b(state: State) -> dict:
    return {"facts": {"b": 2}, "best": 10}


def c(state: State) -> dict:
    return {"facts": {"a": 100, "seen": sorted(state["facts"])}, "best": 4}


builder = StateGraph(State)
builder.add_node("a", a)
builder.add_node("b", b)
builder.add_node("c", c)
builder.add_edge(START, "a")
builder.add_edge(START, "b")
builder.add_edge(["a", "b"], "c")
graph = builder.compile()

print(graph.invoke({"facts": {"start": 0}, "best": 5}))
print(graph.invoke({"facts": {}, "best": 50}))
