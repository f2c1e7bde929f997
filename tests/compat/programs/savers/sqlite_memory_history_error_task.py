"""SqliteSaver(":memory:"): the history records a task's error; the retry's checkpoint does not."""

from typing import TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph

state_of_world = {"ok": False}


class State(TypedDict):
    value: int


def risky(state: State) -> dict:
    if not state_of_world["ok"]:
        raise ZeroDivisionError("division by zero in risky")
    return {"value": state["value"] + 1}


builder = StateGraph(State)
builder.add_node("risky", risky)
builder.add_edge(START, "risky")

with SqliteSaver.from_conn_string(":memory:") as saver:
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "err"}}
    try:
        graph.invoke({"value": 1}, config)
    except ZeroDivisionError:
        print("raised")
    print("pending", [w[1] for w in saver.get_tuple(config).pending_writes])
    for snap in graph.get_state_history(config):
        print(snap.metadata["step"], snap.next, [(t.name, repr(t.error)) for t in snap.tasks])
    state_of_world["ok"] = True
    print(graph.invoke(None, config))
    for snap in graph.get_state_history(config):
        print(snap.metadata["step"], snap.next, [(t.name, t.error) for t in snap.tasks])
