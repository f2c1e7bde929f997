"""@entrypoint and @task through both drivers and every saver: results, state, durability."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.constants import RETURN
from cairngraph.errors import InvalidUpdateError, OutsideRunError
from cairngraph.func import entrypoint, task
from cairngraph.types import Command, RetryPolicy, interrupt
from tests.graph.conftest import Driver


def cfg(thread: str = "1") -> dict[str, Any]:
    return {"configurable": {"thread_id": thread}}


def test_tasks_return_through_futures_and_the_thread_keeps_the_result(
    driver: Driver, saver: BaseCheckpointSaver
) -> None:
    @task
    def double(x: int) -> int:
        return 2 * x

    @entrypoint(checkpointer=saver)
    def main(xs: list[int]) -> list[int]:
        return [f.result() for f in [double(x) for x in xs]]

    assert driver.invoke(main, [1, 2, 3], cfg()) == [2, 4, 6]
    snapshot = driver.get_state(main, cfg())
    assert (snapshot.values, snapshot.next, snapshot.tasks) == ([2, 4, 6], (), ())
    history = driver.history(main, cfg())
    assert [(s.metadata["step"], s.metadata["source"]) for s in history] == [
        (0, "loop"),
        (-1, "input"),
    ]
    assert history[1].next == ("main",)
    assert history[1].tasks[0].result == [2, 4, 6]


def test_calls_run_concurrently(driver: Driver) -> None:
    together = threading.Barrier(3, timeout=10)

    @task
    def meet(x: int) -> int:
        together.wait()  # only passes when all three calls run at once
        return x

    @entrypoint()
    def main(xs: list[int]) -> int:
        return sum(f.result() for f in [meet(x) for x in xs])

    assert driver.invoke(main, [1, 2, 3]) == 6


@pytest.mark.parametrize("durability", ["sync", "async", "exit"])
def test_a_failed_run_resumes_without_repeating_finished_calls(
    driver: Driver, saver: BaseCheckpointSaver, durability: str
) -> None:
    ran: list[str] = []
    broken = {"on": True}

    @task
    def first(x: int) -> int:
        ran.append("first")
        return x + 1

    @task
    def second(x: int) -> int:
        ran.append("second")
        if broken["on"]:
            raise ValueError("second is down")
        return x * 10

    @entrypoint(checkpointer=saver)
    def main(x: int) -> int:
        return second(first(x).result()).result()

    with pytest.raises(ValueError, match="second is down"):
        driver.invoke(main, 1, cfg(), durability=durability)
    saved = saver.get_tuple(cfg())
    assert saved is not None
    returns = [value for _task, channel, value in saved.pending_writes if channel == RETURN]
    assert returns == [2]  # the finished call's result, under its own task id
    snapshot = driver.get_state(main, cfg())
    assert snapshot.next == ("main",)
    assert snapshot.tasks[0].error == "ValueError('second is down')"
    broken["on"] = False
    assert driver.invoke(main, None, cfg()) == 20
    assert ran == ["first", "second", "second"]


def test_interrupt_in_the_entrypoint_then_resume(
    driver: Driver, saver: BaseCheckpointSaver
) -> None:
    written: list[str] = []

    @task
    def write(topic: str) -> str:
        written.append(topic)
        return f"essay on {topic}"

    @entrypoint(checkpointer=saver)
    def review(topic: str) -> dict[str, Any]:
        essay = write(topic).result()
        verdict = interrupt({"essay": essay})
        return {"essay": essay, "verdict": verdict}

    paused = driver.invoke(review, "owls", cfg())
    assert [item.value for item in paused["__interrupt__"]] == [{"essay": "essay on owls"}]
    snapshot = driver.get_state(review, cfg())
    assert snapshot.next == ("review",)
    assert [item.value for item in snapshot.interrupts] == [{"essay": "essay on owls"}]
    assert snapshot.values is None
    done = driver.invoke(review, Command(resume="approved"), cfg())
    assert done == {"essay": "essay on owls", "verdict": "approved"}
    assert written == ["owls"]


def test_interrupt_inside_a_task_then_resume(driver: Driver, saver: BaseCheckpointSaver) -> None:
    ran: list[str] = []

    @task
    def draft(topic: str) -> str:
        ran.append("draft")
        return f"draft on {topic}"

    @task
    def edit(text: str) -> str:
        ran.append("edit")
        return f"{text} ({interrupt('edit?')})"

    @entrypoint(checkpointer=saver)
    def flow(topic: str) -> str:
        return edit(draft(topic).result()).result()

    assert "__interrupt__" in driver.invoke(flow, "owls", cfg())
    assert [i.value for i in driver.get_state(flow, cfg()).interrupts] == ["edit?"]
    assert driver.invoke(flow, Command(resume="fine"), cfg()) == "draft on owls (fine)"
    assert ran == ["draft", "edit", "edit"]
    assert driver.get_state(flow, cfg()).next == ()


def test_final_and_previous(driver: Driver, saver: BaseCheckpointSaver) -> None:
    @entrypoint(checkpointer=saver)
    def total(n: int, *, previous: Any = None) -> entrypoint.final[int, int]:
        return entrypoint.final(value=previous or 0, save=(previous or 0) + n)

    assert [driver.invoke(total, n, cfg()) for n in (3, 4, 5)] == [0, 3, 7]
    assert driver.get_state(total, cfg()).values == 7
    assert driver.invoke(total, 1, cfg("other")) == 0


def test_update_state_changes_previous(driver: Driver, saver: BaseCheckpointSaver) -> None:
    @entrypoint(checkpointer=saver)
    def count(n: int, previous: int | None = None) -> int:
        return (previous or 0) + n

    assert driver.invoke(count, 2, cfg()) == 2
    driver.update_state(count, cfg(), 40)
    assert driver.get_state(count, cfg()).metadata["source"] == "update"
    assert driver.invoke(count, 2, cfg()) == 42


def test_retry_policy_of_a_task(driver: Driver) -> None:
    attempts: list[int] = []

    @task(retry_policy=RetryPolicy(max_attempts=3, initial_interval=0.001, jitter=False))
    def flaky(x: int) -> int:
        attempts.append(x)
        if len(attempts) < 3:
            raise ConnectionError("flaky")
        return x

    @entrypoint()
    def main(x: int) -> int:
        return flaky(x).result()

    assert driver.invoke(main, 7) == 7
    assert attempts == [7, 7, 7]


def test_streams_each_call_then_the_entrypoint(driver: Driver, saver: BaseCheckpointSaver) -> None:
    @task
    def shout(word: str) -> str:
        return word.upper()

    @entrypoint(checkpointer=saver)
    def main(words: list[str], writer: Any) -> str:
        writer("start")
        return " ".join(shout(w).result() for w in words)

    chunks = driver.stream(main, ["a", "b"], cfg(), stream_mode=["updates", "custom", "values"])
    assert chunks == [
        ("custom", "start"),
        ("updates", {"shout": "A"}),
        ("updates", {"shout": "B"}),
        ("updates", {"main": "A B"}),
        ("values", "A B"),
    ]


def test_injected_config_store_and_runtime(driver: Driver) -> None:
    @entrypoint(store="the-store")
    def main(x: int, *, config: Any, store: Any, runtime: Any) -> tuple[Any, ...]:
        return (x, config["configurable"]["thread_id"], store, runtime.store)

    assert driver.invoke(main, 1, cfg("t")) == (1, "t", "the-store", "the-store")


def test_a_task_outside_a_run_raises() -> None:
    @task
    def alone(x: int) -> int:
        return x

    with pytest.raises(OutsideRunError, match="outside a running graph"):
        alone(1)
    assert issubclass(OutsideRunError, RuntimeError)


def test_a_command_update_is_refused(saver: BaseCheckpointSaver) -> None:
    @entrypoint(checkpointer=saver)
    def main(x: int) -> int:
        return x

    main.invoke(1, cfg())
    with pytest.raises(InvalidUpdateError, match="resume"):
        main.invoke(Command(update={"x": 1}), cfg())


def test_async_entrypoint_awaits_tasks(saver: BaseCheckpointSaver) -> None:
    import asyncio

    @task
    async def slow_double(x: int) -> int:
        await asyncio.sleep(0.001)
        return 2 * x

    @task
    def add(x: int, y: int) -> int:
        return x + y

    @entrypoint(checkpointer=saver)
    async def main(xs: list[int]) -> int:
        doubled = await asyncio.gather(*(slow_double(x) for x in xs))
        answer = interrupt("go on?")
        return await add(sum(doubled), answer)

    async def run() -> tuple[Any, Any]:
        first = await main.ainvoke([1, 2], cfg())
        return first, await main.ainvoke(Command(resume=100), cfg())

    first, second = asyncio.run(run())
    assert [item.value for item in first["__interrupt__"]] == ["go on?"]
    assert second == 106


def test_an_async_task_in_a_sync_run_says_how_to_fix() -> None:
    @task
    async def coro(x: int) -> int:
        return x

    @entrypoint()
    def main(x: int) -> int:
        return coro(x).result()

    with pytest.raises(ValueError, match="ainvoke"):
        main.invoke(1)


def test_a_task_called_from_a_graph_node(driver: Driver, saver: BaseCheckpointSaver) -> None:
    from typing import TypedDict

    from cairngraph.graph import START, StateGraph

    class State(TypedDict):
        x: int

    @task
    def inc(x: int) -> int:
        return x + 1

    def node(state: State) -> dict[str, int]:
        return {"x": inc(state["x"]).result()}

    builder = StateGraph(State)
    builder.add_node("node", node)
    builder.add_edge(START, "node")
    app = builder.compile(checkpointer=saver)
    assert driver.invoke(app, {"x": 1}, cfg()) == {"x": 2}
