"""SqliteSaver(":memory:"): updates and values chunks, several modes at once, with a saver."""

import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    n: int
    trail: Annotated[list[str], operator.add]


builder = StateGraph(State)
builder.add_node("double", lambda s: {"n": s["n"] * 2, "trail": ["double"]})
builder.add_node("inc", lambda s: {"n": s["n"] + 1, "trail": ["inc"]})
builder.add_edge(START, "double")
builder.add_edge("double", "inc")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    for i, mode in enumerate(["updates", "values"]):
        config = {"configurable": {"thread_id": f"t{i}"}}
        for chunk in graph.stream({"n": 3, "trail": []}, config, stream_mode=mode):
            print(mode, chunk)
    config = {"configurable": {"thread_id": "both"}}
    for mode, chunk in graph.stream(
        {"n": 1, "trail": []}, config, stream_mode=["updates", "values"]
    ):
        print(mode, chunk)
    # a second run on the same thread starts from the saved state
    for chunk in graph.stream({"n": 10}, config, stream_mode="values"):
        print("again", chunk)
