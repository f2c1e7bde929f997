"""SqliteSaver on a file: a subgraph compiled with checkpointer=True keeps its state between parent
runs.
"""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph


class Memory(TypedDict):
    facts: Annotated[list[str], operator.add]


class Parent(TypedDict):
    question: str
    facts: Annotated[list[str], operator.add]


def build():
    inner = StateGraph(Memory)
    inner.add_node("remember", lambda s: {"facts": [f"fact {len(s['facts'])}"]})
    inner.add_edge(START, "remember")
    outer = StateGraph(Parent)
    outer.add_node("memory", inner.compile(checkpointer=True))
    outer.add_edge(START, "memory")
    return outer


config = {"configurable": {"thread_id": "mem"}}
with SqliteSaver.from_conn_string("memory.db") as saver:
    graph = build().compile(checkpointer=saver)
    print(graph.invoke({"question": "q1", "facts": []}, config))

with SqliteSaver.from_conn_string("memory.db") as saver:
    graph = build().compile(checkpointer=saver)
    print(graph.invoke({"question": "q2", "facts": []}, config))
    namespaces = sorted({c.config["configurable"]["checkpoint_ns"] for c in saver.list(None)})
    print(namespaces)
    sub = saver.get_tuple({"configurable": {"thread_id": "mem", "checkpoint_ns": "memory"}})
    print(sub.checkpoint["channel_values"].get("facts"), sub.metadata["step"])
