"""Node caching with InMemoryCache and CachePolicy: a second call with the same input is cached."""

from typing import TypedDict

from langgraph.cache.memory import InMemoryCache
from langgraph.graph import START, StateGraph
from langgraph.types import CachePolicy

calls = []


class State(TypedDict):
    x: int
    result: int


def expensive(state: State) -> dict:
    calls.append(state["x"])
    return {"result": state["x"] * 10}


builder = StateGraph(State)
builder.add_node("expensive", expensive, cache_policy=CachePolicy(ttl=120))
builder.add_edge(START, "expensive")
graph = builder.compile(cache=InMemoryCache())

for x in (1, 1, 2, 1):
    print(list(graph.stream({"x": x, "result": 0}, stream_mode="updates")))
print("calls", calls)
graph.clear_cache()
print(graph.invoke({"x": 1, "result": 0}), "calls", calls)
