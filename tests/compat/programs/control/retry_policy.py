"""RetryPolicy: a flaky node is retried until it succeeds; one that always fails gives up."""

from typing import TypedDict

from langgraph.graph import START, StateGraph
from langgraph.types import RetryPolicy

attempts = {"flaky": 0, "broken": 0}


class State(TypedDict):
    result: str


def flaky(state: State) -> dict:
    attempts["flaky"] += 1
    if attempts["flaky"] < 3:
        raise ConnectionError(f"attempt {attempts['flaky']} failed")
    return {"result": f"ok after {attempts['flaky']}"}


def broken(state: State) -> dict:
    attempts["broken"] += 1
    raise ValueError("always broken")


fast = RetryPolicy(max_attempts=4, initial_interval=0.001, jitter=False)
builder = StateGraph(State)
builder.add_node("flaky", flaky, retry_policy=fast)
builder.add_edge(START, "flaky")
print(builder.compile().invoke({"result": ""}))

other = StateGraph(State)
policy = RetryPolicy(max_attempts=2, initial_interval=0.001, jitter=False, retry_on=ValueError)
other.add_node("broken", broken, retry_policy=policy)
other.add_edge(START, "broken")
try:
    other.compile().invoke({"result": ""})
except ValueError as exc:
    print("gave up:", exc)
print(attempts)
