"""``durability="exit"`` in subgraphs: a nested run saves at its end only when it
stopped (an error or an interrupt), or when its namespace is stable
(``checkpointer=True``), as in LangGraph. On every saver and both drivers."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.graph import START, StateGraph
from cairngraph.types import Command, interrupt
from tests.graph.conftest import Driver


class Log(TypedDict):
    log: Annotated[list[str], operator.add]


def _ask(state: Log) -> dict[str, Any]:
    return {"log": [interrupt("q")]}


def _outer(saver: BaseCheckpointSaver, *, ask: bool, own: bool = False) -> Any:
    inner = StateGraph(Log)
    inner.add_node("i1", lambda s: {"log": ["i1"]})
    inner.add_edge(START, "i1")
    if ask:
        inner.add_node("ask", _ask)
        inner.add_edge("i1", "ask")
    outer = StateGraph(Log)
    outer.add_node("sub", inner.compile(checkpointer=True if own else None))
    outer.add_node("o2", lambda s: {"log": ["o2"]})
    outer.add_edge(START, "sub")
    outer.add_edge("sub", "o2")
    return outer.compile(checkpointer=saver)


def _steps_by_namespace(saver: BaseCheckpointSaver, thread: str) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for item in saver.list({"configurable": {"thread_id": thread}}):
        namespace = item.config["configurable"]["checkpoint_ns"].split(":")[0]
        found.setdefault(namespace, []).append(item.metadata["step"])
    return found


def test_a_subgraph_that_finishes_saves_nothing_at_exit(
    saver: BaseCheckpointSaver, driver: Driver
) -> None:
    app = _outer(saver, ask=False)
    config: dict[str, Any] = {"configurable": {"thread_id": "plain"}}
    assert driver.invoke(app, {"log": []}, config, durability="exit") == {"log": ["i1", "o2"]}
    assert _steps_by_namespace(saver, "plain") == {"": [2]}


def test_an_interrupted_subgraph_keeps_its_stop_after_the_resume(
    saver: BaseCheckpointSaver, driver: Driver
) -> None:
    app = _outer(saver, ask=True)
    config: dict[str, Any] = {"configurable": {"thread_id": "ask"}}
    driver.invoke(app, {"log": []}, config, durability="exit")
    assert _steps_by_namespace(saver, "ask") == {"": [0], "sub": [1]}
    result = driver.invoke(app, Command(resume="a"), config, durability="exit")
    assert result == {"log": ["i1", "a", "o2"]}
    # The resumed subgraph finished normally: its namespace still ends where it stopped.
    assert _steps_by_namespace(saver, "ask") == {"": [2, 0], "sub": [1]}


def test_a_checkpointer_true_subgraph_saves_at_exit(
    saver: BaseCheckpointSaver, driver: Driver
) -> None:
    app = _outer(saver, ask=False, own=True)
    config: dict[str, Any] = {"configurable": {"thread_id": "own"}}
    driver.invoke(app, {"log": []}, config, durability="exit")
    assert _steps_by_namespace(saver, "own") == {"": [2], "sub": [1]}
