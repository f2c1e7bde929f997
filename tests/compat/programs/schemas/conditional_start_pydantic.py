"""A conditional edge from START receives the pydantic state object."""

from typing import Literal

from langgraph.graph import END, START, StateGraph
from pydantic import BaseModel


class Ticket(BaseModel):
    text: str
    priority: int = 0
    handled_by: str = ""


def route(state: Ticket) -> Literal["urgent", "normal"]:
    print("router got", type(state).__name__, state.priority)
    return "urgent" if state.priority > 5 else "normal"


def urgent(state: Ticket) -> dict:
    return {"handled_by": "on-call"}


def normal(state: Ticket) -> dict:
    return {"handled_by": "queue"}


builder = StateGraph(Ticket)
builder.add_node("urgent", urgent)
builder.add_node("normal", normal)
builder.add_conditional_edges(START, route)
builder.add_edge("urgent", END)
builder.add_edge("normal", END)
graph = builder.compile()

print(graph.invoke({"text": "server down", "priority": 9}))
print(graph.invoke({"text": "typo on page"}))
