"""Runtime context reaches a conditional edge and a subgraph's nodes; context defaults."""

from dataclasses import dataclass

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime, get_runtime
from typing_extensions import TypedDict


@dataclass
class Context:
    provider: str = "local"
    max_items: int = 2


class State(TypedDict):
    items: list[str]


def inner(state: State) -> dict:
    runtime = get_runtime(Context)
    return {"items": state["items"] + [f"inner via {runtime.context.provider}"]}


sub = StateGraph(State, context_schema=Context)
sub.add_node("inner", inner)
sub.add_edge(START, "inner")
subgraph = sub.compile()


def route(state: State, runtime: Runtime[Context]) -> str:
    return END if len(state["items"]) >= runtime.context.max_items else "sub"


def first(state: State, runtime: Runtime[Context]) -> dict:
    return {"items": state["items"] + [runtime.context.provider]}


builder = StateGraph(State, context_schema=Context)
builder.add_node("first", first)
builder.add_node("sub", subgraph)
builder.add_edge(START, "first")
builder.add_conditional_edges("first", route, ["sub", END])
builder.add_edge("sub", "first")
graph = builder.compile()

print(graph.invoke({"items": []}, context=Context()))
print(graph.invoke({"items": []}, context=Context(provider="remote", max_items=5)))
print(graph.invoke({"items": []}, context={"provider": "dict", "max_items": 3}))
