"""SqliteSaver(":memory:"): what users print from checkpointer.list() and get_tuple()."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    steps: Annotated[list[str], operator.add]


builder = StateGraph(State)
builder.add_node("a", lambda s: {"steps": ["a"]})
builder.add_node("b", lambda s: {"steps": ["b"]})
builder.add_edge(START, "a")
builder.add_edge("a", "b")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "lt"}}
    graph.invoke({"steps": []}, config)
    graph.invoke({"steps": ["again"]}, {"configurable": {"thread_id": "other"}})
    for item in saver.list(config):
        print(
            item.metadata["step"],
            item.metadata["source"],
            item.checkpoint["channel_values"].get("steps"),
        )
        print("  parent", item.parent_config is not None, "writes", len(item.pending_writes or []))
    print(len(list(saver.list(config, limit=2))), "with limit=2")
    print(len(list(saver.list(None))), "on all threads")
    latest = saver.get_tuple(config)
    print(
        latest.config["configurable"]["thread_id"],
        latest.metadata["step"],
        latest.checkpoint["channel_values"],
    )
    first = list(saver.list(config))[-1]
    again = saver.get_tuple(first.config)
    print(
        again.metadata["step"],
        again.metadata["source"],
        again.checkpoint["id"] == first.checkpoint["id"],
    )
    print(saver.get_tuple({"configurable": {"thread_id": "nobody"}}))
    print(saver.get(config)["channel_values"])
