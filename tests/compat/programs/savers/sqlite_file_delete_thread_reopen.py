"""SqliteSaver on a file: delete_thread() is durable; a reopened saver no longer sees the thread."""

from typing import TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    v: str


def build():
    builder = StateGraph(State)
    builder.add_node("echo", lambda s: {"v": s["v"] * 2})
    builder.add_edge(START, "echo")
    return builder


with SqliteSaver.from_conn_string("threads.db") as saver:
    graph = build().compile(checkpointer=saver)
    for t in ("a", "b", "c"):
        graph.invoke({"v": t}, {"configurable": {"thread_id": t}})
    saver.delete_thread("b")

with SqliteSaver.from_conn_string("threads.db") as saver:
    graph = build().compile(checkpointer=saver)
    for t in ("a", "b", "c"):
        config = {"configurable": {"thread_id": t}}
        print(t, graph.get_state(config).values, len(list(saver.list(config))))
    print(sorted({c.config["configurable"]["thread_id"] for c in saver.list(None)}))
