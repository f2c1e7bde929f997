"""After GraphRecursionError on a checkpointed thread, the saved state shows where it stopped."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.errors import GraphRecursionError
from langgraph.graph import START, StateGraph


class State(TypedDict):
    n: Annotated[int, operator.add]


builder = StateGraph(State)
builder.add_node("spin", lambda s: {"n": 1})
builder.add_edge(START, "spin")
builder.add_edge("spin", "spin")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "spin"}, "recursion_limit": 3}
try:
    graph.invoke({"n": 0}, config)
except GraphRecursionError:
    print("GraphRecursionError")
snapshot = graph.get_state(config)
print(snapshot.values, snapshot.next, snapshot.metadata["step"])
print(len(list(graph.get_state_history(config))))
try:
    graph.invoke(None, config)
except GraphRecursionError:
    print("again GraphRecursionError", graph.get_state(config).values)
