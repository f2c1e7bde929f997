"""stream_mode='checkpoints': one event per saved checkpoint."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    log: Annotated[list[str], operator.add]


builder = StateGraph(State)
builder.add_node("a", lambda s: {"log": ["a"]})
builder.add_node("b", lambda s: {"log": ["b"]})
builder.add_edge(START, "a")
builder.add_edge("a", "b")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "cp"}}
for event in graph.stream({"log": ["in"]}, config, stream_mode="checkpoints"):
    print(sorted(event))
    print(
        "  ",
        event["values"],
        event["next"],
        event["metadata"]["step"],
        event["metadata"]["source"],
        [t["name"] for t in event["tasks"]],
    )
    print("  ", event["parent_config"] is None, sorted(event["config"]["configurable"]))
