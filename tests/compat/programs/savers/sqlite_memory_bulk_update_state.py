"""SqliteSaver(":memory:"): bulk_update_state with two supersteps writes two checkpoints."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import StateUpdate


class State(TypedDict):
    log: Annotated[list[str], operator.add]


builder = StateGraph(State)
builder.add_node("left", lambda s: {"log": ["left"]})
builder.add_node("right", lambda s: {"log": ["right"]})
builder.add_node("after", lambda s: {"log": ["after"]})
builder.add_edge(START, "left")
builder.add_edge(START, "right")
builder.add_edge(["left", "right"], "after")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "bulk"}}
    graph.update_state(config, {"log": ["seed"]}, as_node="__input__")
    print(graph.get_state(config).next)
    graph.bulk_update_state(
        config,
        [
            [
                StateUpdate({"log": ["L"]}, as_node="left"),
                StateUpdate({"log": ["R"]}, as_node="right"),
            ],
        ],
    )
    state = graph.get_state(config)
    print(state.values, state.next, state.metadata["source"], state.metadata["step"])
    print(graph.invoke(None, config))
    print([(s.metadata["step"], s.metadata["source"]) for s in graph.get_state_history(config)])
