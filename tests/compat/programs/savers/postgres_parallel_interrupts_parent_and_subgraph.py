"""PostgresSaver: one interrupt in the parent and one inside a subgraph, both answered by id in
one Command.
"""

import operator
import os
from typing import Annotated, TypedDict

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


class State(TypedDict):
    log: Annotated[list[str], operator.add]


runs = {"inner": 0, "outer": 0, "prep": 0}


def inner_ask(state: State) -> dict:
    runs["inner"] += 1
    return {"log": ["inner=" + interrupt("inner?")]}


def prep(state: State) -> dict:
    runs["prep"] += 1
    return {"log": ["prep"]}


inner = StateGraph(State)
inner.add_node("prep", prep)
inner.add_node("ask", inner_ask)
inner.add_edge(START, "prep")
inner.add_edge("prep", "ask")


def outer_ask(state: State) -> dict:
    runs["outer"] += 1
    return {"log": ["outer=" + interrupt("outer?")]}


outer = StateGraph(State)
outer.add_node("sub", inner.compile())
outer.add_node("ask", outer_ask)
outer.add_edge(START, "sub")
outer.add_edge(START, "ask")

with PostgresSaver.from_conn_string(DB_URI) as saver:
    saver.setup()
    graph = outer.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "both"}}
    result = graph.invoke({"log": []}, config)
    print(sorted(i.value for i in result["__interrupt__"]))
    state = graph.get_state(config, subgraphs=True)
    print(
        sorted(i.value for i in state.interrupts),
        sorted((t.name, len(t.interrupts)) for t in state.tasks),
    )
    answers = {i.id: i.value.upper() for i in state.interrupts}
    result = graph.invoke(Command(resume=answers), config)
    print(sorted(result["log"]), runs)
    print(graph.get_state(config).next)
