"""PostgresSaver: update_state, history filtered by source and limit, threads apart."""

import os
from typing import TypedDict

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.graph import START, StateGraph

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class State(TypedDict):
    value: int


builder = StateGraph(State)
builder.add_node("inc", lambda s: {"value": s["value"] + 1})
builder.add_node("dbl", lambda s: {"value": s["value"] * 2})
builder.add_edge(START, "inc")
builder.add_edge("inc", "dbl")

with PostgresSaver.from_conn_string(DB_URI) as saver:
    saver.setup()
    graph = builder.compile(checkpointer=saver)
    one = {"configurable": {"thread_id": "one"}}
    two = {"configurable": {"thread_id": "two"}}
    print(graph.invoke({"value": 1}, one), graph.invoke({"value": 10}, two))
    graph.update_state(one, {"value": 100})
    print(graph.get_state(one).values, graph.get_state(one).metadata["source"])
    updates = graph.get_state_history(one, filter={"source": "update"})
    print("updates", [s.values for s in updates])
    print("limit", [s.metadata["step"] for s in graph.get_state_history(one, limit=3)])
    print("two", [s.values for s in graph.get_state_history(two)])
