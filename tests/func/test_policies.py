"""Task caching, the entrypoint's policies as the tasks' defaults, and the tasks stream mode."""

from __future__ import annotations

from typing import Any

from cairngraph.cache.memory import InMemoryCache
from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.func import entrypoint, task
from cairngraph.types import CachePolicy, RetryPolicy
from tests.graph.conftest import Driver


def cfg(thread: str = "1") -> dict[str, Any]:
    return {"configurable": {"thread_id": thread}}


def test_a_cached_task_runs_once_per_key(driver: Driver, saver: BaseCheckpointSaver) -> None:
    calls: list[tuple[int, int]] = []

    @task(cache_policy=CachePolicy(key_func=lambda x, y: f"{x}+{y}"))
    def add(x: int, y: int) -> int:
        calls.append((x, y))
        return x + y

    @entrypoint(checkpointer=saver, cache=InMemoryCache())
    def main(pair: tuple[int, int]) -> int:
        return add(*pair).result()

    assert driver.invoke(main, (1, 2), cfg("a")) == 3
    assert driver.stream(main, (1, 2), cfg("b")) == [
        {"add": 3, "__metadata__": {"cached": True}},
        {"main": 3},
    ]
    assert driver.invoke(main, (2, 2), cfg("c")) == 4
    assert calls == [(1, 2), (2, 2)]
    assert main.cache is not None
    add.clear_cache(main.cache)
    assert driver.invoke(main, (1, 2), cfg("d")) == 3
    assert calls == [(1, 2), (2, 2), (1, 2)]


def test_the_entrypoint_retry_policy_retries_its_tasks(driver: Driver) -> None:
    attempts: list[int] = []

    @task
    def flaky(x: int) -> int:
        attempts.append(x)
        if len(attempts) < 2:
            raise ConnectionError("down")
        return x

    @task(retry_policy=RetryPolicy(max_attempts=1))
    def never_retried(x: int) -> int:
        attempts.append(-x)
        raise ConnectionError("down for good")

    policy = RetryPolicy(max_attempts=3, initial_interval=0.001, jitter=False)

    @entrypoint(retry_policy=policy)
    def main(x: int) -> int:
        first = flaky(x).result()
        try:
            never_retried(x).result()
        except ConnectionError:
            return first
        raise AssertionError("never_retried did not fail")

    assert driver.invoke(main, 5) == 5
    assert attempts == [5, 5, -5]  # the task's own policy wins over the entrypoint's


def test_tasks_mode_reports_each_call(driver: Driver) -> None:
    @task
    def double(x: int) -> int:
        return 2 * x

    @entrypoint()
    def main(x: int) -> int:
        return double(x).result()

    chunks = driver.stream(main, 4, stream_mode="tasks")
    starts = [(c["name"], c.get("input")) for c in chunks if "input" in c]
    results = [(c["name"], c["result"]) for c in chunks if "result" in c]
    assert starts == [("main", 4), ("double", ((4,), {}))]
    assert results == [("double", {"__return__": 8}), ("main", {"__end__": 8})]


def test_the_first_matching_policy_of_several_decides(driver: Driver) -> None:
    attempts: list[str] = []

    @task(
        retry_policy=[
            RetryPolicy(max_attempts=2, initial_interval=0.001, retry_on=KeyError),
            RetryPolicy(max_attempts=4, initial_interval=0.001, retry_on=ConnectionError),
        ]
    )
    def unlucky(kind: str) -> str:
        attempts.append(kind)
        raise KeyError(kind) if kind == "key" else ConnectionError(kind)

    @entrypoint()
    def main(kind: str) -> str:
        try:
            return unlucky(kind).result()
        except (KeyError, ConnectionError) as error:
            return type(error).__name__

    assert driver.invoke(main, "key") == "KeyError"
    assert driver.invoke(main, "net") == "ConnectionError"
    assert attempts == ["key"] * 2 + ["net"] * 4
