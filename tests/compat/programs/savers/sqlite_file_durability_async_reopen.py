"""SqliteSaver on a file: durability="async" still leaves every step saved once the run returns."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    parts: Annotated[list[str], operator.add]


def build():
    builder = StateGraph(State)
    builder.add_sequence(
        [
            ("cut", lambda s: {"parts": ["cut"]}),
            ("sew", lambda s: {"parts": ["sew"]}),
            ("iron", lambda s: {"parts": ["iron"]}),
        ]
    )
    builder.add_edge(START, "cut")
    return builder


config = {"configurable": {"thread_id": "tailor"}}
with SqliteSaver.from_conn_string("tailor.db") as saver:
    graph = build().compile(checkpointer=saver)
    print(graph.invoke({"parts": []}, config, durability="async"))

with SqliteSaver.from_conn_string("tailor.db") as saver:
    graph = build().compile(checkpointer=saver)
    print(
        [
            (s.metadata["step"], s.next, s.values.get("parts"))
            for s in graph.get_state_history(config)
        ]
    )
