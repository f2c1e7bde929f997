"""A failing parallel branch: the superstep is all-or-nothing; the finished sibling's update waits
as a pending write and is not rerun."""

import operator
import time
from typing import Annotated

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from typing_extensions import TypedDict

attempts = {"flaky": 0, "ok": 0}


class State(TypedDict):
    out: Annotated[list[str], operator.add]


def ok(state: State) -> dict:
    attempts["ok"] += 1
    return {"out": ["ok"]}


def flaky(state: State) -> dict:
    attempts["flaky"] += 1
    if attempts["flaky"] == 1:
        time.sleep(0.05)  # fails after its sibling finished
        raise RuntimeError("flaky failed once")
    return {"out": ["flaky"]}


builder = StateGraph(State)
builder.add_node("ok", ok)
builder.add_node("flaky", flaky)
builder.add_node("join", lambda s: {"out": [f"join {sorted(s['out'])}"]})
builder.add_edge(START, "ok")
builder.add_edge(START, "flaky")
builder.add_edge(["ok", "flaky"], "join")
builder.add_edge("join", END)

graph = builder.compile()
try:
    graph.invoke({"out": []})
except RuntimeError as error:
    print("raised", error)
print(graph.invoke({"out": []}))

attempts["flaky"] = 0
graph = builder.compile(checkpointer=InMemorySaver())
config = {"configurable": {"thread_id": "x"}}
try:
    graph.invoke({"out": []}, config)
except RuntimeError as error:
    print("raised", error)
state = graph.get_state(config)
print(state.values, state.next, [(t.name, t.error is not None) for t in state.tasks])
print(graph.invoke(None, config))
print(attempts)
