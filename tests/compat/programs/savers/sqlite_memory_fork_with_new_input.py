"""SqliteSaver(":memory:"): invoke() with new input on an older checkpoint's config starts a branch
from it.
"""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    inputs: Annotated[list[str], operator.add]
    echo: str


builder = StateGraph(State)
builder.add_node("echo", lambda s: {"echo": "+".join(s["inputs"])})
builder.add_edge(START, "echo")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "branchy"}}
    graph.invoke({"inputs": ["a"]}, config)
    graph.invoke({"inputs": ["b"]}, config)
    first_done = next(s for s in graph.get_state_history(config) if s.metadata["step"] == 1)
    print("branch from", first_done.values)
    print(graph.invoke({"inputs": ["c"]}, first_done.config))
    latest = graph.get_state(config)
    print(latest.values, latest.metadata["step"])
    print(
        latest.parent_config["configurable"]["checkpoint_id"]
        != first_done.config["configurable"]["checkpoint_id"]
    )
    print([(s.metadata["step"], s.values.get("echo")) for s in graph.get_state_history(config)])
