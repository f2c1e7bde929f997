"""SqliteSaver(own connection): a map-reduce with Send is interrupted before the reduce and
resumed.
"""

import operator
import sqlite3
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Send


class State(TypedDict):
    words: list[str]
    lengths: Annotated[list[int], operator.add]
    total: int


def split(state: State) -> list[Send]:
    return [Send("measure", {"word": w}) for w in state["words"]]


builder = StateGraph(State)
builder.add_node("measure", lambda job: {"lengths": [len(job["word"])]})
builder.add_node("reduce", lambda s: {"total": sum(s["lengths"])})
builder.add_conditional_edges(START, split, ["measure"])
builder.add_edge("measure", "reduce")

with sqlite3.connect("mr.db", check_same_thread=False) as conn:
    graph = builder.compile(checkpointer=SqliteSaver(conn), interrupt_before=["reduce"])
    config = {"configurable": {"thread_id": "mr"}}
    out = graph.invoke({"words": ["a", "bb", "ccc", "dddd"], "lengths": [], "total": 0}, config)
    print(sorted(out["lengths"]), out["total"])
    print(graph.get_state(config).next)
    print(graph.invoke(None, config)["total"])
    print([(s.metadata["step"], s.next) for s in graph.get_state_history(config)])
