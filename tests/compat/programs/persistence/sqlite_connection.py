"""SqliteSaver(conn) with a sqlite3 connection made by the user."""

import sqlite3
from typing import TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    word: str
    length: int


builder = StateGraph(State)
builder.add_node("measure", lambda s: {"length": len(s["word"])})
builder.add_node("shout", lambda s: {"word": s["word"].upper()})
builder.add_edge(START, "measure")
builder.add_edge("measure", "shout")

conn = sqlite3.connect("user.db", check_same_thread=False)
memory = SqliteSaver(conn)
graph = builder.compile(checkpointer=memory)

for thread, word in (("1", "hello"), ("2", "graph")):
    config = {"configurable": {"thread_id": thread}}
    print(graph.invoke({"word": word}, config))
    print([s.metadata["step"] for s in graph.get_state_history(config)])

print(graph.get_state({"configurable": {"thread_id": "1"}}).values)
conn.close()
