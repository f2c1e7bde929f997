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


# -- messages, tools and subgraphs=True asked by the inner stream (each case as LangGraph 1.2.24
# shows it, checked by running the same graphs on it)


def _names(namespace: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.split(":")[0] for part in namespace)


def _chat_graphs(inner_modes: Any, inner_subgraphs: bool, seen: list[Any]) -> Any:
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    model = GenericFakeChatModel(messages=iter([AIMessage("a b")] * 20))

    class Text(TypedDict, total=False):
        text: str

    def deep(state: Text) -> dict[str, Any]:
        return {"text": model.invoke("deep").content}

    deep_graph = StateGraph(Text)
    deep_graph.add_node("deep", deep)
    deep_graph.add_edge(START, "deep")
    deep_app = deep_graph.compile()

    def ask(state: Text) -> dict[str, Any]:
        answer = model.invoke("ask").content
        deep_app.invoke({"text": ""})
        return {"text": answer}

    inner = StateGraph(Text)
    inner.add_node("ask", ask)
    inner.add_edge(START, "ask")
    inner_app = inner.compile()

    def outer_node(state: Text) -> dict[str, Any]:
        own = model.invoke("outer").content
        for chunk in inner_app.stream(
            {"text": ""}, stream_mode=inner_modes, subgraphs=inner_subgraphs
        ):
            seen.append(chunk)
        return {"text": own}

    outer = StateGraph(Text)
    outer.add_node("outer", outer_node)
    outer.add_edge(START, "outer")
    return outer.compile()


def _tokens(chunks: list[Any]) -> list[Any]:
    """(namespace, token, node) of namespaced messages chunks."""
    return [
        (_names(ns), chunk[0].content, chunk[1]["langgraph_node"])
        for ns, mode, chunk in chunks
        if mode == "messages"
    ]


def test_an_inner_messages_stream_gets_its_own_graphs_tokens() -> None:
    seen: list[Any] = []
    app = _chat_graphs(["messages", "updates"], False, seen)
    app.invoke({"text": ""})
    assert [(m, c[0].content, c[1]["langgraph_node"]) for m, c in seen if m == "messages"] == [
        ("messages", "a", "ask"),
        ("messages", " ", "ask"),
        ("messages", "b", "ask"),
    ]
    assert seen[-1] == ("updates", {"ask": {"text": "a b"}})


def test_an_inner_messages_stream_with_subgraphs_gets_the_deeper_tokens_by_namespace() -> None:
    seen: list[Any] = []
    app = _chat_graphs(["messages", "updates"], True, seen)
    app.invoke({"text": ""})
    assert _tokens(seen) == [
        (("outer",), "a", "ask"),
        (("outer",), " ", "ask"),
        (("outer",), "b", "ask"),
        (("outer", "ask"), "a", "deep"),
        (("outer", "ask"), " ", "deep"),
        (("outer", "ask"), "b", "deep"),
    ]
    updates = [(_names(ns), chunk) for ns, mode, chunk in seen if mode == "updates"]
    assert updates == [
        (("outer", "ask"), {"deep": {"text": "a b"}}),
        (("outer",), {"ask": {"text": "a b"}}),
    ]


@pytest.mark.parametrize("outer_subgraphs", [False, True])
def test_the_outer_messages_stream_sees_the_inner_tokens_once_and_only_with_subgraphs(
    outer_subgraphs: bool,
) -> None:
    app = _chat_graphs(["messages"], False, [])
    chunks = list(app.stream({"text": ""}, stream_mode=["messages"], subgraphs=outer_subgraphs))
    if not outer_subgraphs:
        assert [(c[1][0].content, c[1][1]["langgraph_node"]) for c in chunks] == [
            ("a", "outer"),
            (" ", "outer"),
            ("b", "outer"),
        ]
        return
    assert [ns for ns, _, _ in _tokens(chunks)] == [()] * 3 + [("outer",)] * 3 + [
        ("outer", "ask")
    ] * 3


