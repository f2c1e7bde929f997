"""SqliteSaver(":memory:"): one parallel branch succeeds, its sibling raises; the resume reruns
only the failed one.
"""

import operator
import time
from typing import Annotated, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph

runs = {"good": 0, "bad": 0, "join": 0}
broken = {"bad": True}


class State(TypedDict):
    results: Annotated[list[str], operator.add]


def good(state: State) -> dict:
    runs["good"] += 1
    return {"results": ["good"]}


def bad(state: State) -> dict:
    runs["bad"] += 1
    if broken["bad"]:
        time.sleep(0.05)  # the remote call times out after its sibling is done
        raise ValueError("bad branch broke")
    return {"results": ["bad fixed"]}


def join(state: State) -> dict:
    runs["join"] += 1
    return {"results": [f"joined {len(state['results'])}"]}


builder = StateGraph(State)
builder.add_node("good", good)
builder.add_node("bad", bad)
builder.add_node("join", join)
builder.add_edge(START, "good")
builder.add_edge(START, "bad")
builder.add_edge(["good", "bad"], "join")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "pw"}}
    try:
        graph.invoke({"results": []}, config)
    except ValueError as exc:
        print("error:", exc)
    saved = saver.get_tuple(config)
    print("pending writes", len(saved.pending_writes), sorted({w[1] for w in saved.pending_writes}))
    state = graph.get_state(config)
    print(state.next, sorted((t.name, t.error is not None) for t in state.tasks))
    broken["bad"] = False
    result = graph.invoke(None, config)
    print(sorted(result["results"]))
    print(runs)
