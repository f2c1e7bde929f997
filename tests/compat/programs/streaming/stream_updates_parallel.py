"""stream_mode='updates': one chunk per node, parallel nodes in one step, a None update."""

import operator
from typing import Annotated, TypedDict

from langgraph.graph import START, StateGraph


class State(TypedDict):
    log: Annotated[list[str], operator.add]


def quiet(state: State) -> None:
    return None


builder = StateGraph(State)
builder.add_node("fetch_a", lambda s: {"log": ["a"]})
builder.add_node("fetch_b", lambda s: {"log": ["b"]})
builder.add_node("quiet", quiet)
builder.add_node("join", lambda s: {"log": [f"join {len(s['log'])}"]})
builder.add_edge(START, "fetch_a")
builder.add_edge(START, "fetch_b")
builder.add_edge(["fetch_a", "fetch_b"], "quiet")
builder.add_edge("quiet", "join")
graph = builder.compile()

chunks = list(graph.stream({"log": []}, stream_mode="updates"))
print(sorted(map(str, chunks[:2])))
for chunk in chunks[2:]:
    print(chunk)
print(graph.invoke({"log": []}))
