"""PostgresSaver: what get_tuple() shows while an interrupt waits next to a finished sibling."""

import operator
import os
from typing import Annotated, TypedDict

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
runs = {"auto": 0, "manual": 0}


class State(TypedDict):
    done: Annotated[list[str], operator.add]


def auto(state: State) -> dict:
    runs["auto"] += 1
    return {"done": ["auto"]}


def manual(state: State) -> dict:
    runs["manual"] += 1
    return {"done": [f"manual:{interrupt('approve manual step')}"]}


builder = StateGraph(State)
builder.add_node("auto", auto)
builder.add_node("manual", manual)
builder.add_edge(START, "auto")
builder.add_edge(START, "manual")
config = {"configurable": {"thread_id": "mix"}}

with PostgresSaver.from_conn_string(DB_URI) as saver:
    saver.setup()
    graph = builder.compile(checkpointer=saver)
    result = graph.invoke({"done": []}, config)
    print(result)
    saved = saver.get_tuple(config)
    print(saved.metadata["step"], sorted(w[1] for w in saved.pending_writes))
    state = graph.get_state(config)
    print(state.next, state.values, [i.value for i in state.interrupts])

with PostgresSaver.from_conn_string(DB_URI) as saver:
    graph = builder.compile(checkpointer=saver)
    print(graph.invoke(Command(resume="yes"), config), runs)
