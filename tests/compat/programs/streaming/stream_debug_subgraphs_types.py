"""stream_mode='debug' with subgraphs=True: the event types and steps from parent and child."""

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict):
    n: int


child = StateGraph(State)
child.add_node("inc", lambda s: {"n": s["n"] + 1})
child.add_edge(START, "inc")

builder = StateGraph(State)
builder.add_node("child", child.compile())
builder.add_node("double", lambda s: {"n": s["n"] * 2})
builder.add_edge(START, "child")
builder.add_edge("child", "double")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "d"}}
for namespace, event in graph.stream({"n": 1}, config, stream_mode="debug", subgraphs=True):
    payload = event["payload"]
    print(
        [p.split(":")[0] for p in namespace],
        event["type"],
        event["step"],
        payload.get("name"),
        payload.get("values"),
        payload.get("next"),
    )
