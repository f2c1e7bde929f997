"""get_runtime() inside a node and in a helper the node calls."""

from typing import TypedDict

from langgraph.graph import START, StateGraph
from langgraph.runtime import get_runtime


class Context(TypedDict):
    model: str
    max_words: int


class State(TypedDict):
    text: str


def describe_model() -> str:
    runtime = get_runtime(Context)
    return f"[{runtime.context['model']}]"


def trim(state: State) -> dict:
    runtime = get_runtime(Context)
    words = state["text"].split()[: runtime.context["max_words"]]
    return {"text": describe_model() + " " + " ".join(words)}


builder = StateGraph(State, context_schema=Context)
builder.add_node("trim", trim)
builder.add_edge(START, "trim")
graph = builder.compile()

text = "the quick brown fox jumps over the lazy dog"
print(graph.invoke({"text": text}, context={"model": "small", "max_words": 3}))
print(graph.invoke({"text": text}, context={"model": "large", "max_words": 6}))
