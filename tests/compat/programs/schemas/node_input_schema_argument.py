"""add_node(input_schema=...) narrows what a node reads; private keys flow between nodes."""

from langgraph.graph import END, START, StateGraph
from typing_extensions import TypedDict


class Public(TypedDict):
    question: str
    answer: str


class Private(TypedDict):
    question: str
    draft: str


def draft(state: Public) -> Private:
    return {"question": state["question"], "draft": f"draft for {state['question']}"}


def polish(state: Private) -> dict:
    print("polish sees", sorted(state))
    return {"answer": state["draft"].upper()}


def audit(state) -> dict:
    print("audit sees", sorted(state))
    return {}


builder = StateGraph(Public)
builder.add_node("draft", draft)
builder.add_node("polish", polish, input_schema=Private)
builder.add_node("audit", audit, input_schema=Public)
builder.add_edge(START, "draft")
builder.add_edge("draft", "polish")
builder.add_edge("polish", "audit")
builder.add_edge("audit", END)
graph = builder.compile()

print(graph.invoke({"question": "why"}))
for chunk in graph.stream({"question": "how"}, stream_mode="values"):
    print(chunk)
