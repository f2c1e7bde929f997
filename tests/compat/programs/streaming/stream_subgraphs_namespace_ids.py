"""Subgraph namespaces are "node:task_id"; the same task keeps one id across its chunks."""

from typing import TypedDict

from langgraph.graph import START, StateGraph


class State(TypedDict):
    x: int


child = StateGraph(State)
child.add_node("one", lambda s: {"x": s["x"] + 1})
child.add_node("two", lambda s: {"x": s["x"] * 2})
child.add_edge(START, "one")
child.add_edge("one", "two")

parent = StateGraph(State)
parent.add_node("child", child.compile())
parent.add_edge(START, "child")
graph = parent.compile()

namespaces = []
for namespace, chunk in graph.stream({"x": 1}, subgraphs=True):
    namespaces.append(namespace)
    print(namespace, chunk)
inner = [ns for ns in namespaces if ns]
print(len(set(inner)), all(ns[0].startswith("child:") for ns in inner))
