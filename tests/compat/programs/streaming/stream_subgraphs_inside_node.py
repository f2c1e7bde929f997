"""A node streams a subgraph with subgraphs=True: it sees the graphs nested in it, by namespace."""

from langgraph.config import get_stream_writer
from langgraph.graph import START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict):
    x: int


def leaf(state: State) -> dict:
    get_stream_writer()({"leaf saw": state["x"]})
    return {"x": state["x"] + 1}


leaf_graph = StateGraph(State)
leaf_graph.add_node("leaf", leaf)
leaf_graph.add_edge(START, "leaf")
leaf_app = leaf_graph.compile()

middle = StateGraph(State)
middle.add_node("step", lambda state: {"x": state["x"] * 2})
middle.add_node("deeper", leaf_app)
middle.add_edge(START, "step")
middle.add_edge("step", "deeper")
middle_app = middle.compile()


def names(namespace):
    return [part.split(":")[0] for part in namespace]


seen = []


def boss(state: State) -> dict:
    for namespace, mode, chunk in middle_app.stream(
        state, stream_mode=["updates", "custom"], subgraphs=True
    ):
        seen.append((names(namespace), mode, chunk))
    return {"x": middle_app.invoke(state)["x"]}


outer = StateGraph(State)
outer.add_node("boss", boss)
outer.add_edge(START, "boss")
graph = outer.compile()

print(graph.invoke({"x": 1}))
print("boss saw", seen)
seen.clear()
for namespace, mode, chunk in graph.stream(
    {"x": 2}, stream_mode=["updates", "custom"], subgraphs=True
):
    print("outer", names(namespace), mode, chunk)
print("boss saw", seen)
for part in graph.stream({"x": 3}, stream_mode="updates", version="v2"):
    print("v2", part["type"], names(part["ns"]), part["data"])
