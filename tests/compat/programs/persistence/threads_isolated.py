"""Two threads on one saver do not see each other's state."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    items: Annotated[list[str], operator.add]


builder = StateGraph(State)
builder.add_node("add", lambda s: {"items": [f"n{len(s['items'])}"]})
builder.add_edge(START, "add")
saver = InMemorySaver()
graph = builder.compile(checkpointer=saver)

alice = {"configurable": {"thread_id": "alice"}}
bob = {"configurable": {"thread_id": "bob"}}
print(graph.invoke({"items": ["a"]}, alice))
print(graph.invoke({"items": ["b"]}, bob))
print(graph.invoke({"items": ["a2"]}, alice))
print("alice", graph.get_state(alice).values)
print("bob", graph.get_state(bob).values)
print("nobody", graph.get_state({"configurable": {"thread_id": "nobody"}}).values)
print("alice history", len(list(graph.get_state_history(alice))))
print("bob history", len(list(graph.get_state_history(bob))))
threads = sorted({t.config["configurable"]["thread_id"] for t in saver.list(None)})
print("threads", threads)
