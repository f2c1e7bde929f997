"""bulk_update_state applies several supersteps of updates with StateUpdate."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import StateUpdate


class State(TypedDict):
    log: Annotated[list[str], operator.add]


builder = StateGraph(State)
builder.add_node("a", lambda s: {"log": ["a"]})
builder.add_node("b", lambda s: {"log": ["b"]})
builder.add_edge(START, "a")
builder.add_edge("a", "b")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "bulk"}}
graph.bulk_update_state(
    config,
    [
        [StateUpdate(values={"log": ["seed"]}, as_node="__input__")],
        [StateUpdate(values={"log": ["from a"]}, as_node="a")],
    ],
)
snapshot = graph.get_state(config)
print(snapshot.values, snapshot.next)
for s in graph.get_state_history(config):
    print(s.metadata["step"], s.metadata["source"], s.next, s.values)
print(graph.invoke(None, config))
