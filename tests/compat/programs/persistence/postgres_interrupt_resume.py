"""PostgresSaver: an interrupt saved by one saver, resumed through another one."""

import os
from typing import TypedDict

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class State(TypedDict):
    order: str
    status: str


def confirm(state: State) -> dict:
    answer = interrupt({"confirm": state["order"]})
    return {"status": "confirmed" if answer else "dropped"}


builder = StateGraph(State)
builder.add_node("confirm", confirm)
builder.add_node("ship", lambda s: {"status": s["status"] + ", shipped"})
builder.add_edge(START, "confirm")
builder.add_edge("confirm", "ship")
config = {"configurable": {"thread_id": "order-7"}}

with PostgresSaver.from_conn_string(DB_URI) as saver:
    saver.setup()
    graph = builder.compile(checkpointer=saver)
    result = graph.invoke({"order": "7 books", "status": "new"}, config)
    print([i.value for i in result["__interrupt__"]])

with PostgresSaver.from_conn_string(DB_URI) as saver:
    graph = builder.compile(checkpointer=saver)
    snapshot = graph.get_state(config)
    print(snapshot.next, [i.value for i in snapshot.interrupts], snapshot.values)
    print(graph.invoke(Command(resume=True), config))
    for s in graph.get_state_history(config):
        print(s.metadata["step"], s.metadata["source"], s.next)
