"""A subgraph snapshot's config maps every enclosing namespace to its checkpoint id
(``checkpoint_map``), as LangGraph's does; on every saver and both drivers."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.graph import START, StateGraph
from cairngraph.types import interrupt
from tests.graph.conftest import Driver


class Log(TypedDict):
    log: Annotated[list[str], operator.add]


def _ask(state: Log) -> dict[str, Any]:
    return {"log": [interrupt("q")]}


def test_subgraph_snapshot_config_has_the_checkpoint_map(
    saver: BaseCheckpointSaver, driver: Driver
) -> None:
    inner = StateGraph(Log)
    inner.add_node("i", lambda s: {"log": ["i"]})
    inner.add_node("ask", _ask)
    inner.add_edge(START, "i")
    inner.add_edge("i", "ask")
    outer = StateGraph(Log)
    outer.add_node("sub", inner.compile())
    outer.add_edge(START, "sub")
    app = outer.compile(checkpointer=saver)
    config: dict[str, Any] = {"configurable": {"thread_id": "map"}}
    driver.invoke(app, {"log": []}, config)
    root = driver.get_state(app, config, subgraphs=True)
    assert "checkpoint_map" not in root.config["configurable"]
    sub = root.tasks[0].state
    own = sub.config["configurable"]
    assert own["checkpoint_map"] == {
        "": root.config["configurable"]["checkpoint_id"],
        own["checkpoint_ns"]: own["checkpoint_id"],
    }
    parent = sub.parent_config["configurable"]
    assert parent["checkpoint_map"] == {
        **own["checkpoint_map"],
        parent["checkpoint_ns"]: parent["checkpoint_id"],
    }
    # The config still names that checkpoint.
    again = driver.get_state(app, sub.config)
    assert again.values == sub.values and again.config == sub.config
