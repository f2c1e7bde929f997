"""SqliteSaver on a file: durability="exit" with an interrupt inside a subgraph; which
checkpoints each namespace keeps.
"""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    log: Annotated[list[str], operator.add]


def ask(state: State) -> dict:
    return {"log": [interrupt("q")]}


def build():
    inner = StateGraph(State)
    inner.add_node("i1", lambda s: {"log": ["i1"]})
    inner.add_node("ask", ask)
    inner.add_node("i2", lambda s: {"log": ["i2"]})
    inner.add_edge(START, "i1")
    inner.add_edge("i1", "ask")
    inner.add_edge("ask", "i2")
    outer = StateGraph(State)
    outer.add_node("o1", lambda s: {"log": ["o1"]})
    outer.add_node("sub", inner.compile())
    outer.add_node("o2", lambda s: {"log": ["o2"]})
    outer.add_edge(START, "o1")
    outer.add_edge("o1", "sub")
    outer.add_edge("sub", "o2")
    return outer


def show(saver) -> None:
    for item in saver.list(None):
        namespace = item.config["configurable"]["checkpoint_ns"].split(":")[0]
        print(
            "  ",
            repr(namespace),
            item.metadata["step"],
            item.metadata["source"],
            len(item.pending_writes),
        )


config = {"configurable": {"thread_id": "exit-nested"}}
with SqliteSaver.from_conn_string("nested.db") as saver:
    graph = build().compile(checkpointer=saver)
    print(graph.invoke({"log": []}, config, durability="exit"))
    show(saver)

with SqliteSaver.from_conn_string("nested.db") as saver:
    graph = build().compile(checkpointer=saver)
    state = graph.get_state(config, subgraphs=True)
    print(state.next, state.tasks[0].state.values)
    print(graph.invoke(Command(resume="a"), config, durability="exit"))
    show(saver)
