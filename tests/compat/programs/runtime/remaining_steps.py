"""RemainingSteps: an agent loop stops itself before hitting the recursion limit."""

import operator
from typing import Annotated, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.managed import RemainingSteps


class State(TypedDict):
    thoughts: Annotated[list[str], operator.add]
    remaining_steps: RemainingSteps


def think(state: State) -> dict:
    return {"thoughts": [f"thought with {state['remaining_steps']} steps left"]}


def should_continue(state: State) -> str:
    return END if state["remaining_steps"] <= 2 else "think"


builder = StateGraph(State)
builder.add_node("think", think)
builder.add_edge(START, "think")
builder.add_conditional_edges("think", should_continue, ["think", END])
graph = builder.compile()

result = graph.invoke({"thoughts": []}, {"recursion_limit": 6})
print(result)
print(sorted(result))
print(len(graph.invoke({"thoughts": []}, {"recursion_limit": 10})["thoughts"]))
