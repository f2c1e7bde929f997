"""``tasks``/``debug`` chunks give a failed task's exception itself; snapshots its repr.

As LangGraph: the ``error`` of a task result is the exception object the node
raised, ``get_state().tasks[i].error`` its ``repr`` (read back from the
saved write), and a run resuming the failed step starts every task of the
step, also one whose writes were saved (its result is not streamed again).
"""

from __future__ import annotations

from typing import Any, TypedDict

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.graph import START, StateGraph
from tests.graph.conftest import Driver


class State(TypedDict):
    x: int


class QuotaError(ValueError):
    pass


def _graph(saver: BaseCheckpointSaver, failures: list[int]) -> Any:
    def boom(state: State) -> dict[str, Any]:
        if not failures:
            failures.append(1)
            raise QuotaError("quota 'daily'", 429)
        return {}

    graph = StateGraph(State)
    graph.add_node("boom", boom)
    graph.add_node("ok", lambda state: {"x": 1})
    graph.add_edge(START, "boom")
    graph.add_edge(START, "ok")
    return graph.compile(checkpointer=saver)


def test_error_is_the_exception_and_the_snapshot_its_repr(
    saver: BaseCheckpointSaver, driver: Driver
) -> None:
    app = _graph(saver, [])
    config = {"configurable": {"thread_id": "t"}}
    chunks: list[Any] = []
    try:
        if driver.kind == "sync":
            for chunk in app.stream({"x": 0}, config, stream_mode=["tasks", "debug"]):
                chunks.append(chunk)
        else:
            import asyncio

            async def collect() -> None:
                async for chunk in app.astream({"x": 0}, config, stream_mode=["tasks", "debug"]):
                    chunks.append(chunk)

            asyncio.run(collect())
    except QuotaError as raised:
        error = raised
    else:
        raise AssertionError("the node's error did not escape")
    results = [c[1] for c in chunks if c[0] == "tasks" and "error" in c[1]]
    debug = [c[1] for c in chunks if c[0] == "debug"]
    results += [c["payload"] for c in debug if c["type"] == "task_result"]
    failed = [r for r in results if r["name"] == "boom"]
    assert len(failed) == 2
    assert all(r["error"] is error for r in failed)
    assert all(r["error"] is None for r in results if r["name"] == "ok")
    snapshot = driver.get_state(app, config)
    errors = {task.name: task.error for task in snapshot.tasks}
    assert errors == {"boom": repr(QuotaError("quota 'daily'", 429)), "ok": None}

    resumed = driver.stream(app, None, config, stream_mode="tasks")
    assert sorted(c["name"] for c in resumed if "input" in c) == ["boom", "ok"]
    assert [c["name"] for c in resumed if "result" in c] == ["boom"]
    assert driver.get_state(app, config).values == {"x": 1}
