"""A list as the whole state, appended to by parallel nodes."""

import operator
from typing import Annotated

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph


def left(state: list) -> list:
    return ["left"]


def right(state: list) -> list:
    return ["right"]


def merge(state: list) -> list:
    return [f"merged {len(state)}"]


builder = StateGraph(Annotated[list, operator.add])
builder.add_node("left", left)
builder.add_node("right", right)
builder.add_node("merge", merge)
builder.add_edge(START, "left")
builder.add_edge(START, "right")
builder.add_edge(["left", "right"], "merge")
builder.add_edge("merge", END)
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "t"}}
print(graph.invoke(["input"], config))
print(graph.get_state(config).values)
print(graph.invoke(["again"], config))
