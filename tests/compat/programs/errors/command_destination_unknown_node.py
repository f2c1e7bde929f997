"""compile() refuses a Command[Literal[...]] return annotation or destinations= naming no node,
also in a subgraph naming its parent's node (use a plain Command annotation there)."""

from typing import Literal

from langgraph.graph import START, StateGraph
from langgraph.types import Command
from typing_extensions import TypedDict


class State(TypedDict):
    hops: int


def hand_off(state: State) -> Command[Literal["helper"]]:
    return Command(graph=Command.PARENT, goto="helper")


def plain(state: State) -> Command:
    return Command(graph=Command.PARENT, goto="helper")


for name, action, options in (
    ("annotated", hand_off, {}),
    ("destinations", lambda s: {}, {"destinations": ("helper",)}),
    ("plain", plain, {}),
):
    sub = StateGraph(State)
    sub.add_node("step", action, **options)
    sub.add_edge(START, "step")
    try:
        sub.compile()
        print(name, "compiled")
    except ValueError as error:
        print(name, "ValueError", "helper" in str(error))
