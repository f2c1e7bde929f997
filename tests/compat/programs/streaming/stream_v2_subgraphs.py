"""version="v2" with subgraphs=True: parts carry the namespace of the graph that made them."""

from langgraph.graph import START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict):
    text: str


def shout(state: State) -> dict:
    return {"text": state["text"].upper()}


def exclaim(state: State) -> dict:
    return {"text": state["text"] + "!"}


inner = StateGraph(State)
inner.add_node("shout", shout)
inner.add_edge(START, "shout")

outer = StateGraph(State)
outer.add_node("inner", inner.compile())
outer.add_node("exclaim", exclaim)
outer.add_edge(START, "inner")
outer.add_edge("inner", "exclaim")
graph = outer.compile()

for part in graph.stream({"text": "hi"}, stream_mode="updates", subgraphs=True, version="v2"):
    print(part["type"], [ns.split(":")[0] for ns in part["ns"]], part["data"])
for part in graph.stream({"text": "hi"}, stream_mode="values", version="v2"):
    print(part["type"], part["ns"], part["data"], part["interrupts"])
