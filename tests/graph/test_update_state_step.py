"""``update_state(as_node=)`` acts as the step that was about to run, on both drivers."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

import pytest

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.graph import END, START, StateGraph
from tests.graph.conftest import Driver


class Ticket(TypedDict):
    priority: str
    handled_by: str


def _route(state: Ticket) -> str:
    return "oncall" if state["priority"] == "high" else "queue"


def test_update_that_changes_a_route_runs_only_the_new_route(
    saver: BaseCheckpointSaver, driver: Driver
) -> None:
    builder = StateGraph(Ticket)
    builder.add_node("triage", lambda s: {"priority": "low"})
    builder.add_node("oncall", lambda s: {"handled_by": "oncall"})
    builder.add_node("queue", lambda s: {"handled_by": "queue"})
    builder.add_edge(START, "triage")
    builder.add_conditional_edges("triage", _route, ["oncall", "queue"])
    builder.add_edge("oncall", END)
    builder.add_edge("queue", END)
    app = builder.compile(checkpointer=saver, interrupt_after=["triage"])
    config: dict[str, Any] = {"configurable": {"thread_id": "route"}}
    driver.invoke(app, {"priority": "", "handled_by": ""}, config)
    assert driver.get_state(app, config).next == ("queue",)
    driver.update_state(app, config, {"priority": "high"}, as_node="triage")
    assert driver.get_state(app, config).next == ("oncall",)
    # Before the fix the stale ``queue`` ran too: two writes to handled_by raised.
    assert driver.invoke(app, None, config) == {"priority": "high", "handled_by": "oncall"}
    ran = [s.next for s in driver.history(app, config)]
    assert ("queue",) not in ran[:2]


class Log(TypedDict):
    log: Annotated[list[str], operator.add]


@pytest.mark.parametrize("as_node", ["a", "c"])
def test_update_keeps_a_full_join_waiting(
    saver: BaseCheckpointSaver, driver: Driver, as_node: str
) -> None:
    # As in LangGraph: only what lapses (a fired edge) is consumed by the update;
    # a join whose sources have all written still runs its node, even when the
    # update is as that node.
    builder = StateGraph(Log)
    for name in ("a", "b", "c"):
        builder.add_node(name, lambda s, name=name: {"log": [name]})
    builder.add_edge(START, "a")
    builder.add_edge(START, "b")
    builder.add_edge(["a", "b"], "c")
    builder.add_edge("c", END)
    app = builder.compile(checkpointer=saver, interrupt_after=["a", "b"])
    config: dict[str, Any] = {"configurable": {"thread_id": "join"}}
    assert driver.invoke(app, {"log": []}, config) == {"log": ["a", "b"]}
    driver.update_state(app, config, {"log": ["u"]}, as_node=as_node)
    assert driver.get_state(app, config).next == ("c",)
    assert driver.invoke(app, None, config) == {"log": ["a", "b", "u", "c"]}
