"""PostgresSaver: stream_mode="checkpoints" with a saver reports each saved checkpoint."""

import os
from typing import TypedDict

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.graph import START, StateGraph

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class State(TypedDict):
    n: int


builder = StateGraph(State)
builder.add_node("half", lambda s: {"n": s["n"] // 2})
builder.add_node("neg", lambda s: {"n": -s["n"]})
builder.add_edge(START, "half")
builder.add_edge("half", "neg")

with PostgresSaver.from_conn_string(DB_URI) as saver:
    saver.setup()
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "ck"}}
    streamed = []
    for chunk in graph.stream({"n": 10}, config, stream_mode="checkpoints"):
        streamed.append(chunk["config"]["configurable"]["checkpoint_id"])
        print(
            chunk["metadata"]["step"],
            chunk["metadata"]["source"],
            chunk["values"],
            chunk["next"],
            [t["name"] for t in chunk["tasks"]],
        )
    saved = [s.config["configurable"]["checkpoint_id"] for s in graph.get_state_history(config)]
    print(streamed == saved[::-1])
