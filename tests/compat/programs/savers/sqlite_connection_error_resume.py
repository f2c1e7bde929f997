"""SqliteSaver(sqlite3.connect(":memory:")): a retried failure, then a fixed resume on the same
connection.
"""

import sqlite3
from typing import TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import RetryPolicy

attempts = {"charge": 0}
card = {"ok": False}


class State(TypedDict):
    amount: int
    receipt: str


def charge(state: State) -> dict:
    attempts["charge"] += 1
    if not card["ok"]:
        raise TimeoutError("card network timeout")
    return {"receipt": f"charged {state['amount']}"}


builder = StateGraph(State)
builder.add_node("validate", lambda s: {"amount": abs(s["amount"])})
builder.add_node(
    "charge", charge, retry_policy=RetryPolicy(max_attempts=2, initial_interval=0.01, jitter=False)
)
builder.add_edge(START, "validate")
builder.add_edge("validate", "charge")

conn = sqlite3.connect(":memory:", check_same_thread=False)
saver = SqliteSaver(conn)
graph = builder.compile(checkpointer=saver)
config = {"configurable": {"thread_id": "pay"}}
try:
    graph.invoke({"amount": -30, "receipt": ""}, config)
except TimeoutError as exc:
    print("failed:", exc, attempts)
state = graph.get_state(config)
print(state.values, state.next, [repr(t.error) for t in state.tasks])
card["ok"] = True
print(graph.invoke(None, config), attempts)
