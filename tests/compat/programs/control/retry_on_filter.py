"""RetryPolicy(retry_on=...) only retries matching errors; the default skips ValueError."""

from typing import TypedDict

from langgraph.graph import START, StateGraph
from langgraph.types import RetryPolicy

calls = []


class State(TypedDict):
    kind: str


def fails(state: State) -> dict:
    calls.append(state["kind"])
    if state["kind"] == "value":
        raise ValueError("bad value")
    raise TimeoutError("slow")


def run(policy: RetryPolicy, kind: str) -> None:
    builder = StateGraph(State)
    builder.add_node("fails", fails, retry_policy=policy)
    builder.add_edge(START, "fails")
    calls.clear()
    try:
        builder.compile().invoke({"kind": kind})
    except (ValueError, TimeoutError) as exc:
        print(kind, type(exc).__name__, "calls:", len(calls))


quick = {"initial_interval": 0.001, "jitter": False}
run(RetryPolicy(max_attempts=3, **quick), "value")
run(RetryPolicy(max_attempts=3, **quick), "timeout")
run(RetryPolicy(max_attempts=3, retry_on=TimeoutError, **quick), "value")
run(RetryPolicy(max_attempts=3, retry_on=lambda e: "slow" in str(e), **quick), "timeout")
