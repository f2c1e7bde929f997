"""PostgresSaver.from_conn_string with setup(): run, reload, history."""

import operator
import os
from typing import Annotated, TypedDict

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.graph import START, StateGraph

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class State(TypedDict):
    topic: str
    lines: Annotated[list[str], operator.add]


builder = StateGraph(State)
builder.add_node("outline", lambda s: {"lines": [f"outline of {s['topic']}"]})
builder.add_node("write", lambda s: {"lines": [f"{len(s['lines'])} lines written"]})
builder.add_edge(START, "outline")
builder.add_edge("outline", "write")

with PostgresSaver.from_conn_string(DB_URI) as checkpointer:
    checkpointer.setup()
    graph = builder.compile(checkpointer=checkpointer)
    config = {"configurable": {"thread_id": "pg-1"}}
    print(graph.invoke({"topic": "rivers", "lines": []}, config))
    snapshot = graph.get_state(config)
    print(snapshot.values, snapshot.next, snapshot.metadata["source"], snapshot.metadata["step"])
    for s in graph.get_state_history(config):
        print(s.metadata["step"], s.metadata["source"], s.next, s.values["lines"])

with PostgresSaver.from_conn_string(DB_URI) as checkpointer:
    checkpointer.setup()
    graph = builder.compile(checkpointer=checkpointer)
    print("again", graph.invoke({"topic": "lakes"}, config)["lines"])
    print(len(list(graph.get_state_history(config))), "checkpoints")
