"""SqliteSaver(":memory:"): printing a whole StateSnapshot, a checkpoint's metadata and its pending
writes.
"""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    log: Annotated[list[str], operator.add]


def ask(state: State) -> dict:
    return {"log": [interrupt("ok?")]}


builder = StateGraph(State)
builder.add_node("first", lambda s: {"log": ["first"]})
builder.add_node("ask", ask)
builder.add_edge(START, "first")
builder.add_edge("first", "ask")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "print"}}
    graph.invoke({"log": []}, config)
    print(graph.get_state(config))
    for snap in graph.get_state_history(config):
        print(snap.metadata, snap.next)
    saved = saver.get_tuple(config)
    print(saved.metadata)
    print(saved.config)
    print(saved.parent_config)
    print(saved.pending_writes)
    graph.invoke(Command(resume="fine"), config)
    print(graph.get_state(config))
