"""Send fans out to a node that is a compiled subgraph with its own schema; results reduce back."""

import operator
from typing import Annotated

from langgraph.graph import START, StateGraph
from langgraph.types import Send
from typing_extensions import TypedDict


class Worker(TypedDict):
    item: str
    results: Annotated[list[str], operator.add]


def clean(state: Worker) -> dict:
    return {"item": state["item"].strip().lower()}


def label(state: Worker) -> dict:
    return {"results": [f"{state['item']}#{len(state['item'])}"]}


worker = StateGraph(Worker)
worker.add_node("clean", clean)
worker.add_node("label", label)
worker.add_edge(START, "clean")
worker.add_edge("clean", "label")


class Overall(TypedDict):
    raw: list[str]
    results: Annotated[list[str], operator.add]


def fan(state: Overall) -> list[Send]:
    return [Send("worker", {"item": item, "results": []}) for item in state["raw"]]


builder = StateGraph(Overall)
builder.add_node("worker", worker.compile())
builder.add_node("total", lambda s: {"results": [f"total {len(s['results'])}"]})
builder.add_conditional_edges(START, fan, ["worker"])
builder.add_edge("worker", "total")
graph = builder.compile()

result = graph.invoke({"raw": [" Apple", "KIWI ", "fig"], "results": []})
print(sorted(result["results"][:-1]), result["results"][-1])
chunks = list(graph.stream({"raw": ["A", "bb"], "results": []}, subgraphs=True))
print(sorted(str((len(ns), chunk)) for ns, chunk in chunks))
