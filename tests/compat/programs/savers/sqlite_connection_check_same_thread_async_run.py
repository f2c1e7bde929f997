"""SqliteSaver on a connection with check_same_thread=False, used by a sync graph with parallel
nodes.
"""

import operator
import sqlite3
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    results: Annotated[list[int], operator.add]


builder = StateGraph(State)
for i in range(4):
    builder.add_node(f"w{i}", lambda s, i=i: {"results": [i * i]})
    builder.add_edge(START, f"w{i}")
builder.add_node("sum", lambda s: {"results": [sum(s["results"])]})
builder.add_edge([f"w{i}" for i in range(4)], "sum")

conn = sqlite3.connect("parallel.db", check_same_thread=False)
saver = SqliteSaver(conn)
graph = builder.compile(checkpointer=saver)
for t in range(3):
    config = {"configurable": {"thread_id": f"p{t}"}}
    print(sorted(graph.invoke({"results": [t]}, config)["results"]))
print(conn.execute("select count(*) from sqlite_master where type = 'table'").fetchone()[0] > 0)
print(sorted({c.config["configurable"]["thread_id"] for c in saver.list(None)}))
conn.close()
