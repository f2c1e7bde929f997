"""SqliteSaver(":memory:"): resuming a step whose sibling already finished streams that sibling's
saved writes.
"""

import operator
import time
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt

runs = {"lookup": 0, "confirm": 0}


class State(TypedDict):
    facts: Annotated[list[str], operator.add]


def lookup(state: State) -> dict:
    runs["lookup"] += 1
    return {"facts": ["looked up"]}


def confirm(state: State) -> dict:
    runs["confirm"] += 1
    time.sleep(0.05)  # the question is asked once the lookup is done
    return {"facts": [f"confirmed {interrupt('confirm?')}"]}


builder = StateGraph(State)
builder.add_node("lookup", lookup)
builder.add_node("confirm", confirm)
builder.add_edge(START, "lookup")
builder.add_edge(START, "confirm")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "sib"}}
    for chunk in graph.stream({"facts": []}, config, stream_mode="updates"):
        print(sorted(chunk))
    for chunk in graph.stream(Command(resume="yes"), config, stream_mode="updates"):
        print(chunk)
    print(runs, sorted(graph.get_state(config).values["facts"]))
