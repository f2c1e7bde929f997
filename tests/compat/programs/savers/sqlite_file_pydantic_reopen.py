"""SqliteSaver on a file: pydantic state loaded by a second saver keeps its model types."""

from typing import Literal

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from pydantic import BaseModel


class Line(BaseModel):
    sku: str
    qty: int


class Order(BaseModel):
    lines: list[Line] = []
    status: Literal["open", "priced", "paid"] = "open"
    total: int = 0


def price(state: Order) -> dict:
    return {"total": sum(line.qty * 5 for line in state.lines), "status": "priced"}


def pay(state: Order) -> dict:
    return {"status": "paid"}


def build():
    builder = StateGraph(Order)
    builder.add_node("price", price)
    builder.add_node("pay", pay)
    builder.add_edge(START, "price")
    builder.add_edge("price", "pay")
    return builder


config = {"configurable": {"thread_id": "order"}}
with SqliteSaver.from_conn_string("orders.db") as saver:
    graph = build().compile(checkpointer=saver, interrupt_before=["pay"])
    print(graph.invoke({"lines": [Line(sku="x", qty=2), Line(sku="y", qty=1)]}, config))

with SqliteSaver.from_conn_string("orders.db") as saver:
    graph = build().compile(checkpointer=saver, interrupt_before=["pay"])
    values = graph.get_state(config).values
    print([type(line).__name__ for line in values["lines"]], values["status"], values["total"])
    print(graph.invoke(None, config))
