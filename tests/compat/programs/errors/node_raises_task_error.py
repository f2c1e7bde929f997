"""A node raises: the error propagates, get_state shows the failed task, a fix resumes."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph

fail = {"on": True}


class State(TypedDict):
    log: Annotated[list[str], operator.add]


def fragile(state: State) -> dict:
    if fail["on"]:
        raise RuntimeError("disk is full")
    return {"log": ["fragile ok"]}


builder = StateGraph(State)
builder.add_node("first", lambda s: {"log": ["first"]})
builder.add_node("fragile", fragile)
builder.add_edge(START, "first")
builder.add_edge("first", "fragile")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "err"}}
try:
    graph.invoke({"log": []}, config)
except RuntimeError as exc:
    print("caught", type(exc).__name__, exc)

snapshot = graph.get_state(config)
print("values", snapshot.values, "next", snapshot.next)
task = snapshot.tasks[0]
print("task", task.name, type(task.error).__name__, task.error)

fail["on"] = False
print(graph.invoke(None, config))
print(graph.get_state(config).next, graph.get_state(config).tasks)
