"""PostgresSaver: update_state(as_node=) at a breakpoint changes the route, read by a second
saver.
"""

import os
from typing import TypedDict

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.graph import END, START, StateGraph

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class State(TypedDict):
    ticket: str
    priority: str
    handled_by: str


def triage(state: State) -> dict:
    return {"priority": "low"}


def route(state: State) -> str:
    return "oncall" if state["priority"] == "high" else "queue"


builder = StateGraph(State)
builder.add_node("triage", triage)
builder.add_node("oncall", lambda s: {"handled_by": "oncall"})
builder.add_node("queue", lambda s: {"handled_by": "queue"})
builder.add_edge(START, "triage")
builder.add_conditional_edges("triage", route, ["oncall", "queue"])
builder.add_edge("oncall", END)
builder.add_edge("queue", END)
config = {"configurable": {"thread_id": "ticket-3"}}

with PostgresSaver.from_conn_string(DB_URI) as saver:
    saver.setup()
    graph = builder.compile(checkpointer=saver, interrupt_after=["triage"])
    print(graph.invoke({"ticket": "db down", "priority": "", "handled_by": ""}, config))
    print(graph.get_state(config).next)
    graph.update_state(config, {"priority": "high"}, as_node="triage")
    print(graph.get_state(config).next, graph.get_state(config).metadata["source"])

with PostgresSaver.from_conn_string(DB_URI) as saver:
    graph = builder.compile(checkpointer=saver, interrupt_after=["triage"])
    print(graph.invoke(None, config))
    for snap in graph.get_state_history(config):
        print(
            snap.metadata["step"], snap.metadata["source"], snap.next, snap.values.get("priority")
        )
