"""A node returning a key the state does not have, and update_state with one."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.errors import InvalidUpdateError
from langgraph.graph import START, StateGraph


class State(TypedDict):
    name: str


builder = StateGraph(State)
builder.add_node("typo", lambda s: {"nmae": "oops"})
builder.add_edge(START, "typo")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "k"}}
try:
    print(graph.invoke({"name": "x"}, config))
except InvalidUpdateError:
    print("node write: InvalidUpdateError")

try:
    graph.update_state(config, {"nmae": "again"})
    print("update_state accepted", graph.get_state(config).values)
except InvalidUpdateError:
    print("update_state: InvalidUpdateError")

try:
    graph.update_state(config, {"name": "y"}, as_node="no_such_node")
except InvalidUpdateError:
    print("unknown as_node: InvalidUpdateError")
print(graph.get_state(config).values)
