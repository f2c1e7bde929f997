"""stream(..., subgraphs=True): (namespace, chunk) tuples, namespaces from nested graphs."""

import operator
from typing import Annotated, TypedDict

from langgraph.graph import START, StateGraph


class State(TypedDict):
    log: Annotated[list[str], operator.add]


inner = StateGraph(State)
inner.add_node("inner_step", lambda s: {"log": ["inner"]})
inner.add_edge(START, "inner_step")

middle = StateGraph(State)
middle.add_node("middle_step", lambda s: {"log": ["middle"]})
middle.add_node("inner", inner.compile())
middle.add_edge(START, "middle_step")
middle.add_edge("middle_step", "inner")

outer = StateGraph(State)
outer.add_node("middle", middle.compile())
outer.add_node("last", lambda s: {"log": ["last"]})
outer.add_edge(START, "middle")
outer.add_edge("middle", "last")
graph = outer.compile()

for namespace, chunk in graph.stream({"log": []}, subgraphs=True):
    print([part.split(":")[0] for part in namespace], len(namespace), chunk)
print("---")
for namespace, chunk in graph.stream({"log": []}, subgraphs=True, stream_mode="values"):
    print(len(namespace), chunk)
print("---")
for item in graph.stream({"log": []}, subgraphs=True, stream_mode=["updates"]):
    namespace, mode, chunk = item
    print(len(namespace), mode, chunk)
