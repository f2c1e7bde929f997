"""stream_mode='custom': nodes send progress with get_stream_writer()."""

from typing import TypedDict

from langgraph.config import get_stream_writer
from langgraph.graph import START, StateGraph


class State(TypedDict):
    query: str
    answer: str


def search(state: State) -> dict:
    writer = get_stream_writer()
    for percent in (0, 50, 100):
        writer({"progress": percent, "node": "search"})
    return {"answer": f"found {state['query']}"}


def polish(state: State) -> dict:
    writer = get_stream_writer()
    writer("polishing")
    return {"answer": state["answer"] + "."}


builder = StateGraph(State)
builder.add_node("search", search)
builder.add_node("polish", polish)
builder.add_edge(START, "search")
builder.add_edge("search", "polish")
graph = builder.compile()

for chunk in graph.stream({"query": "keys", "answer": ""}, stream_mode="custom"):
    print(chunk)
print(graph.invoke({"query": "no stream", "answer": ""}))
for mode, chunk in graph.stream({"query": "x", "answer": ""}, stream_mode=["custom", "updates"]):
    print(mode, chunk)
