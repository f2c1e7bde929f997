"""SqliteSaver(":memory:"): values a saver cannot store; the error is a TypeError and the thread
keeps its last good step.
"""

import enum
import pathlib
from typing import TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph


class Color(enum.Enum):
    RED = "red"


class State(TypedDict):
    data: dict


def builder_for(value):
    builder = StateGraph(State)
    builder.add_node("ok", lambda s: {"data": {"fine": 1}})
    builder.add_node("put", lambda s: {"data": {"value": value}})
    builder.add_edge(START, "ok")
    builder.add_edge("ok", "put")
    return builder


with SqliteSaver.from_conn_string(":memory:") as saver:
    for name, value in [
        ("path", pathlib.PurePosixPath("/tmp/x")),
        ("enum", Color.RED),
        ("huge int", 2**70),
    ]:
        graph = builder_for(value).compile(checkpointer=saver)
        config = {"configurable": {"thread_id": name}}
        try:
            graph.invoke({"data": {}}, config)
            print(name, "stored", graph.get_state(config).values)
        except TypeError:
            state = graph.get_state(config)
            print(name, "TypeError; kept", state.values, state.next)
