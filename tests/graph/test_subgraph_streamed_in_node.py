"""A graph streamed inside a node (``sub.stream(...)`` in the node's function), as in
LangGraph: a call that streams ``custom`` takes its own custom chunks (the outer stream
never sees them); an outer ``subgraphs=True`` stream gets its between-step chunks under
its namespace. A subgraph invoked inside a node still hands its custom chunks up."""

from __future__ import annotations

import asyncio
from typing import Any, TypedDict

import pytest

from cairngraph.config import get_stream_writer
from cairngraph.graph import START, StateGraph


class State(TypedDict):
    x: int


def _inner() -> Any:
    def research(state: State) -> dict[str, Any]:
        get_stream_writer()({"progress": state["x"]})
        return {"x": state["x"] + 1}

    graph = StateGraph(State)
    graph.add_node("research", research)
    graph.add_edge(START, "research")
    return graph.compile()


def _outer(inner: Any, seen: list[Any], how: str) -> Any:
    def supervisor(state: State) -> dict[str, Any]:
        if how == "invoke":
            return {"x": inner.invoke(state)["x"] * 10}
        result = 0
        for mode, chunk in inner.stream(state, stream_mode=["custom", "updates"]):
            seen.append((mode, chunk))
            if mode == "updates":
                result = chunk["research"]["x"]
        return {"x": result * 10}

    async def asupervisor(state: State) -> dict[str, Any]:
        result = 0
        async for mode, chunk in inner.astream(state, stream_mode=["custom", "updates"]):
            seen.append((mode, chunk))
            if mode == "updates":
                result = chunk["research"]["x"]
        return {"x": result * 10}

    graph = StateGraph(State)
    graph.add_node("supervisor", asupervisor if how == "astream" else supervisor)
    graph.add_edge(START, "supervisor")
    return graph.compile()


INNER_CHUNKS = [("custom", {"progress": 1}), ("updates", {"research": {"x": 2}})]


@pytest.mark.parametrize("subgraphs", [False, True])
def test_the_inner_stream_takes_its_own_custom_chunks(subgraphs: bool) -> None:
    seen: list[Any] = []
    app = _outer(_inner(), seen, "stream")
    chunks = list(app.stream({"x": 1}, stream_mode=["custom", "updates"], subgraphs=subgraphs))
    assert seen == INNER_CHUNKS
    if not subgraphs:
        assert chunks == [("updates", {"supervisor": {"x": 20}})]
        return
    (inner_ns, mode, update), outer = chunks
    assert inner_ns[0].startswith("supervisor:") and (mode, update) == INNER_CHUNKS[1]
    assert outer == ((), "updates", {"supervisor": {"x": 20}})


def test_an_async_inner_stream_takes_its_own_custom_chunks() -> None:
    seen: list[Any] = []
    app = _outer(_inner(), seen, "astream")

    async def run() -> list[Any]:
        return [
            chunk
            async for chunk in app.astream(
                {"x": 1}, stream_mode=["custom", "updates"], subgraphs=True
            )
        ]

    chunks = asyncio.run(run())
    assert seen == INNER_CHUNKS
    assert [(mode, chunk) for _, mode, chunk in chunks] == [
        INNER_CHUNKS[1],
        ("updates", {"supervisor": {"x": 20}}),
    ]


def test_an_invoked_subgraph_still_hands_its_custom_chunks_up() -> None:
    app = _outer(_inner(), [], "invoke")
    chunks = list(app.stream({"x": 1}, stream_mode=["custom", "updates"], subgraphs=True))
    assert [(mode, chunk) for _, mode, chunk in chunks] == [
        ("custom", {"progress": 1}),
        ("updates", {"research": {"x": 2}}),
        ("updates", {"supervisor": {"x": 20}}),
    ]
