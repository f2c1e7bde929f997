"""JsonPlusSerializer passed as serde=: rich values survive a save and a reload."""

import datetime
import decimal
import uuid
from dataclasses import dataclass
from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.graph import START, StateGraph


@dataclass
class Point:
    x: int
    y: int


class State(TypedDict):
    when: datetime.date
    amount: decimal.Decimal
    tags: set
    pair: tuple
    point: Point
    key: uuid.UUID


def move(state: State) -> dict:
    p = state["point"]
    return {"point": Point(p.x + 1, p.y + 1), "tags": state["tags"] | {"moved"}}


builder = StateGraph(State)
builder.add_node("move", move)
builder.add_edge(START, "move")
saver = InMemorySaver(serde=JsonPlusSerializer())
graph = builder.compile(checkpointer=saver)

config = {"configurable": {"thread_id": "serde"}}
graph.invoke(
    {
        "when": datetime.date(2024, 5, 1),
        "amount": decimal.Decimal("1.50"),
        "tags": {"a"},
        "pair": (1, 2),
        "point": Point(0, 0),
        "key": uuid.UUID(int=7),
    },
    config,
)
values = graph.get_state(config).values
for name in sorted(values):
    print(
        name, type(values[name]).__name__, values[name] if name != "tags" else sorted(values[name])
    )
raw = saver.serde.dumps_typed({"x": (1, 2)})
print(raw[0], saver.serde.loads_typed(raw))
