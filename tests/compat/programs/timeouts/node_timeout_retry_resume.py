"""add_node(timeout=) on an async node: NodeTimeoutError, its fields, retries, and invoke(None).

A hung node is cancelled after 0.05 s; a retry policy retries the timeout
(NodeTimeoutError is retryable by default); a parallel sibling's writes are
kept as pending writes while the timed-out node leaves nothing; the next
invoke(None) runs only the node that timed out.
"""

import asyncio
import operator
from typing import Annotated, TypedDict

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.errors import NodeTimeoutError
from langgraph.graph import START, StateGraph
from langgraph.types import RetryPolicy


class State(TypedDict):
    log: Annotated[list, operator.add]


runs = []
hang = {"on": True}


async def steady(state: State) -> dict:
    runs.append("steady")
    return {"log": ["steady"]}


async def stuck(state: State) -> dict:
    runs.append("stuck")
    await asyncio.sleep(5 if hang["on"] else 0)
    return {"log": ["stuck"]}


def message(error: Exception) -> str:
    return str(error).split(" (elapsed")[0]


builder = StateGraph(State)
builder.add_node("steady", steady)
builder.add_node("stuck", stuck, timeout=0.05)
builder.add_edge(START, "steady")
builder.add_edge(START, "stuck")
graph = builder.compile(checkpointer=InMemorySaver())
config = {"configurable": {"thread_id": "1"}}


async def main() -> None:
    try:
        await graph.ainvoke({"log": []}, config)
    except NodeTimeoutError as error:
        print(
            "timed out:",
            error.node,
            error.kind,
            error.timeout,
            error.run_timeout,
            error.idle_timeout,
            error.elapsed >= 0.05,
        )
        print("message:", message(error))
        print("is TimeoutError:", isinstance(error, TimeoutError))
    snapshot = await graph.aget_state(config)
    print("next", snapshot.next, snapshot.values)
    for task in sorted(snapshot.tasks, key=lambda t: t.name):
        print(" task", task.name, task.result, task.error and task.error.split(" (elapsed")[0])
    hang["on"] = False
    print("resumed", await graph.ainvoke(None, config))
    print("runs", runs)
    history = [s async for s in graph.aget_state_history(config)]
    print("history", [(s.metadata["step"], s.metadata["source"], s.next) for s in history])

    attempts = []

    async def flaky(state: State) -> dict:
        attempts.append(len(attempts) + 1)
        await asyncio.sleep(5 if len(attempts) < 3 else 0)
        return {"log": [f"attempt {len(attempts)}"]}

    retried = StateGraph(State)
    retried.add_node(
        "flaky",
        flaky,
        timeout=0.05,
        retry_policy=RetryPolicy(max_attempts=3, initial_interval=0.01, jitter=False),
    )
    retried.add_edge(START, "flaky")
    print("retried", await retried.compile().ainvoke({"log": []}), attempts)

    attempts.clear()
    gives_up = StateGraph(State)
    gives_up.add_node(
        "flaky",
        flaky,
        timeout=0.05,
        retry_policy=RetryPolicy(max_attempts=2, initial_interval=0.01, jitter=False),
    )
    gives_up.add_edge(START, "flaky")
    try:
        await gives_up.compile().ainvoke({"log": []})
    except NodeTimeoutError as error:
        print("gave up after", attempts, message(error))


asyncio.run(main())
