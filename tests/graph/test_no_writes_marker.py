"""A task that finished without writing anything is saved as finished (LangGraph's
``__no_writes__`` marker), so a step resumed after a sibling failed does not run it again."""

from __future__ import annotations

from typing import Any, TypedDict

import pytest

from cairngraph.checkpoint.base import NO_WRITES, BaseCheckpointSaver
from cairngraph.graph import START, StateGraph


class State(TypedDict, total=False):
    x: int


def _graph(saver: BaseCheckpointSaver, runs: dict[str, int]) -> Any:
    def notify(state: State) -> None:
        runs["notify"] += 1  # a side effect, no state write, no edge out

    def compute(state: State) -> dict[str, Any]:
        runs["compute"] += 1
        if runs["compute"] == 1:
            raise ConnectionError("flaky service")
        return {"x": 1}

    builder = StateGraph(State)
    builder.add_node("notify", notify)
    builder.add_node("compute", compute)
    builder.add_edge(START, "notify")
    builder.add_edge(START, "compute")
    return builder.compile(checkpointer=saver)


def test_a_resumed_step_does_not_run_a_finished_task_that_wrote_nothing(
    saver: BaseCheckpointSaver,
) -> None:
    runs = {"notify": 0, "compute": 0}
    graph = _graph(saver, runs)
    config = {"configurable": {"thread_id": "t"}}
    with pytest.raises(ConnectionError):
        graph.invoke({"x": 0}, config)
    state = graph.get_state(config)
    assert state.next == ("compute",)
    assert [(t.name, t.result) for t in state.tasks] == [("notify", {}), ("compute", None)]
    saved = saver.get_tuple(config)
    assert saved is not None
    assert (NO_WRITES, None) in [(channel, value) for _, channel, value in saved.pending_writes]
    assert graph.invoke(None, config) == {"x": 1}
    assert runs == {"notify": 1, "compute": 2}


def test_the_last_node_without_output_shows_an_empty_result_in_history(
    saver: BaseCheckpointSaver,
) -> None:
    builder = StateGraph(State)
    builder.add_node("last", lambda state: None)
    builder.add_edge(START, "last")
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "h"}}
    updates = list(graph.stream({"x": 0}, config, stream_mode="updates"))
    assert updates == [{"last": None}]
    results = [[t.result for t in s.tasks] for s in graph.get_state_history(config)]
    assert results == [[], [{}], [{"x": 0}]]
