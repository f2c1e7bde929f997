"""A conditional edge function annotated with its own TypedDict reads the state through it."""

from langgraph.graph import END, START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict):
    score: int
    label: str


class RouterView(TypedDict):
    score: int


def grade(state: State) -> dict:
    return {"label": "graded"}


def route(state: RouterView) -> str:
    print("router sees", sorted(state))
    return "high" if state["score"] > 5 else "low"


builder = StateGraph(State)
builder.add_node("grade", grade)
builder.add_node("high", lambda s: {"label": s["label"] + " high"})
builder.add_node("low", lambda s: {"label": s["label"] + " low"})
builder.add_edge(START, "grade")
builder.add_conditional_edges("grade", route, {"high": "high", "low": "low"})
builder.add_edge("high", END)
builder.add_edge("low", END)
graph = builder.compile()

print(graph.invoke({"score": 9, "label": ""}))
print(graph.invoke({"score": 1, "label": ""}))
