"""Send to a node with its own input type, and Send mixed with a plain node name."""

import operator
from typing import Annotated, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import Send


class State(TypedDict):
    docs: list[str]
    summaries: Annotated[list[str], operator.add]


class Doc(TypedDict):
    doc: str
    index: int


def route(state: State):
    return [Send("summarize", {"doc": d, "index": i}) for i, d in enumerate(state["docs"])] + [
        "audit"
    ]


def summarize(state: Doc) -> dict:
    return {"summaries": [f"{state['index']}:{state['doc'][:3]}"]}


builder = StateGraph(State)
builder.add_node("summarize", summarize)
builder.add_node("audit", lambda s: {"summaries": [f"audit saw {len(s['docs'])} docs"]})
builder.add_node("final", lambda s: {"summaries": ["final"]})
builder.add_conditional_edges(START, route, ["summarize", "audit"])
builder.add_edge("summarize", "final")
builder.add_edge("audit", "final")
builder.add_edge("final", END)
graph = builder.compile()

print(sorted(graph.invoke({"docs": ["alpha", "beta", "gamma"], "summaries": []})["summaries"]))
