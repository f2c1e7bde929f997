"""PostgresSaver: a subgraph interrupt; get_state(subgraphs=True), then resume."""

import os
from typing import TypedDict

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class State(TypedDict):
    doc: str
    signed: bool


def sign(state: State) -> dict:
    return {"signed": interrupt(f"sign {state['doc']}?") == "ok"}


child = StateGraph(State)
child.add_node("stamp", lambda s: {"doc": s["doc"] + " [stamped]"})
child.add_node("sign", sign)
child.add_edge(START, "stamp")
child.add_edge("stamp", "sign")

parent = StateGraph(State)
parent.add_node("legal", child.compile())
parent.add_node("file", lambda s: {"doc": s["doc"] + " [filed]"})
parent.add_edge(START, "legal")
parent.add_edge("legal", "file")
config = {"configurable": {"thread_id": "contract"}}

with PostgresSaver.from_conn_string(DB_URI) as saver:
    saver.setup()
    graph = parent.compile(checkpointer=saver)
    print([i.value for i in graph.invoke({"doc": "nda", "signed": False}, config)["__interrupt__"]])

with PostgresSaver.from_conn_string(DB_URI) as saver:
    graph = parent.compile(checkpointer=saver)
    state = graph.get_state(config, subgraphs=True)
    print(state.next, state.values)
    sub = state.tasks[0].state
    print(sub.next, sub.values, [i.value for i in sub.interrupts])
    print(graph.invoke(Command(resume="ok"), config))
