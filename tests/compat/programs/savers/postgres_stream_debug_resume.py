"""PostgresSaver: stream_mode="debug" for a run stopped by interrupt_before and for its
continuation.
"""

import os
from typing import TypedDict

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.graph import START, StateGraph

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class State(TypedDict):
    v: int


builder = StateGraph(State)
builder.add_node("prep", lambda s: {"v": s["v"] + 1})
builder.add_node("commit", lambda s: {"v": s["v"] * 100})
builder.add_edge(START, "prep")
builder.add_edge("prep", "commit")


def show(event):
    payload = event["payload"]
    if event["type"] == "checkpoint":
        print(event["step"], "checkpoint", payload["values"], payload["next"])
    else:
        print(event["step"], event["type"], payload["name"])


with PostgresSaver.from_conn_string(DB_URI) as saver:
    saver.setup()
    graph = builder.compile(checkpointer=saver, interrupt_before=["commit"])
    config = {"configurable": {"thread_id": "dbg"}}
    for event in graph.stream({"v": 1}, config, stream_mode="debug"):
        show(event)
    print("--- continue")
    for event in graph.stream(None, config, stream_mode="debug"):
        show(event)
