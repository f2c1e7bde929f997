"""Command(update=[(key, value), ...]) as a list of pairs, and Command(goto=Send(...))."""

import operator
from typing import Annotated

from langgraph.graph import START, StateGraph
from langgraph.types import Command, Send
from typing_extensions import TypedDict


class State(TypedDict):
    notes: Annotated[list[str], operator.add]
    last: str


def start(state: State) -> Command:
    return Command(
        update=[("notes", ["a"]), ("notes", ["b"]), ("last", "start")],
        goto=Send("worker", {"notes": ["payload"], "last": "sent"}),
    )


def worker(state: State) -> dict:
    return {"notes": [f"worker saw {state['notes']} {state['last']}"], "last": "worker"}


builder = StateGraph(State)
builder.add_node("start", start, destinations=("worker",))
builder.add_node("worker", worker)
builder.add_edge(START, "start")
graph = builder.compile()

print(graph.invoke({"notes": [], "last": ""}))
for chunk in graph.stream({"notes": [], "last": ""}, stream_mode=["updates", "values"]):
    print(chunk)
