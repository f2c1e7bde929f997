"""SqliteSaver(":memory:"): a node raises, the thread keeps its last good step, invoke(None)
retries.
"""

from typing import TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph

calls = {"fetch": 0, "parse": 0}
flaky = {"fail": True}


class State(TypedDict):
    raw: str
    parsed: list[str]


def fetch(state: State) -> dict:
    calls["fetch"] += 1
    return {"raw": "a,b,c"}


def parse(state: State) -> dict:
    calls["parse"] += 1
    if flaky["fail"]:
        raise ConnectionError("parser service down")
    return {"parsed": state["raw"].split(",")}


builder = StateGraph(State)
builder.add_node("fetch", fetch)
builder.add_node("parse", parse)
builder.add_edge(START, "fetch")
builder.add_edge("fetch", "parse")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "err"}}
    try:
        graph.invoke({"raw": "", "parsed": []}, config)
    except ConnectionError as exc:
        print("failed:", exc)
    state = graph.get_state(config)
    print(state.next, state.values, state.metadata["step"])
    print([(t.name, t.error is not None) for t in state.tasks])
    flaky["fail"] = False
    print(graph.invoke(None, config))
    print(calls)
    print([s.metadata["step"] for s in graph.get_state_history(config)])
