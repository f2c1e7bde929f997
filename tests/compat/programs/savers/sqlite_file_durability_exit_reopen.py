"""SqliteSaver on a file: durability="exit" saves the end of a run, an interrupt included."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    done: Annotated[list[str], operator.add]


def confirm(state: State) -> dict:
    return {"done": [f"confirm={interrupt('sure?')}"]}


def build():
    builder = StateGraph(State)
    builder.add_node("prepare", lambda s: {"done": ["prepare"]})
    builder.add_node("confirm", confirm)
    builder.add_node("finish", lambda s: {"done": ["finish"]})
    builder.add_edge(START, "prepare")
    builder.add_edge("prepare", "confirm")
    builder.add_edge("confirm", "finish")
    return builder


config = {"configurable": {"thread_id": "exit"}}
with SqliteSaver.from_conn_string("exit.db") as saver:
    graph = build().compile(checkpointer=saver)
    result = graph.invoke({"done": []}, config, durability="exit")
    print(result["done"], [i.value for i in result["__interrupt__"]])

with SqliteSaver.from_conn_string("exit.db") as saver:
    graph = build().compile(checkpointer=saver)
    state = graph.get_state(config)
    print(state.next, state.values, state.metadata["step"])
    print([(s.metadata["step"], s.metadata["source"]) for s in graph.get_state_history(config)])
    print(graph.invoke(Command(resume="yes"), config, durability="exit"))
    print([(s.metadata["step"], s.metadata["source"]) for s in graph.get_state_history(config)])
