"""SqliteSaver: a failing handler fails the run; invoke(None) reruns only the handler."""

import operator
from typing import Annotated

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.errors import NodeError
from langgraph.graph import START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict):
    log: Annotated[list[str], operator.add]


calls = []
handler_up = {"on": False}


def extract(state: State) -> dict:
    calls.append("extract")
    return {"log": ["extracted"]}


def transform(state: State) -> dict:
    calls.append("transform")
    raise ValueError("row 17 has no id")


def quarantine(state: State, error: NodeError) -> dict:
    calls.append("quarantine")
    print("quarantine told", repr(error.error), "about", error.node)
    if not handler_up["on"]:
        raise OSError("quarantine bucket unavailable")
    return {"log": ["quarantined bad rows"]}


def load(state: State) -> dict:
    return {"log": ["loaded"]}


builder = StateGraph(State)
builder.add_node("extract", extract)
builder.add_node("transform", transform, error_handler=quarantine)
builder.add_node("load", load)
builder.add_edge(START, "extract")
builder.add_edge("extract", "transform")
builder.add_edge("transform", "load")

with SqliteSaver.from_conn_string(":memory:") as checkpointer:
    graph = builder.compile(checkpointer=checkpointer)
    config = {"configurable": {"thread_id": "etl-1"}}
    try:
        graph.invoke({"log": []}, config)
    except OSError as exc:
        print("run failed:", exc)
    snapshot = graph.get_state(config)
    print("next", snapshot.next, [(t.name, t.error) for t in snapshot.tasks])
    channels = sorted(c for _, c, _ in checkpointer.get_tuple(config).pending_writes)
    print("saved", channels)
    handler_up["on"] = True
    print(graph.invoke(None, config))
    print("calls", calls)
    print([(s.metadata["step"], s.next) for s in graph.get_state_history(config)])
