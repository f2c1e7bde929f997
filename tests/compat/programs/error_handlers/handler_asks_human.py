"""A handler may interrupt() to ask a human how to recover; Command(resume=) continues it."""

import operator
from typing import Annotated

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.errors import NodeError
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt
from typing_extensions import TypedDict


class State(TypedDict):
    city: str
    log: Annotated[list[str], operator.add]


def geocode(state: State) -> dict:
    raise LookupError(f"unknown city {state['city']!r}")


def ask_for_city(state: State, error: NodeError) -> dict:
    fixed = interrupt({"problem": str(error.error), "node": error.node})
    return {"city": fixed, "log": [f"human fixed city to {fixed}"]}


builder = StateGraph(State)
builder.add_node("geocode", geocode, error_handler=ask_for_city)
builder.add_edge(START, "geocode")
graph = builder.compile(checkpointer=InMemorySaver())
config = {"configurable": {"thread_id": "geo-1"}}

for chunk in graph.stream({"city": "Pariss", "log": []}, config):
    print("chunk", chunk)
snapshot = graph.get_state(config)
print("next", snapshot.next, "interrupts", snapshot.interrupts)
print("task", [(t.name, t.error) for t in snapshot.tasks])
for chunk in graph.stream(Command(resume="Paris"), config):
    print("resumed", chunk)
print(graph.get_state(config).values)