def test_an_async_inner_messages_stream_inside_an_async_outer_stream() -> None:
    seen: list[Any] = []
    app = _chat_graphs(["messages"], False, seen)

    async def run() -> list[Any]:
        return [
            c async for c in app.astream({"text": ""}, stream_mode=["messages"], subgraphs=True)
        ]

    chunks = asyncio.run(run())
    assert [(m, c[0].content) for m, c in seen] == [
        ("messages", "a"),
        ("messages", " "),
        ("messages", "b"),
    ]
    assert len(_tokens(chunks)) == 9


def _tool_graphs(inner_modes: Any, seen: list[Any]) -> Any:
    from langchain_core.tools import tool

    @tool
    def shout(word: str) -> str:
        """Shout a word."""
        return word.upper()

    class Text(TypedDict, total=False):
        text: str

    def deep(state: Text) -> dict[str, Any]:
        get_stream_writer()({"deep": 1})
        return {"text": shout.invoke({"word": "deep"})}

    deep_graph = StateGraph(Text)
    deep_graph.add_node("deep", deep)
    deep_graph.add_edge(START, "deep")
    deep_app = deep_graph.compile()

    def ask(state: Text) -> dict[str, Any]:
        get_stream_writer()({"ask": 1})
        deep_app.invoke({"text": ""})
        return {"text": shout.invoke({"word": "hi"})}

    inner = StateGraph(Text)
    inner.add_node("ask", ask)
    inner.add_edge(START, "ask")
    inner_app = inner.compile()

    def outer_node(state: Text) -> dict[str, Any]:
        seen.extend(inner_app.stream({"text": ""}, stream_mode=inner_modes))
        return {"text": "done"}

    outer = StateGraph(Text)
    outer.add_node("outer", outer_node)
    outer.add_edge(START, "outer")
    return outer.compile()


def _short(chunks: list[Any]) -> list[Any]:
    out = []
    for ns, mode, chunk in chunks:
        if mode == "tools":
            chunk = chunk["event"]
        out.append((_names(ns), mode, chunk))
    return out


def test_an_inner_tools_stream_takes_its_own_graphs_tool_events() -> None:
    seen: list[Any] = []
    app = _tool_graphs(["tools", "updates"], seen)
    chunks = list(
        app.stream({"text": ""}, stream_mode=["tools", "custom", "updates"], subgraphs=True)
    )
    assert [(mode, c["event"] if mode == "tools" else c) for mode, c in seen] == [
        ("tools", "tool-started"),
        ("tools", "tool-finished"),
        ("updates", {"ask": {"text": "HI"}}),
    ]
    # The outer stream: the inner's custom chunks (it did not ask for them), every graph's
    # tool events through its own handler, once; the between-step chunks of both subgraphs.
    assert _short(chunks)[:-1] == [
        (("outer",), "custom", {"ask": 1}),
        (("outer", "ask"), "custom", {"deep": 1}),
        (("outer", "ask"), "tools", "tool-started"),
        (("outer", "ask"), "tools", "tool-finished"),
        (("outer", "ask"), "updates", {"deep": {"text": "DEEP"}}),
        (("outer",), "tools", "tool-started"),
        (("outer",), "tools", "tool-finished"),
        (("outer",), "updates", {"ask": {"text": "HI"}}),
    ]


def test_an_inner_custom_stream_keeps_the_custom_chunks_of_graphs_run_in_its_nodes() -> None:
    seen: list[Any] = []
    app = _tool_graphs(["custom", "updates"], seen)
    chunks = list(
        app.stream({"text": ""}, stream_mode=["tools", "custom", "updates"], subgraphs=True)
    )
    assert seen == [
        ("custom", {"ask": 1}),
        ("custom", {"deep": 1}),
        ("updates", {"ask": {"text": "HI"}}),
    ]
    assert not [c for c in _short(chunks) if c[1] == "custom"]
