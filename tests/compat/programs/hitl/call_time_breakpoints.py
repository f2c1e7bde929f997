"""interrupt_before / interrupt_after given to invoke() for one run only."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    log: Annotated[list[str], operator.add]


builder = StateGraph(State)
for name in ("a", "b", "c"):
    builder.add_node(name, lambda s, name=name: {"log": [name]})
builder.add_edge(START, "a")
builder.add_edge("a", "b")
builder.add_edge("b", "c")
graph = builder.compile(checkpointer=InMemorySaver())

one = {"configurable": {"thread_id": "one"}}
print(graph.invoke({"log": []}, one, interrupt_before=["b"]))
print(graph.get_state(one).next)
print(graph.invoke(None, one))

two = {"configurable": {"thread_id": "two"}}
print(graph.invoke({"log": []}, two, interrupt_after=["a", "b"]))
print(graph.get_state(two).next)
print(graph.invoke(None, two, interrupt_after=["a", "b"]))
print(graph.invoke(None, two))
print(graph.invoke({"log": []}, {"configurable": {"thread_id": "three"}}))
