"""PostgresSaver: durability="sync", "async" and "exit" and the histories they leave."""

import operator
import os
from typing import Annotated, TypedDict

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.graph import START, StateGraph

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class State(TypedDict):
    hops: Annotated[list[int], operator.add]


builder = StateGraph(State)
builder.add_node("h1", lambda s: {"hops": [1]})
builder.add_node("h2", lambda s: {"hops": [2]})
builder.add_edge(START, "h1")
builder.add_edge("h1", "h2")

with PostgresSaver.from_conn_string(DB_URI) as saver:
    saver.setup()
    graph = builder.compile(checkpointer=saver)
    for mode in ("sync", "async", "exit"):
        config = {"configurable": {"thread_id": mode}}
        for chunk in graph.stream({"hops": []}, config, stream_mode="updates", durability=mode):
            print(mode, chunk)
        print(
            "  ",
            [
                (s.metadata["step"], s.metadata["source"], s.values.get("hops"))
                for s in graph.get_state_history(config)
            ],
        )
