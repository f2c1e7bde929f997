"""SqliteSaver(sqlite3.connect(...)): several threads on a connection the user owns."""

import sqlite3
from typing import TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    user: str
    visits: int


builder = StateGraph(State)
builder.add_node("visit", lambda s: {"visits": s["visits"] + 1})
builder.add_edge(START, "visit")

conn = sqlite3.connect("app.db", check_same_thread=False)
saver = SqliteSaver(conn)
graph = builder.compile(checkpointer=saver)
for user, times in (("ann", 3), ("bob", 1)):
    config = {"configurable": {"thread_id": user}}
    graph.invoke({"user": user, "visits": 0}, config)
    for _ in range(times - 1):
        graph.invoke(None, config)
        graph.invoke({"user": user}, config)
for user in ("ann", "bob"):
    config = {"configurable": {"thread_id": user}}
    print(user, graph.get_state(config).values, len(list(saver.list(config))))
print(len(list(saver.list(None))), "checkpoints in the file")
conn.close()

conn = sqlite3.connect("app.db", check_same_thread=False)
graph = builder.compile(checkpointer=SqliteSaver(conn))
print(graph.get_state({"configurable": {"thread_id": "ann"}}).values)
conn.close()
