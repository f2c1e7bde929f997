"""SqliteSaver on a file: datetimes, UUIDs, Decimals, sets, bytes in state come back with their
types after a reopen.
"""

import datetime
import decimal
import uuid
from typing import TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    data: dict


def fill(state: State) -> dict:
    return {
        "data": {
            "when": datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.UTC),
            "naive": datetime.datetime(2024, 5, 1, 8, 0),
            "day": datetime.date(2024, 5, 1),
            "clock": datetime.time(7, 45),
            "duration": datetime.timedelta(hours=2, seconds=5),
            "order_id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
            "price": decimal.Decimal("9.99"),
            "tags": {"a", "b"},
            "frozen": frozenset({1, 2}),
            "raw": b"\x00\x01",
            "limit": float("inf"),
            "nested": {"list": [1, "two", None, True], "empty": {}},
        }
    }


def build():
    builder = StateGraph(State)
    builder.add_node("fill", fill)
    builder.add_edge(START, "fill")
    return builder


config = {"configurable": {"thread_id": "types"}}
with SqliteSaver.from_conn_string("types.db") as saver:
    build().compile(checkpointer=saver).invoke({"data": {}}, config)

with SqliteSaver.from_conn_string("types.db") as saver:
    data = build().compile(checkpointer=saver).get_state(config).values["data"]
    for key in sorted(data):
        value = data[key]
        shown = sorted(value) if isinstance(value, (set, frozenset)) else value
        print(key, type(value).__name__, shown)
    print(data["when"].isoformat() == "2024-05-01T12:30:00+00:00", data["when"].tzinfo is not None)
    print(data["order_id"].hex)
