"""@task(timeout=) and @entrypoint(timeout=): a caller catches a task's NodeTimeoutError; a
retried task; a timed-out entrypoint keeps the results of the calls that finished, and
invoke(None) resumes without running them again."""

import asyncio

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.errors import NodeTimeoutError
from langgraph.func import entrypoint, task
from langgraph.types import RetryPolicy, TimeoutPolicy

calls = []
slow = {"on": True}


def short(error: object) -> str:
    return str(error).split(" (elapsed")[0]


@task(timeout=0.05)
async def fetch(delay: float) -> float:
    calls.append(("fetch", delay))
    await asyncio.sleep(delay)
    return delay


@entrypoint(checkpointer=InMemorySaver())
async def careful(delays: list) -> list:
    results = []
    for delay in delays:
        try:
            results.append(await fetch(delay))
        except NodeTimeoutError as error:
            results.append(("timed out", error.node, error.kind, error.timeout))
    return results


tries = []


@task(
    timeout=TimeoutPolicy(run_timeout=0.05),
    retry_policy=RetryPolicy(initial_interval=0.01, jitter=False),
)
async def flaky() -> int:
    tries.append(len(tries) + 1)
    await asyncio.sleep(5 if len(tries) < 2 else 0)
    return len(tries)


@entrypoint()
async def retrying(_: int) -> int:
    return await flaky()


@task
async def quick(x: int) -> int:
    calls.append(("quick", x))
    return x + 1


@task
async def laggard(x: int) -> int:
    calls.append(("laggard", x))
    await asyncio.sleep(5 if slow["on"] else 0)
    return x * 10


@entrypoint(checkpointer=InMemorySaver(), timeout=0.1)
async def pipeline(x: int) -> list:
    first = await quick(x)
    second = await laggard(first)
    return [first, second]


async def main() -> None:
    print(await careful.ainvoke([0.0, 5.0, 0.01], {"configurable": {"thread_id": "c"}}))
    print("calls", calls)
    print("retried", await retrying.ainvoke(1), tries)

    calls.clear()
    config = {"configurable": {"thread_id": "p"}}
    try:
        await pipeline.ainvoke(3, config)
    except NodeTimeoutError as error:
        print("pipeline:", short(error), error.kind)
    snapshot = await pipeline.aget_state(config)
    print("next", snapshot.next, [(t.name, short(t.error)) for t in snapshot.tasks])
    slow["on"] = False
    print("resumed", await pipeline.ainvoke(None, config))
    print("calls", calls)


asyncio.run(main())
