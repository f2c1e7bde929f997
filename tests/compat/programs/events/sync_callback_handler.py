"""A user's callback handler passed in config to invoke(): the runs it sees, retries and errors."""

from langchain_core.callbacks import BaseCallbackHandler
from langgraph.graph import START, StateGraph
from langgraph.types import RetryPolicy
from typing_extensions import TypedDict


class State(TypedDict):
    value: int


class Recorder(BaseCallbackHandler):
    def on_chain_start(
        self, serialized, inputs, *, run_id, parent_run_id=None, tags=None, metadata=None, **kwargs
    ):
        node = (metadata or {}).get("langgraph_node")
        print("start", kwargs.get("name"), tags, run_id, parent_run_id, node, inputs)

    def on_chain_end(self, outputs, *, run_id, **kwargs):
        print("end", run_id, outputs)

    def on_chain_error(self, error, *, run_id, **kwargs):
        print("error", run_id, repr(error))


attempts = {"flaky": 0}


def flaky(state: State) -> dict:
    attempts["flaky"] += 1
    if attempts["flaky"] < 2:
        raise ConnectionError("try again")
    return {"value": state["value"] + 1}


def route(state: State) -> str:
    return "final" if state["value"] > 1 else "broken"


def final(state: State) -> dict:
    return {"value": state["value"] * 10}


def broken(state: State) -> dict:
    raise ValueError("broken node")


builder = StateGraph(State)
builder.add_node("flaky", flaky, retry_policy=RetryPolicy(initial_interval=0.01, jitter=False))
builder.add_node("final", final)
builder.add_node("broken", broken)
builder.add_edge(START, "flaky")
builder.add_conditional_edges("flaky", route, ["final", "broken"])
graph = builder.compile()

print(graph.invoke({"value": 1}, {"callbacks": [Recorder()]}))
attempts["flaky"] = 5
try:
    graph.invoke({"value": 0}, {"callbacks": [Recorder()], "run_name": "named"})
except ValueError as error:
    print("raised", error)
