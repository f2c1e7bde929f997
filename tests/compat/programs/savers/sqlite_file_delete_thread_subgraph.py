"""SqliteSaver on a file: delete_thread() also removes the checkpoints of the thread's subgraphs."""

from typing import TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import interrupt


class State(TypedDict):
    x: str


def build():
    inner = StateGraph(State)
    inner.add_node("wait", lambda s: {"x": interrupt("continue?")})
    inner.add_edge(START, "wait")
    outer = StateGraph(State)
    outer.add_node("inner", inner.compile())
    outer.add_edge(START, "inner")
    return outer


config = {"configurable": {"thread_id": "nest"}}
with SqliteSaver.from_conn_string("nest.db") as saver:
    graph = build().compile(checkpointer=saver)
    graph.invoke({"x": "a"}, config)
    graph.invoke({"x": "b"}, {"configurable": {"thread_id": "other"}})
    print(
        len({c.config["configurable"]["checkpoint_ns"] != "" for c in saver.list(None)}),
        "kinds of namespace",
    )
    saver.delete_thread("nest")

with SqliteSaver.from_conn_string("nest.db") as saver:
    graph = build().compile(checkpointer=saver)
    left = sorted(
        (c.config["configurable"]["thread_id"], c.config["configurable"]["checkpoint_ns"] != "")
        for c in saver.list(None)
    )
    print(sorted(set(left)))
    print(graph.get_state(config, subgraphs=True).values)
    print(
        graph.get_state({"configurable": {"thread_id": "other"}}, subgraphs=True)
        .tasks[0]
        .state.values
    )
