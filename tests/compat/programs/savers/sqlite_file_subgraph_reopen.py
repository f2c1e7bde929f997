"""SqliteSaver on a file: a subgraph's interrupt and state are read back by a second saver."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    log: Annotated[list[str], operator.add]


def gate(state: State) -> dict:
    return {"log": [f"gate:{interrupt('open the gate?')}"]}


def build():
    child = StateGraph(State)
    child.add_node("prep", lambda s: {"log": ["prep"]})
    child.add_node("gate", gate)
    child.add_edge(START, "prep")
    child.add_edge("prep", "gate")
    parent = StateGraph(State)
    parent.add_node("before", lambda s: {"log": ["before"]})
    parent.add_node("child", child.compile())
    parent.add_node("after", lambda s: {"log": ["after"]})
    parent.add_edge(START, "before")
    parent.add_edge("before", "child")
    parent.add_edge("child", "after")
    return parent


config = {"configurable": {"thread_id": "nested"}}
with SqliteSaver.from_conn_string("nested.db") as saver:
    graph = build().compile(checkpointer=saver)
    print(graph.invoke({"log": []}, config)["__interrupt__"][0].value)

with SqliteSaver.from_conn_string("nested.db") as saver:
    graph = build().compile(checkpointer=saver)
    state = graph.get_state(config, subgraphs=True)
    print(state.next, state.values)
    sub = state.tasks[0].state
    print(sub.next, sub.values, [i.value for i in sub.interrupts])
    print(graph.invoke(Command(resume="yes"), config))
