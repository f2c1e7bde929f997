"""stream_mode='debug' without a checkpointer: task events only."""

from typing import TypedDict

from langgraph.graph import START, StateGraph


class State(TypedDict):
    n: int


builder = StateGraph(State)
builder.add_node("double", lambda s: {"n": s["n"] * 2})
builder.add_node("inc", lambda s: {"n": s["n"] + 1})
builder.add_edge(START, "double")
builder.add_edge("double", "inc")
graph = builder.compile()

for event in graph.stream({"n": 5}, stream_mode="debug"):
    payload = event["payload"]
    print(event["type"], event["step"], payload.get("name"), payload.get("result"))
