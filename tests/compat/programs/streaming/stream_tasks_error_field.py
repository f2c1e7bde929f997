"""stream_mode=["tasks", "debug"]: a failed task's "error" is the exception
itself; get_state().tasks shows its repr; the resumed run starts every task
of the step again, also the one whose writes were saved."""

from typing import TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph


class State(TypedDict):
    x: int


class QuotaError(ValueError):
    pass


attempts = []


def fetch(state: State) -> dict:
    attempts.append(1)
    if len(attempts) == 1:
        raise QuotaError("quota 'daily' exceeded", 429)
    return {"x": state["x"] + 10}


builder = StateGraph(State)
builder.add_node("fetch", fetch)
builder.add_node("prepare", lambda state: {"x": state["x"] + 1})
builder.add_edge(START, "prepare")
builder.add_edge("prepare", "fetch")
graph = builder.compile(checkpointer=InMemorySaver())
config = {"configurable": {"thread_id": "err"}}

try:
    for mode, chunk in graph.stream({"x": 0}, config, stream_mode=["tasks", "debug"]):
        if mode == "debug":
            chunk = chunk["payload"] if chunk["type"] != "checkpoint" else None
        if chunk and "error" in chunk:
            error = chunk["error"]
            print(mode, chunk["name"], type(error).__name__, repr(error), chunk["result"])
            if error is not None:
                print("   args", error.args, isinstance(error, ValueError))
except QuotaError as raised:
    print("raised", repr(raised))

snapshot = graph.get_state(config)
print([(task.name, task.error) for task in snapshot.tasks])
for chunk in graph.stream(None, config, stream_mode="tasks"):
    print(sorted(chunk), chunk["name"], chunk.get("error"), chunk.get("result"))
print(graph.get_state(config).values)
