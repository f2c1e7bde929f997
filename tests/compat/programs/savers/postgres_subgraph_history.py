"""PostgresSaver: get_state_history on a subgraph's namespace, read while it waits at a
breakpoint.
"""

import operator
import os
from typing import Annotated, TypedDict

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.graph import START, StateGraph

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class State(TypedDict):
    trail: Annotated[list[str], operator.add]


inner = StateGraph(State)
inner.add_node("i1", lambda s: {"trail": ["i1"]})
inner.add_node("i2", lambda s: {"trail": ["i2"]})
inner.add_node("i3", lambda s: {"trail": ["i3"]})
inner.add_edge(START, "i1")
inner.add_edge("i1", "i2")
inner.add_edge("i2", "i3")

outer = StateGraph(State)
outer.add_node("o", lambda s: {"trail": ["o"]})
outer.add_node("inner", inner.compile(interrupt_before=["i3"]))
outer.add_edge(START, "o")
outer.add_edge("o", "inner")

with PostgresSaver.from_conn_string(DB_URI) as saver:
    saver.setup()
    graph = outer.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "deep"}}
    print(graph.invoke({"trail": []}, config))
    sub = graph.get_state(config, subgraphs=True).tasks[0].state
    print(sub.next, sub.values)
    for snap in graph.get_state_history(sub.config):
        print(snap.metadata["step"], snap.metadata["source"], snap.next, snap.values.get("trail"))
    print(graph.invoke(None, config))
