"""SqliteSaver on a file: a second saver opened later sees the thread and continues it."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    notes: Annotated[list[str], operator.add]


def build():
    builder = StateGraph(State)
    builder.add_node("take", lambda s: {"notes": [f"note {len(s['notes'])}"]})
    builder.add_node("check", lambda s: {"notes": ["checked"]})
    builder.add_edge(START, "take")
    builder.add_edge("take", "check")
    return builder


config = {"configurable": {"thread_id": "file-thread"}}
with SqliteSaver.from_conn_string("checkpoints.sqlite") as saver:
    graph = build().compile(checkpointer=saver, interrupt_before=["check"])
    print(graph.invoke({"notes": ["start"]}, config))
    print("next", graph.get_state(config).next)

with SqliteSaver.from_conn_string("checkpoints.sqlite") as saver:
    graph = build().compile(checkpointer=saver, interrupt_before=["check"])
    print("reopened", graph.get_state(config).values, graph.get_state(config).next)
    print(graph.invoke(None, config))
    print(len(list(graph.get_state_history(config))), "checkpoints")
