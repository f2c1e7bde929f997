"""Command(graph=Command.PARENT, goto=..., update=...) jumps out of a subgraph."""

import operator
from typing import Annotated, TypedDict

from langgraph.graph import START, StateGraph
from langgraph.types import Command


class State(TypedDict):
    log: Annotated[list[str], operator.add]


def worker(state: State) -> Command:
    return Command(graph=Command.PARENT, goto="supervisor", update={"log": ["worker handed off"]})


sub = StateGraph(State)
sub.add_node("worker", worker)
sub.add_edge(START, "worker")
subgraph = sub.compile()


def supervisor(state: State) -> dict:
    return {"log": [f"supervisor saw {len(state['log'])}"]}


builder = StateGraph(State)
builder.add_node("team", subgraph, destinations=("supervisor",))
builder.add_node("supervisor", supervisor)
builder.add_edge(START, "team")
graph = builder.compile()

print(graph.invoke({"log": ["start"]}))
for chunk in graph.stream({"log": []}, subgraphs=True):
    print(chunk)
