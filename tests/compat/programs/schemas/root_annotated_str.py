"""A non-dict root state: the whole state is a string joined with operator.add."""

import operator
from typing import Annotated

from langgraph.graph import END, START, StateGraph


def first(state: str) -> str:
    return " first"


def second(state: str) -> str:
    return f" second(len={len(state)})"


builder = StateGraph(Annotated[str, operator.add])
builder.add_node("first", first)
builder.add_node("second", second)
builder.add_edge(START, "first")
builder.add_edge("first", "second")
builder.add_edge("second", END)
graph = builder.compile()

print(repr(graph.invoke("start:")))
for chunk in graph.stream("s:", stream_mode="updates"):
    print(chunk)
for chunk in graph.stream("v:", stream_mode="values"):
    print(repr(chunk))
