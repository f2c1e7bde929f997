"""CachePolicy(key_func=...) and the cached flag in updates; a cache shared by nodes of two graphs."""

import operator
from typing import Annotated

from langgraph.cache.memory import InMemoryCache
from langgraph.graph import START, StateGraph
from langgraph.types import CachePolicy
from typing_extensions import TypedDict

calls = []


class State(TypedDict):
    query: str
    noise: int
    results: Annotated[list[str], operator.add]


def search(state: State) -> dict:
    calls.append(state["query"])
    return {"results": [f"hit for {state['query']}"]}


def rank(state: State) -> dict:
    return {"results": [f"ranked {len(state['results'])}"]}


cache = InMemoryCache()
builder = StateGraph(State)
builder.add_node("search", search, cache_policy=CachePolicy(key_func=lambda s: s["query"].lower()))
builder.add_node("rank", rank)
builder.add_edge(START, "search")
builder.add_edge("search", "rank")
graph = builder.compile(cache=cache)

for query, noise in (("Cats", 1), ("cats", 2), ("dogs", 3), ("CATS", 4)):
    for chunk in graph.stream(
        {"query": query, "noise": noise, "results": []}, stream_mode="updates"
    ):
        print(chunk)
print(calls)
other = builder.compile(cache=cache)
print(other.invoke({"query": "DOGS", "noise": 0, "results": []}), calls)
