"""Migrations on every saver (memory, SQLite, encrypted SQLite, PostgreSQL), every durability.

The same saver writes with the old graph and reads with the new one; the
stored values are then read raw, with no graph, to see what was saved.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

import pytest

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.graph import END, START, StateGraph
from cairngraph.types import Command, interrupt
from tests.graph.conftest import Driver

CONFIG: Any = {"configurable": {"thread_id": "t1"}}


class Old(TypedDict, total=False):
    name: str
    tags: str
    secret: str
    reply: str


class New(TypedDict, total=False):
    full_name: str
    tags: Annotated[list[str], operator.add]
    reply: str


def to_new(values: dict[str, Any]) -> dict[str, Any]:
    if "name" in values:
        values["full_name"] = values.pop("name")
    if isinstance(values.get("tags"), str):
        values["tags"] = [values["tags"]]
    values.pop("secret", None)
    return values


def ask(state: Any) -> dict[str, Any]:
    answer = interrupt("ok?")
    return {"reply": f"{answer} for {state.get('full_name', state.get('name'))}"}


def graph_of(schema: Any, **keywords: Any) -> StateGraph:
    graph = StateGraph(schema, **keywords)
    graph.add_node("ask", ask)
    graph.add_node("tag", lambda state: {"tags": ["done"]} if "full_name" in state else {})
    graph.add_edge(START, "ask")
    graph.add_edge("ask", "tag")
    graph.add_edge("tag", END)
    return graph


def raw_values(saver: BaseCheckpointSaver) -> dict[str, Any]:
    found = saver.get_tuple(CONFIG)
    assert found is not None
    values = found.checkpoint.channel_values
    return {k: v for k, v in values.items() if not k.startswith(("__", "branch:", "join:"))}


@pytest.mark.parametrize("durability", ["sync", "async", "exit"])
def test_a_paused_thread_resumes_migrated_on_every_saver(
    saver: BaseCheckpointSaver, driver: Driver, durability: str
) -> None:
    old = graph_of(Old).compile(checkpointer=saver)
    driver.invoke(old, {"name": "Ada", "tags": "new", "secret": "s3cret"}, CONFIG)
    paused = raw_values(saver)
    assert paused == {"name": "Ada", "tags": "new", "secret": "s3cret"}
    app = graph_of(New, version=2, migrations={1: to_new}).compile(checkpointer=saver)
    result = driver.invoke(app, Command(resume="yes"), CONFIG, durability=durability)
    assert result == {"full_name": "Ada", "tags": ["new", "done"], "reply": "yes for Ada"}
    assert raw_values(saver) == result
    assert driver.get_state(app, CONFIG).metadata["state_version"] == 2
    stored = [snap.metadata.get("state_version") for snap in driver.history(app, CONFIG)]
    assert stored[0] == 2 and stored[-1] is None
