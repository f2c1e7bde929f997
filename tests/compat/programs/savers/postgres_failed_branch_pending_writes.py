"""PostgresSaver: pending writes of the branch that succeeded are saved; the resume reruns only the
failed one.
"""

import operator
import os
import time
from typing import Annotated, TypedDict

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.graph import START, StateGraph

DB_URI = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
runs = {"geo": 0, "credit": 0, "decide": 0}
outage = {"credit": True}


class State(TypedDict):
    checks: Annotated[list[str], operator.add]
    decision: str


def geo(state: State) -> dict:
    runs["geo"] += 1
    return {"checks": ["geo ok"]}


def credit(state: State) -> dict:
    runs["credit"] += 1
    if outage["credit"]:
        time.sleep(0.05)  # the bureau times out after geo is done
        raise ConnectionError("credit bureau unreachable")
    return {"checks": ["credit ok"]}


def decide(state: State) -> dict:
    runs["decide"] += 1
    return {"decision": "accept" if len(state["checks"]) == 2 else "review"}


builder = StateGraph(State)
builder.add_node("geo", geo)
builder.add_node("credit", credit)
builder.add_node("decide", decide)
builder.add_edge(START, "geo")
builder.add_edge(START, "credit")
builder.add_edge(["geo", "credit"], "decide")
config = {"configurable": {"thread_id": "loan"}}

with PostgresSaver.from_conn_string(DB_URI) as saver:
    saver.setup()
    graph = builder.compile(checkpointer=saver)
    try:
        graph.invoke({"checks": [], "decision": ""}, config)
    except ConnectionError as exc:
        print("error:", exc)

outage["credit"] = False
with PostgresSaver.from_conn_string(DB_URI) as saver:
    graph = builder.compile(checkpointer=saver)
    saved = saver.get_tuple(config)
    print("pending", len(saved.pending_writes), sorted({w[1] for w in saved.pending_writes}))
    print(sorted((t.name, t.error is not None) for t in graph.get_state(config).tasks))
    result = graph.invoke(None, config)
    print(sorted(result["checks"]), result["decision"], runs)
