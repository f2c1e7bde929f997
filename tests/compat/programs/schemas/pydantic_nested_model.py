"""A pydantic state with a nested model and a list reducer; invoke returns a dict."""

import operator
from typing import Annotated

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from pydantic import BaseModel, Field


class Address(BaseModel):
    city: str
    zip_code: str = "00000"


class Customer(BaseModel):
    name: str
    address: Address
    history: Annotated[list[str], operator.add] = Field(default_factory=list)


def move(state: Customer) -> dict:
    print("node sees", type(state.address).__name__, state.address.city)
    new = Address(city="Bergen", zip_code="5003")
    return {"address": new, "history": [f"moved from {state.address.city}"]}


builder = StateGraph(Customer)
builder.add_node("move", move)
builder.add_edge(START, "move")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "c"}}
result = graph.invoke({"name": "Ola", "address": {"city": "Oslo"}}, config)
print(type(result).__name__, result)
values = graph.get_state(config).values
print(type(values["address"]).__name__, values["address"])
print(graph.invoke({"name": "Ola", "address": Address(city="Tromsø")}, config)["history"])
