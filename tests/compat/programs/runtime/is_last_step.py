"""IsLastStep is True on the step the recursion limit allows last."""

import operator
from typing import Annotated, TypedDict

from langgraph.graph import START, StateGraph
from langgraph.managed import IsLastStep


class State(TypedDict):
    log: Annotated[list[str], operator.add]
    is_last_step: IsLastStep


def work(state: State) -> dict:
    return {"log": [f"last={state['is_last_step']}"]}


def route(state: State) -> str:
    return "__end__" if state["log"][-1] == "last=True" else "work"


builder = StateGraph(State)
builder.add_node("work", work)
builder.add_edge(START, "work")
builder.add_conditional_edges("work", route, ["work", "__end__"])
graph = builder.compile()

print(graph.invoke({"log": []}, {"recursion_limit": 4}))
print(graph.invoke({"log": []}, {"recursion_limit": 2}))
