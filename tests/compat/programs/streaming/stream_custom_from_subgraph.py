"""get_stream_writer() inside a subgraph node: custom chunks with subgraphs=True and several modes."""

from langgraph.config import get_stream_writer
from langgraph.graph import START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict):
    text: str


def inner_work(state: State) -> dict:
    writer = get_stream_writer()
    for percent in (50, 100):
        writer({"progress": percent})
    return {"text": state["text"] + " inner"}


sub = StateGraph(State)
sub.add_node("inner_work", inner_work)
sub.add_edge(START, "inner_work")


def outer(state: State, writer) -> dict:
    writer("outer says hi")
    return {"text": state["text"] + " outer"}


builder = StateGraph(State)
builder.add_node("outer", outer)
builder.add_node("child", sub.compile())
builder.add_edge(START, "outer")
builder.add_edge("outer", "child")
graph = builder.compile()

for namespace, mode, chunk in graph.stream(
    {"text": "go"}, stream_mode=["custom", "updates"], subgraphs=True
):
    print([part.split(":")[0] for part in namespace], mode, chunk)
print(list(graph.stream({"text": "plain"}, stream_mode="custom")))
print(list(graph.stream({"text": "ns"}, stream_mode="custom", subgraphs=True))[-1][1])
