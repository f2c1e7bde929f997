"""Inspect an interrupted subgraph: get_state(subgraphs=True), its config, and its own history."""

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt
from typing_extensions import TypedDict


class State(TypedDict):
    steps: list[str]


def one(state: State) -> dict:
    return {"steps": state["steps"] + ["one"]}


def two(state: State) -> dict:
    answer = interrupt("continue?")
    return {"steps": state["steps"] + [f"two:{answer}"]}


sub = StateGraph(State)
sub.add_node("one", one)
sub.add_node("two", two)
sub.add_edge(START, "one")
sub.add_edge("one", "two")

builder = StateGraph(State)
builder.add_node("prep", lambda s: {"steps": ["prep"]})
builder.add_node("sub", sub.compile())
builder.add_edge(START, "prep")
builder.add_edge("prep", "sub")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "i"}}
graph.invoke({"steps": []}, config)
parent = graph.get_state(config, subgraphs=True)
child = parent.tasks[0].state
print(parent.next, parent.values, child.next, child.values)
print(
    child.config["configurable"]["checkpoint_ns"].split(":")[0],
    child.metadata["step"],
    child.metadata["source"],
)
print([(s.metadata["step"], s.next, s.values) for s in graph.get_state_history(child.config)])
print(graph.get_state(config).tasks[0].state["configurable"]["checkpoint_ns"].split(":")[0])
graph.invoke(Command(resume="go"), config)
final = graph.get_state(config, subgraphs=True)
print(final.values, final.tasks)
