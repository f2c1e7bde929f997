"""stream_mode='tasks' with subgraphs=True: task starts and results from parent and child."""

from langgraph.graph import START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict):
    text: str


child = StateGraph(State)
child.add_node("shout", lambda s: {"text": s["text"].upper()})
child.add_edge(START, "shout")

builder = StateGraph(State)
builder.add_node("prefix", lambda s: {"text": "hi " + s["text"]})
builder.add_node("child", child.compile())
builder.add_edge(START, "prefix")
builder.add_edge("prefix", "child")
graph = builder.compile()

for namespace, chunk in graph.stream({"text": "bo"}, stream_mode="tasks", subgraphs=True):
    kind = "result" if "result" in chunk else "start"
    print(
        [p.split(":")[0] for p in namespace],
        kind,
        chunk["name"],
        chunk.get("input"),
        chunk.get("result"),
        chunk.get("triggers"),
        chunk.get("error"),
        chunk.get("interrupts"),
    )
