"""update_state(config, [(values, as_node), ...], as_node="__copy__"): fork a checkpoint and
update the copy in one call (parallel branches, so two nodes' updates land in one step)."""

import operator
from typing import Annotated

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict):
    items: Annotated[list[str], operator.add]


builder = StateGraph(State)
builder.add_node("left", lambda s: {"items": ["left"]})
builder.add_node("right", lambda s: {"items": ["right"]})
builder.add_node("join", lambda s: {"items": [f"join {len(s['items'])}"]})
builder.add_edge(START, "left")
builder.add_edge(START, "right")
builder.add_edge(["left", "right"], "join")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "copy"}}
print(graph.invoke({"items": ["start"]}, config))
branches = next(s for s in graph.get_state_history(config) if s.next == ("left", "right"))
updated = graph.update_state(
    branches.config,
    [({"items": ["R1"]}, "right"), ({"items": ["L"]}, "left"), ({"items": ["R2"]}, "right")],
    as_node="__copy__",
)
state = graph.get_state(updated)
print(state.values, state.next, state.metadata["source"], state.metadata["step"])
parent = graph.get_state(state.parent_config)
print(parent.metadata["source"], parent.metadata["step"], parent.next, parent.values)
print(graph.invoke(None, updated))
print([(s.metadata["step"], s.metadata["source"], s.next) for s in graph.get_state_history(config)])
print(graph.update_state(branches.config, [], as_node="__copy__") is not None)
