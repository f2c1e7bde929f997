"""SqliteSaver(":memory:"): a dataclass state with a reducer field, saved, updated and loaded
back.
"""

import operator
from dataclasses import dataclass, field
from typing import Annotated

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph


@dataclass
class Basket:
    owner: str
    items: Annotated[list[str], operator.add] = field(default_factory=list)
    total: int = 0


def add_fruit(state: Basket) -> dict:
    return {"items": ["apple", "pear"]}


def price(state: Basket) -> dict:
    return {"total": 3 * len(state.items)}


builder = StateGraph(Basket)
builder.add_node("add_fruit", add_fruit)
builder.add_node("price", price)
builder.add_edge(START, "add_fruit")
builder.add_edge("add_fruit", "price")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "basket"}}
    print(graph.invoke(Basket(owner="Kim"), config))
    graph.update_state(config, {"items": ["fig"]}, as_node="add_fruit")
    state = graph.get_state(config)
    print(state.values, state.next)
    print(graph.invoke(None, config))
