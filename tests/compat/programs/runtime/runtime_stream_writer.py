"""runtime.stream_writer and runtime.context in the same node."""

from dataclasses import dataclass
from typing import TypedDict

from langgraph.graph import START, StateGraph
from langgraph.runtime import Runtime


@dataclass
class Context:
    chunk_size: int


class State(TypedDict):
    text: str
    parts: list[str]


def split(state: State, runtime: Runtime[Context]) -> dict:
    size = runtime.context.chunk_size
    parts = [state["text"][i : i + size] for i in range(0, len(state["text"]), size)]
    for part in parts:
        runtime.stream_writer({"part": part})
    return {"parts": parts}


builder = StateGraph(State, context_schema=Context)
builder.add_node("split", split)
builder.add_edge(START, "split")
graph = builder.compile()

inputs = {"text": "abcdefgh", "parts": []}
for mode, chunk in graph.stream(
    inputs, stream_mode=["custom", "values"], context=Context(chunk_size=3)
):
    print(mode, chunk)
