"""SqliteSaver(":memory:"): durability="sync", "async" and "exit" leave different histories."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    path: Annotated[list[str], operator.add]


builder = StateGraph(State)
builder.add_node("one", lambda s: {"path": ["one"]})
builder.add_node("two", lambda s: {"path": ["two"]})
builder.add_node("three", lambda s: {"path": ["three"]})
builder.add_edge(START, "one")
builder.add_edge("one", "two")
builder.add_edge("two", "three")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    for mode in ("sync", "async", "exit"):
        config = {"configurable": {"thread_id": mode}}
        print(mode, graph.invoke({"path": []}, config, durability=mode))
        history = list(graph.get_state_history(config))
        print("  ", [(s.metadata["step"], s.metadata["source"]) for s in history])
        print("  ", graph.get_state(config).values, graph.get_state(config).next)
