"""CachePolicy(key_func=...): inputs with the same key share one cached result."""

from typing import TypedDict

from langgraph.cache.memory import InMemoryCache
from langgraph.graph import START, StateGraph
from langgraph.types import CachePolicy

calls = []


class State(TypedDict):
    query: str
    answer: str


def lookup(state: State) -> dict:
    calls.append(state["query"])
    return {"answer": f"answer for {state['query'].strip().lower()}"}


policy = CachePolicy(key_func=lambda state: state["query"].strip().lower())
builder = StateGraph(State)
builder.add_node("lookup", lookup, cache_policy=policy)
builder.add_node("shout", lambda s: {"answer": s["answer"].upper()})
builder.add_edge(START, "lookup")
builder.add_edge("lookup", "shout")
graph = builder.compile(cache=InMemoryCache())

for query in ("Paris", "  paris ", "PARIS", "Rome"):
    print(graph.invoke({"query": query, "answer": ""}))
print("lookup ran for", calls)
