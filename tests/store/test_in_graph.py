"""A compiled graph hands its store to nodes: the ``store`` parameter, ``runtime.store`` and
``get_store()``, on the sync and async drivers."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TypedDict

from cairngraph.config import get_store
from cairngraph.graph import START, StateGraph
from cairngraph.runtime import Runtime
from cairngraph.store.base import BaseStore
from cairngraph.store.sqlite import SqliteStore


class State(TypedDict):
    user: str
    seen: list[str]


def remember(state: State, store: BaseStore) -> dict[str, object]:
    store.put(("memories", state["user"]), str(len(store.search(("memories",)))), {"v": 1})
    return {}


def recall(state: State, runtime: Runtime) -> dict[str, object]:
    assert runtime.store is get_store()
    found = runtime.store.search(("memories", state["user"]))
    return {"seen": sorted(hit.key for hit in found)}


def build(store: BaseStore):  # type: ignore[no-untyped-def]
    builder = StateGraph(State)
    builder.add_node("remember", remember)
    builder.add_node("recall", recall)
    builder.add_edge(START, "remember")
    builder.add_edge("remember", "recall")
    return builder.compile(store=store)


def test_nodes_get_the_store(tmp_path: Path) -> None:
    with SqliteStore.from_conn_string(tmp_path / "m.db") as store:
        graph = build(store)
        assert graph.invoke({"user": "ann", "seen": []})["seen"] == ["0"]
        assert graph.invoke({"user": "ann", "seen": []})["seen"] == ["0", "1"]
        assert asyncio.run(graph.ainvoke({"user": "bo", "seen": []}))["seen"] == ["2"]
    with SqliteStore.from_conn_string(tmp_path / "m.db") as store:
        assert store.list_namespaces() == [("memories", "ann"), ("memories", "bo")]
