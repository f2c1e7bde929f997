"""Three levels of subgraphs sharing one key, each with private keys; stream updates with namespaces."""

from langgraph.graph import START, StateGraph
from typing_extensions import TypedDict


class Grandchild(TypedDict):
    shared: str
    deep_note: str


class Child(TypedDict):
    shared: str
    child_note: str


class Parent(TypedDict):
    shared: str
    parent_note: str


def deep(state: Grandchild) -> dict:
    return {"shared": state["shared"] + " > deep", "deep_note": "deep only"}


g = StateGraph(Grandchild)
g.add_node("deep", deep)
g.add_edge(START, "deep")


def child_start(state: Child) -> dict:
    return {"shared": state["shared"] + " > child", "child_note": "child only"}


c = StateGraph(Child)
c.add_node("child_start", child_start)
c.add_node("grandchild", g.compile())
c.add_edge(START, "child_start")
c.add_edge("child_start", "grandchild")

p = StateGraph(Parent)
p.add_node("parent_start", lambda s: {"shared": "root", "parent_note": "parent only"})
p.add_node("child", c.compile())
p.add_edge(START, "parent_start")
p.add_edge("parent_start", "child")
graph = p.compile()

print(graph.invoke({"shared": ""}))
for namespace, chunk in graph.stream({"shared": ""}, subgraphs=True):
    print([part.split(":")[0] for part in namespace], chunk)
