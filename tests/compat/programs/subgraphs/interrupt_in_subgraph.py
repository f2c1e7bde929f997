"""An interrupt inside a subgraph, resumed from the parent with Command(resume=...)."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt


class State(TypedDict):
    log: Annotated[list[str], operator.add]


def ask(state: State) -> dict:
    answer = interrupt("continue?")
    return {"log": [f"sub got {answer}"]}


sub = StateGraph(State)
sub.add_node("prepare", lambda s: {"log": ["sub prepare"]})
sub.add_node("ask", ask)
sub.add_edge(START, "prepare")
sub.add_edge("prepare", "ask")

builder = StateGraph(State)
builder.add_node("before", lambda s: {"log": ["before"]})
builder.add_node("child", sub.compile())
builder.add_node("after", lambda s: {"log": ["after"]})
builder.add_edge(START, "before")
builder.add_edge("before", "child")
builder.add_edge("child", "after")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "s"}}
result = graph.invoke({"log": []}, config)
print(result["log"], [i.value for i in result["__interrupt__"]])
snapshot = graph.get_state(config)
print(snapshot.next, [t.name for t in snapshot.tasks], [i.value for i in snapshot.interrupts])
print(graph.invoke(Command(resume="yes"), config))
print(graph.get_state(config).next)
