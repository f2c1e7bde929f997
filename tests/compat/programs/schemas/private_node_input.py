"""A node reads a private schema that is not part of the graph's state."""

from typing import TypedDict

from langgraph.graph import END, START, StateGraph


class OverallState(TypedDict):
    a: str


class Node1Output(TypedDict):
    private_data: str


class Node2Input(TypedDict):
    private_data: str


def node_1(state: OverallState) -> Node1Output:
    return {"private_data": "set by node_1 from " + state["a"]}


def node_2(state: Node2Input) -> OverallState:
    print("node_2 sees", state)
    return {"a": "set by node_2 using " + state["private_data"]}


def node_3(state: OverallState) -> OverallState:
    print("node_3 sees", state)
    return {"a": state["a"] + " and node_3"}


builder = StateGraph(OverallState)
builder.add_node("node_1", node_1)
builder.add_node("node_2", node_2)
builder.add_node("node_3", node_3)
builder.add_edge(START, "node_1")
builder.add_edge("node_1", "node_2")
builder.add_edge("node_2", "node_3")
builder.add_edge("node_3", END)
graph = builder.compile()

print(graph.invoke({"a": "start"}))
for chunk in graph.stream({"a": "go"}):
    print(chunk)
