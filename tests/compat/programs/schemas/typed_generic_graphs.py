"""Typed code: StateGraph[State], CompiledStateGraph[...] return types, Checkpointer, StateT."""

from typing import Generic

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Checkpointer
from langgraph.typing import StateT
from typing_extensions import TypedDict


class State(TypedDict):
    count: int


class Builder(Generic[StateT]):
    """A user's own generic helper over the state type."""

    def __init__(self, schema: type[StateT]) -> None:
        self.graph: StateGraph[StateT] = StateGraph(schema)


def build(checkpointer: Checkpointer = None) -> CompiledStateGraph[State, None, State, State]:
    builder: StateGraph[State] = Builder(State).graph
    builder.add_node("bump", lambda state: {"count": state["count"] + 1})
    builder.add_edge(START, "bump")
    return builder.compile(checkpointer=checkpointer)


graph = build(InMemorySaver())
print(graph.invoke({"count": 1}, {"configurable": {"thread_id": "1"}}))
print(isinstance(graph, CompiledStateGraph), build().invoke({"count": 5}))
print(StateGraph[State] is not None, CompiledStateGraph[State, None, State, State] is not None)
