"""PostgresSaver: setup() may run on every start; threads from an earlier saver are still there."""

import os
from typing import TypedDict

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.graph import START, StateGraph

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class State(TypedDict):
    hits: int


builder = StateGraph(State)
builder.add_node("hit", lambda s: {"hits": s["hits"] + 1})
builder.add_edge(START, "hit")
config = {"configurable": {"thread_id": "counter"}}

for attempt in range(3):
    with PostgresSaver.from_conn_string(DB_URI) as saver:
        saver.setup()
        graph = builder.compile(checkpointer=saver)
        state = graph.get_state(config)
        start = state.values.get("hits", 0)
        print(attempt, start, graph.invoke({"hits": start}, config))

with PostgresSaver.from_conn_string(DB_URI) as saver:
    print(len(list(saver.list(config))), "checkpoints")
