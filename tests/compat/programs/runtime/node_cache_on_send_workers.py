"""A cache policy on a Send worker: repeated payloads hit the cache, within and across runs."""

import operator
from typing import Annotated

from langgraph.cache.memory import InMemoryCache
from langgraph.graph import START, StateGraph
from langgraph.types import CachePolicy, Send
from typing_extensions import TypedDict

calls = []


class State(TypedDict):
    words: list[str]
    out: Annotated[list[str], operator.add]


def square(payload: dict) -> dict:
    calls.append(payload["word"])
    return {"out": [payload["word"] * 2]}


builder = StateGraph(State)
builder.add_node("square", square, cache_policy=CachePolicy())
builder.add_conditional_edges(
    START, lambda s: [Send("square", {"word": w}) for w in s["words"]], ["square"]
)
graph = builder.compile(cache=InMemoryCache())

print(sorted(graph.invoke({"words": ["a", "b"], "out": []})["out"]), sorted(calls))
updates = list(graph.stream({"words": ["b", "c"], "out": []}, stream_mode="updates"))
print(sorted(str(u) for u in updates), sorted(calls))
