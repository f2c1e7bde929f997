"""SqliteSaver(":memory:"): update_state() with as_node decides what runs next."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    items: Annotated[list[str], operator.add]
    approved: bool


builder = StateGraph(State)
builder.add_node("collect", lambda s: {"items": ["collected"]})
builder.add_node("approve", lambda s: {"approved": True})
builder.add_node("ship", lambda s: {"items": ["shipped"]})
builder.add_edge(START, "collect")
builder.add_edge("collect", "approve")
builder.add_edge("approve", "ship")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver, interrupt_before=["approve"])
    config = {"configurable": {"thread_id": "u1"}}
    graph.invoke({"items": ["start"], "approved": False}, config)
    print(graph.get_state(config).next)
    new_config = graph.update_state(
        config, {"approved": True, "items": ["by hand"]}, as_node="approve"
    )
    print(sorted(new_config["configurable"]))
    state = graph.get_state(config)
    print(state.next, state.values, state.metadata["source"], state.metadata["step"])
    print(state.metadata.get("writes"))
    print(graph.invoke(None, config))
    for snap in graph.get_state_history(config):
        print(snap.metadata["step"], snap.metadata["source"], snap.next, snap.values["items"])
