"""SqliteSaver(":memory:"): delete_thread() forgets one thread and leaves the others."""

from typing import TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    count: int


builder = StateGraph(State)
builder.add_node("inc", lambda s: {"count": s["count"] + 1})
builder.add_edge(START, "inc")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    keep = {"configurable": {"thread_id": "keep"}}
    drop = {"configurable": {"thread_id": "drop"}}
    graph.invoke({"count": 0}, keep)
    graph.invoke({"count": 10}, drop)
    graph.invoke({"count": 20}, drop)
    print(len(list(saver.list(keep))), len(list(saver.list(drop))))
    saver.delete_thread("drop")
    print(len(list(saver.list(keep))), len(list(saver.list(drop))))
    print(graph.get_state(drop).values, graph.get_state(drop).next)
    print(graph.get_state(keep).values)
    print(graph.invoke({"count": 100}, drop))
    print(len(list(graph.get_state_history(drop))))
