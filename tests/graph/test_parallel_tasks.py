"""A step's parallel tasks in a sync run: the first runs in the calling thread, the others
on the engine's pool, and one the pool has not started yet when the calling thread is
free runs in the calling thread too. Either way each task runs in its own copy of the
context, blocking tasks still run at once, and with sync durability each task's writes
are saved by their own ``put_writes`` as it finishes.
"""

from __future__ import annotations

import contextvars
import operator
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Annotated, Any, TypedDict

import pytest

from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.engine import drivers
from cairngraph.graph import START, StateGraph

MARK: contextvars.ContextVar[str | None] = contextvars.ContextVar("mark", default=None)


class State(TypedDict, total=False):
    log: Annotated[list[str], operator.add]


class CountingSaver(InMemorySaver):
    """Counts the task writes saved on their own, by task id."""

    def __init__(self) -> None:
        super().__init__()
        self.saved_alone: list[str] = []

    def put_writes(self, config: Any, writes: Any, task_id: str, task_path: str = "") -> None:
        self.saved_alone.append(task_id)
        super().put_writes(config, writes, task_id, task_path)


class NeverStarts:
    """A pool whose threads never get to a task: every future stays pending (a run that
    waited for one fails after a few seconds instead of hanging)."""

    def __init__(self) -> None:
        self.submitted = 0

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        self.submitted += 1
        future: Future[Any] = Future()
        timer = threading.Timer(5, _give_up, (future,))
        timer.daemon = True
        timer.start()
        return future


def _give_up(future: Future[Any]) -> None:
    if future.set_running_or_notify_cancel():
        future.set_exception(TimeoutError("the run waited for a task the pool never started"))


def _marking(name: str) -> Callable[[State], dict[str, Any]]:
    def node(state: State) -> dict[str, Any]:
        # A task sees no context variable another task of its step set.
        seen = MARK.get()
        MARK.set(name)
        return {"log": [f"{name} saw {seen}"]}

    return node


def _fan_out(nodes: dict[str, Callable[[State], dict[str, Any]]]) -> StateGraph:
    graph = StateGraph(State)
    for name, node in nodes.items():
        graph.add_node(name, node)
        graph.add_edge(START, name)
    return graph


def test_tasks_the_pool_has_not_started_run_in_the_calling_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pool = NeverStarts()
    monkeypatch.setattr(drivers, "_POOL", pool)
    saver = CountingSaver()
    app = _fan_out({name: _marking(name) for name in ("a", "b", "c")}).compile(checkpointer=saver)
    result = app.invoke({"log": []}, {"configurable": {"thread_id": "1"}})
    assert result == {"log": ["a saw None", "b saw None", "c saw None"]}
    assert pool.submitted == 2
    # Each task's writes saved on their own, stolen tasks too.
    assert len(saver.saved_alone) == 3 and len(set(saver.saved_alone)) == 3


def test_tasks_that_block_still_run_at_once() -> None:
    # Each task waits for the other two: the run ends only if all three run together.
    barrier = threading.Barrier(3, timeout=10)

    def waiting(name: str) -> Callable[[State], dict[str, Any]]:
        def node(state: State) -> dict[str, Any]:
            barrier.wait()
            return {"log": [name]}

        return node

    app = _fan_out({name: waiting(name) for name in ("a", "b", "c")}).compile(
        checkpointer=CountingSaver()
    )
    result = app.invoke({"log": []}, {"configurable": {"thread_id": "1"}})
    assert result == {"log": ["a", "b", "c"]}
