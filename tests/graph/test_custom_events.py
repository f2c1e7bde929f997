"""langchain-core's custom events dispatched inside a node reach the run's handlers.

As in LangGraph, each node runs as a child run (its task is the parent run id),
so ``adispatch_custom_event``/``dispatch_custom_event`` work inside it, with or
without ``config`` passed, and without any handler they do nothing.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypedDict

from langchain_core.callbacks import (
    AsyncCallbackHandler,
    BaseCallbackHandler,
    adispatch_custom_event,
    dispatch_custom_event,
)

from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.graph import START, StateGraph


class State(TypedDict):
    x: int


class Recorder(AsyncCallbackHandler):
    def __init__(self) -> None:
        self.seen: list[tuple[str, Any, str, Any]] = []

    async def on_custom_event(self, name: str, data: Any, **kwargs: Any) -> None:
        metadata = kwargs.get("metadata") or {}
        self.seen.append((name, data, metadata.get("langgraph_node"), kwargs["run_id"]))


class SyncRecorder(BaseCallbackHandler):
    def __init__(self) -> None:
        self.seen: list[tuple[str, Any]] = []

    def on_custom_event(self, name: str, data: Any, **kwargs: Any) -> None:
        self.seen.append((name, data))


def test_async_custom_events_reach_the_handlers() -> None:
    async def fetch(state: State, config: Any) -> dict[str, Any]:
        await adispatch_custom_event("progress", {"pct": 50}, config=config)
        await adispatch_custom_event("progress", {"pct": 100})
        return {"x": state["x"] + 1}

    graph = StateGraph(State)
    graph.add_node("fetch", fetch)
    graph.add_edge(START, "fetch")
    app = graph.compile(checkpointer=InMemorySaver())
    recorder = Recorder()
    config = {"configurable": {"thread_id": "t"}, "callbacks": [recorder]}
    assert asyncio.run(app.ainvoke({"x": 1}, config)) == {"x": 2}
    assert [(name, data, node) for name, data, node, _ in recorder.seen] == [
        ("progress", {"pct": 50}, "fetch"),
        ("progress", {"pct": 100}, "fetch"),
    ]
    # No handler: nothing to deliver, and no error.
    assert asyncio.run(app.ainvoke({"x": 5}, {"configurable": {"thread_id": "u"}})) == {"x": 6}


def test_sync_custom_events_reach_the_handlers() -> None:
    def count(state: State) -> dict[str, Any]:
        dispatch_custom_event("counted", {"x": state["x"]})
        return {"x": state["x"] * 10}

    graph = StateGraph(State)
    graph.add_node("count", count)
    graph.add_edge(START, "count")
    app = graph.compile()
    recorder = SyncRecorder()
    assert app.invoke({"x": 3}, {"callbacks": [recorder]}) == {"x": 30}
    assert recorder.seen == [("counted", {"x": 3})]
    assert app.invoke({"x": 4}) == {"x": 40}
