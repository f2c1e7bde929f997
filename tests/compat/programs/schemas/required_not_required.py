"""Required / NotRequired keys in a TypedDict state."""

from typing import NotRequired, Required

from langgraph.graph import END, START, StateGraph
from typing_extensions import TypedDict


class Order(TypedDict, total=False):
    item: Required[str]
    quantity: Required[int]
    coupon: str


class Invoice(TypedDict):
    item: str
    quantity: int
    coupon: NotRequired[str]
    total: NotRequired[float]


def price(state: Invoice) -> dict:
    unit = 2.5
    total = unit * state["quantity"]
    if state.get("coupon") == "HALF":
        total /= 2
    return {"total": total}


builder = StateGraph(Invoice)
builder.add_node("price", price)
builder.add_edge(START, "price")
builder.add_edge("price", END)
graph = builder.compile()

order: Order = {"item": "pen", "quantity": 4}
print(graph.invoke(order))
print(graph.invoke({"item": "pen", "quantity": 4, "coupon": "HALF"}))

other = StateGraph(Order)
other.add_node("price", lambda s: {"coupon": s.get("coupon", "none")})
other.add_edge(START, "price")
print(other.compile().invoke({"item": "ink", "quantity": 1}))
