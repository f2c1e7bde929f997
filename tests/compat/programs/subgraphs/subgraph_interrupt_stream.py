"""A subgraph interrupt seen through stream(subgraphs=True), then resumed."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    value: str


def confirm(state: State) -> dict:
    return {"value": state["value"] + "+" + interrupt("ok?")}


child = StateGraph(State)
child.add_node("confirm", confirm)
child.add_edge(START, "confirm")

parent = StateGraph(State)
parent.add_node("child", child.compile())
parent.add_edge(START, "child")
graph = parent.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "si"}}
for namespace, chunk in graph.stream({"value": "v"}, config, subgraphs=True):
    kind = "interrupt" if "__interrupt__" in chunk else "update"
    print(len(namespace), kind, [i.value for i in chunk.get("__interrupt__", ())] or chunk)
for namespace, chunk in graph.stream(Command(resume="yes"), config, subgraphs=True):
    print(len(namespace), chunk)
