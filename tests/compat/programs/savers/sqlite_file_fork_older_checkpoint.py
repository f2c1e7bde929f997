"""SqliteSaver on a file: fork from an older checkpoint with update_state, then run the fork."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    city: str
    plan: Annotated[list[str], operator.add]


def build():
    builder = StateGraph(State)
    builder.add_node("pick", lambda s: {"plan": [f"fly to {s['city']}"]})
    builder.add_node("book", lambda s: {"plan": [f"hotel in {s['city']}"]})
    builder.add_edge(START, "pick")
    builder.add_edge("pick", "book")
    return builder


config = {"configurable": {"thread_id": "trip"}}
with SqliteSaver.from_conn_string("trips.sqlite") as saver:
    graph = build().compile(checkpointer=saver)
    print(graph.invoke({"city": "Paris", "plan": []}, config))

with SqliteSaver.from_conn_string("trips.sqlite") as saver:
    graph = build().compile(checkpointer=saver)
    history = list(graph.get_state_history(config))
    after_input = next(s for s in history if s.next == ("pick",))
    print("fork point", after_input.metadata["step"], after_input.values)
    fork = graph.update_state(after_input.config, {"city": "Rome"})
    fork_state = graph.get_state(fork)
    print(
        fork_state.values,
        fork_state.next,
        fork_state.metadata["source"],
        fork_state.metadata["step"],
    )
    print(
        fork_state.parent_config["configurable"]["checkpoint_id"]
        == after_input.config["configurable"]["checkpoint_id"]
    )
    print(graph.invoke(None, fork))
    print(graph.get_state(config).values)
    print(len(list(graph.get_state_history(config))), "checkpoints")
    print([s.values.get("city") for s in graph.get_state_history(config)])
