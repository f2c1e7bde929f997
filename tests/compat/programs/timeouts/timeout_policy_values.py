"""TimeoutPolicy: numbers and timedeltas become run_timeout seconds; bad values are ValueErrors;
Send(timeout=) keeps the policy; a sync node, task or entrypoint with a timeout is refused."""

from datetime import timedelta
from typing import TypedDict

from langgraph.func import entrypoint, task
from langgraph.graph import START, StateGraph
from langgraph.types import Send, TimeoutPolicy

print(TimeoutPolicy.coerce(2))
print(TimeoutPolicy.coerce(timedelta(milliseconds=250)))
print(
    TimeoutPolicy.coerce(TimeoutPolicy(idle_timeout=timedelta(seconds=3), refresh_on="heartbeat"))
)
print(TimeoutPolicy.coerce(None), TimeoutPolicy.coerce(TimeoutPolicy()))
print(TimeoutPolicy(run_timeout=1) == TimeoutPolicy(run_timeout=1.0))
for bad in (
    0,
    -1.5,
    timedelta(0),
    TimeoutPolicy(idle_timeout=-2),
    TimeoutPolicy(run_timeout=1, refresh_on="often"),
):
    try:
        TimeoutPolicy.coerce(bad)
    except ValueError:
        print("ValueError for", bad)
try:
    TimeoutPolicy(5)
except TypeError:
    print("TypeError: positional")

print(Send("work", {"n": 1}))
print(Send("work", {"n": 1}, timeout=1.5))
print(Send("work", 1, timeout=0.5) == Send("work", 1, timeout=timedelta(milliseconds=500)))
print(Send("work", 1, timeout=0.5) == Send("work", 1))


class State(TypedDict):
    n: int


def sync_node(state: State) -> dict:
    return {"n": 1}


builder = StateGraph(State)
builder.add_node("sync_node", sync_node, timeout=1.0)
builder.add_edge(START, "sync_node")
print("add_node accepted it")
try:
    builder.compile()
except ValueError as error:
    print("compile: ValueError", "sync_node" in str(error))

try:

    @task(timeout=1.0)
    def sync_task(x: int) -> int:
        return x

except ValueError as error:
    print("task: ValueError", "sync_task" in str(error))

try:

    @entrypoint(timeout=1.0)
    def sync_workflow(x: int) -> int:
        return x

except ValueError as error:
    print("entrypoint: ValueError", "sync_workflow" in str(error))


async def async_node(state: State) -> dict:
    return {"n": 2}


timed = StateGraph(State)
timed.add_node("async_node", async_node, timeout=1.0)
timed.add_edge(START, "async_node")
graph = timed.compile()
try:
    graph.invoke({"n": 0})
except ValueError:
    print("invoke of a timed node: ValueError")
