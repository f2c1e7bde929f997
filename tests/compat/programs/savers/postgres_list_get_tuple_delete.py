"""PostgresSaver: list() with filter/limit/before, get_tuple() and delete_thread() printed."""

import os
from typing import TypedDict

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.graph import START, StateGraph

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class State(TypedDict):
    s: str


builder = StateGraph(State)
builder.add_node("a", lambda st: {"s": st["s"] + "a"})
builder.add_node("b", lambda st: {"s": st["s"] + "b"})
builder.add_edge(START, "a")
builder.add_edge("a", "b")

with PostgresSaver.from_conn_string(DB_URI) as saver:
    saver.setup()
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "x"}}
    graph.invoke({"s": ""}, config)
    graph.invoke({"s": "again:"}, {"configurable": {"thread_id": "y"}})
    items = list(saver.list(config))
    for item in items:
        print(
            item.metadata["step"],
            item.metadata["source"],
            item.checkpoint["channel_values"].get("s"),
            len(item.pending_writes),
        )
    print([i.metadata["step"] for i in saver.list(config, filter={"source": "loop"})])
    print([i.metadata["step"] for i in saver.list(config, before=items[1].config)])
    print([i.metadata["step"] for i in saver.list(config, limit=1)])
    first = saver.get_tuple(items[-1].config)
    print(first.metadata["source"], first.parent_config)
    print(len(list(saver.list(None))), "rows")
    saver.delete_thread("x")
    print(saver.get_tuple(config), len(list(saver.list(None))), "rows after delete")
    print(graph.get_state({"configurable": {"thread_id": "y"}}).values)
