"""Per-attempt timeouts in the Functional API: ``@task(timeout=)`` and ``@entrypoint(timeout=)``.

Real timing with small limits (0.05 s against work that would take seconds);
the tests assert the error, the attempts and what a resume runs again.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.config import get_stream_writer
from cairngraph.errors import InvalidGraphError, NodeTimeoutError
from cairngraph.func import entrypoint, task
from cairngraph.runtime import Runtime, get_runtime
from cairngraph.types import RetryPolicy, TimeoutPolicy

HANG = 5.0


def cfg(thread: str = "1") -> dict[str, Any]:
    return {"configurable": {"thread_id": thread}}


def test_a_timed_out_task_fails_its_future_and_the_caller_may_catch_it() -> None:
    @task(timeout=timedelta(milliseconds=50))
    async def fetch(delay: float) -> float:
        await asyncio.sleep(delay)
        return delay

    @entrypoint()
    async def main(delays: list[float]) -> list[Any]:
        found: list[Any] = []
        for delay in delays:
            try:
                found.append(await fetch(delay))
            except NodeTimeoutError as error:
                found.append((error.node, error.kind, error.timeout))
        return found

    assert asyncio.run(main.ainvoke([0.0, HANG, 0.01])) == [0.0, ("fetch", "run", 0.05), 0.01]
    assert fetch.timeout == TimeoutPolicy(run_timeout=0.05)


def test_a_task_retry_policy_retries_its_timeouts() -> None:
    tries: list[int] = []

    @task(timeout=0.05, retry_policy=RetryPolicy(initial_interval=0.001, jitter=False))
    async def flaky() -> int:
        tries.append(1)
        await asyncio.sleep(HANG if len(tries) < 3 else 0)
        return len(tries)

    @entrypoint()
    async def main(_: int) -> int:
        return await flaky()

    assert asyncio.run(main.ainvoke(1)) == 3


def test_the_entrypoints_timeout_is_not_its_tasks() -> None:
    @task
    async def slowish() -> str:
        await asyncio.sleep(0.1)
        return "done"

    @entrypoint(timeout=HANG)
    async def main(_: int) -> str:
        return await slowish()

    assert asyncio.run(main.ainvoke(1)) == "done"


def test_a_timed_out_entrypoint_resumes_without_rerunning_finished_calls(
    saver: BaseCheckpointSaver,
) -> None:
    calls: list[str] = []
    slow = {"on": True}

    @task
    async def quick(x: int) -> int:
        calls.append("quick")
        return x + 1

    @task
    async def laggard(x: int) -> int:
        calls.append("laggard")
        await asyncio.sleep(HANG if slow["on"] else 0)
        return x * 10

    @entrypoint(checkpointer=saver, timeout=0.1)
    async def pipeline(x: int) -> list[int]:
        first = await quick(x)
        return [first, await laggard(first)]

    with pytest.raises(NodeTimeoutError) as raised:
        asyncio.run(pipeline.ainvoke(3, cfg()))
    assert raised.value.node == "pipeline"
    snapshot = asyncio.run(pipeline.aget_state(cfg()))
    assert snapshot.next == ("pipeline",)
    assert [task.name for task in snapshot.tasks] == ["pipeline"]
    assert (snapshot.tasks[0].error or "").startswith("NodeTimeoutError(")
    slow["on"] = False
    assert asyncio.run(pipeline.ainvoke(None, cfg())) == [4, 40]
    assert calls == ["quick", "laggard", "laggard"]


def test_task_calls_and_heartbeats_are_progress_for_the_entrypoints_idle_timeout() -> None:
    @task
    async def piece(i: int) -> int:
        await asyncio.sleep(0.04)
        return i

    @entrypoint(timeout=TimeoutPolicy(idle_timeout=0.1))
    async def by_calls(n: int) -> list[int]:
        return [await piece(i) for i in range(n)]

    assert asyncio.run(by_calls.ainvoke(5)) == [0, 1, 2, 3, 4]

    @entrypoint(timeout=TimeoutPolicy(idle_timeout=0.1, refresh_on="heartbeat"))
    async def strict(n: int) -> list[int]:
        return [await piece(i) for i in range(n)]

    with pytest.raises(NodeTimeoutError) as raised:
        asyncio.run(strict.ainvoke(5))
    assert raised.value.kind == "idle"

    @entrypoint(timeout=TimeoutPolicy(idle_timeout=0.1, refresh_on="heartbeat"))
    async def beating(n: int, runtime: Runtime) -> int:
        for _ in range(n):
            await asyncio.sleep(0.04)
            runtime.heartbeat()
        return n

    assert asyncio.run(beating.ainvoke(5)) == 5


def test_an_untimed_tasks_heartbeats_and_writes_are_its_own_as_in_langgraph() -> None:
    """Only structural progress (calls starting and ending) passes from a call to its
    caller: a call's heartbeats and custom writes do not refresh the caller's clock."""

    @task
    async def beats(n: int) -> int:
        for _ in range(n):
            await asyncio.sleep(0.04)
            get_runtime().heartbeat()
        return n

    @task
    async def writes(n: int) -> int:
        writer = get_stream_writer()
        for i in range(n):
            await asyncio.sleep(0.04)
            writer(i)
        return n

    @entrypoint(timeout=TimeoutPolicy(idle_timeout=0.1, refresh_on="heartbeat"))
    async def strict(n: int) -> int:
        return await beats(n)

    @entrypoint(timeout=TimeoutPolicy(idle_timeout=0.1))
    async def auto(n: int) -> int:
        return await writes(n)

    for workflow in (strict, auto):
        with pytest.raises(NodeTimeoutError) as raised:
            asyncio.run(workflow.ainvoke(6))
        assert raised.value.kind == "idle"


def test_a_sync_task_or_entrypoint_with_a_timeout_is_refused_where_it_is_defined() -> None:
    def sync_fetch(x: int) -> int:
        return x

    with pytest.raises(InvalidGraphError, match="task 'sync_fetch' has timeout= but is a sync"):
        task(timeout=1.0)(sync_fetch)
    with pytest.raises(ValueError, match="async def"):
        entrypoint(timeout=1.0)(sync_fetch)
    with pytest.raises(ValueError, match="run_timeout"):
        task(timeout=-1)
    with pytest.raises(TypeError):
        task(timeuot=1.0)  # type: ignore[call-overload]
