"""A list of stream modes yields (mode, chunk) tuples."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.config import get_stream_writer
from langgraph.graph import START, StateGraph


class State(TypedDict):
    n: int


def grow(state: State) -> dict:
    get_stream_writer()(f"growing from {state['n']}")
    return {"n": state["n"] * 2}


builder = StateGraph(State)
builder.add_node("grow", grow)
builder.add_node("shrink", lambda s: {"n": s["n"] - 1})
builder.add_edge(START, "grow")
builder.add_edge("grow", "shrink")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "m"}}
for mode, chunk in graph.stream({"n": 4}, config, stream_mode=["values", "updates", "custom"]):
    print(mode, chunk)
print("---")
modes = ["updates", "checkpoints"]
for mode, chunk in graph.stream({"n": 1}, config, stream_mode=modes):
    print(mode, chunk if mode == "updates" else chunk["metadata"]["step"])
print(list(graph.stream({"n": 2}, config, stream_mode=["values"])))
