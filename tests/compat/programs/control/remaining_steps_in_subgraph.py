"""RemainingSteps inside a subgraph node counts down with the parent's steps."""

import operator
from typing import Annotated

from langgraph.graph import END, START, StateGraph
from langgraph.managed import RemainingSteps
from typing_extensions import TypedDict


class State(TypedDict):
    seen: Annotated[list[int], operator.add]
    remaining_steps: RemainingSteps


def sub_step(state: State) -> dict:
    return {"seen": [state["remaining_steps"]]}


def sub_route(state: State) -> str:
    return END if state["remaining_steps"] <= 3 or len(state["seen"]) >= 8 else "sub_step"


sub = StateGraph(State)
sub.add_node("sub_step", sub_step)
sub.add_edge(START, "sub_step")
sub.add_conditional_edges("sub_step", sub_route, ["sub_step", END])
subgraph = sub.compile()


def before(state: State) -> dict:
    return {"seen": [-state["remaining_steps"]]}


builder = StateGraph(State)
builder.add_node("before", before)
builder.add_node("inner", subgraph)
builder.add_edge(START, "before")
builder.add_edge("before", "inner")
graph = builder.compile()

for limit in (6, 9, 25):
    print(limit, graph.invoke({"seen": []}, {"recursion_limit": limit}))
