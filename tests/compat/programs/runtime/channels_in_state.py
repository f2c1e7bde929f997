"""Channels as state annotations: a Topic and a BinaryOperatorAggregate."""

import operator
from typing import Annotated, TypedDict

from langgraph.channels import BinaryOperatorAggregate, Topic
from langgraph.graph import START, StateGraph


class State(TypedDict):
    events: Annotated[list[str], Topic(str, accumulate=True)]
    score: Annotated[int, BinaryOperatorAggregate(int, operator.add)]


builder = StateGraph(State)
builder.add_node("left", lambda s: {"events": "left", "score": 1})
builder.add_node("right", lambda s: {"events": ["right", "right again"], "score": 10})
builder.add_node("end", lambda s: {"events": f"end saw {len(s['events'])}", "score": 100})
builder.add_edge(START, "left")
builder.add_edge(START, "right")
builder.add_edge(["left", "right"], "end")
graph = builder.compile()

result = graph.invoke({"events": ["start"], "score": 0})
print(sorted(result["events"]), result["score"])
