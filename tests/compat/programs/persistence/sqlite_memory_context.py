"""SqliteSaver.from_conn_string(':memory:') used as a context manager."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    total: Annotated[int, operator.add]
    label: str


builder = StateGraph(State)
builder.add_node("double", lambda s: {"total": s["total"]})
builder.add_node("name", lambda s: {"label": f"total={s['total']}"})
builder.add_edge(START, "double")
builder.add_edge("double", "name")

with SqliteSaver.from_conn_string(":memory:") as checkpointer:
    graph = builder.compile(checkpointer=checkpointer)
    config = {"configurable": {"thread_id": "sq"}}
    print(graph.invoke({"total": 5}, config))
    print(graph.invoke({"total": 1}, config))
    snapshot = graph.get_state(config)
    print(snapshot.values, snapshot.next, snapshot.metadata["step"])
    for s in graph.get_state_history(config):
        print(s.metadata["step"], s.metadata["source"], s.next, s.values)
