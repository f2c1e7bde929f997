"""Runs reported to langchain-core callbacks, and ``astream_events``.

The graph's run, a run per node attempt (``graph:step:N``), a run per router
(``seq:step:N``), and what nodes call as their children: the shape LangGraph
gives (checked side by side in tests/compat/programs/events/).
"""

from __future__ import annotations

import asyncio
import operator
from typing import Annotated, Any
from uuid import UUID, uuid4

import pytest
from langchain_core.callbacks import (
    BaseCallbackHandler,
    adispatch_custom_event,
    dispatch_custom_event,
)
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from typing_extensions import TypedDict

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.engine import _trace
from cairngraph.errors import InvalidConfigError
from cairngraph.func import entrypoint, task
from cairngraph.graph import END, START, StateGraph
from cairngraph.types import Command, RetryPolicy, interrupt


class State(TypedDict):
    items: Annotated[list[Any], operator.add]


class Recorder(BaseCallbackHandler):
    """Every chain run: (event, name, tags, run, parent, node) with readable run numbers."""

    def __init__(self) -> None:
        self.seen: list[tuple[Any, ...]] = []
        self.numbers: dict[UUID, int] = {}

    def _n(self, run_id: UUID | None) -> int | None:
        if run_id is None:
            return None
        return self.numbers.setdefault(run_id, len(self.numbers))

    def on_chain_start(
        self,
        serialized: Any,
        inputs: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        node = (metadata or {}).get("langgraph_node")
        self.seen.append(
            ("start", kwargs.get("name"), tags, self._n(run_id), self._n(parent_run_id), node)
        )

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self.seen.append(("end", self._n(run_id), outputs))

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self.seen.append(("error", self._n(run_id), type(error).__name__))


def _routed_graph() -> StateGraph:
    def first(state: State) -> dict[str, Any]:
        return {"items": ["first"]}

    def second(state: State) -> dict[str, Any]:
        return {"items": ["second"]}

    def route(state: State) -> str:
        return "second"

    builder = StateGraph(State)
    builder.add_node("first", first)
    builder.add_node("second", second)
    builder.add_conditional_edges(START, lambda state: "first")
    builder.add_conditional_edges("first", route)
    builder.add_edge("second", END)
    return builder


def test_a_sync_run_reports_the_graph_nodes_and_routers() -> None:
    recorder = Recorder()
    graph = _routed_graph().compile()

    result = graph.invoke({"items": []}, {"callbacks": [recorder], "tags": ["mine"]})

    assert result == {"items": ["first", "second"]}
    assert recorder.seen == [
        ("start", "LangGraph", ["mine"], 0, None, None),
        ("start", "__start__", ["graph:step:0", "mine", "langsmith:hidden"], 1, 0, "__start__"),
        ("start", None, ["seq:step:2", "mine", "langsmith:hidden"], 2, 1, "__start__"),
        ("end", 2, "first"),
        ("end", 1, {"items": []}),
        ("start", "first", ["graph:step:1", "mine"], 3, 0, "first"),
        ("start", "route", ["seq:step:3", "mine"], 4, 3, "first"),
        ("end", 4, "second"),
        ("end", 3, {"items": ["first"]}),
        ("start", "second", ["graph:step:2", "mine"], 5, 0, "second"),
        ("end", 5, {"items": ["second"]}),
        ("end", 0, {"items": ["first", "second"]}),
    ]


def test_a_start_without_routers_is_no_run() -> None:
    def only(state: State) -> dict[str, Any]:
        return {"items": [1]}

    builder = StateGraph(State)
    builder.add_node("only", only)
    builder.add_edge(START, "only")
    recorder = Recorder()

    builder.compile(name="mine").invoke({"items": []}, {"callbacks": [recorder]})

    assert [entry[1] for entry in recorder.seen if entry[0] == "start"] == ["mine", "only"]


def test_each_attempt_is_a_run_and_errors_and_interrupts_end_them() -> None:
    attempts = {"n": 0}

    def flaky(state: State) -> dict[str, Any]:
        attempts["n"] += 1
        if attempts["n"] == 1:
            raise ConnectionError("once")
        return {"items": ["flaky"]}

    def ask(state: State) -> dict[str, Any]:
        return {"items": [interrupt("ok?")]}

    builder = StateGraph(State)
    builder.add_node("flaky", flaky, retry_policy=RetryPolicy(initial_interval=0, jitter=False))
    builder.add_node("ask", ask)
    builder.add_edge(START, "flaky")
    builder.add_edge("flaky", "ask")
    from cairngraph.checkpoint.memory import InMemorySaver

    graph = builder.compile(checkpointer=InMemorySaver())
    recorder = Recorder()
    config: dict[str, Any] = {"configurable": {"thread_id": "t"}, "callbacks": [recorder]}

    graph.invoke({"items": []}, config)

    assert [entry for entry in recorder.seen if entry[0] != "start"] == [
        ("error", 1, "ConnectionError"),
        ("end", 2, {"items": ["flaky"]}),
        ("error", 3, "GraphInterrupt"),
        ("end", 0, {"items": ["flaky"]}),
    ]
    assert [entry[1] for entry in recorder.seen if entry[0] == "start"] == [
        "LangGraph",
        "flaky",
        "flaky",
        "ask",
    ]


def test_the_config_run_id_and_name_are_the_graphs_only() -> None:
    seen: list[tuple[Any, ...]] = []

    class Names(BaseCallbackHandler):
        def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            seen.append((kwargs.get("name"), kwargs["run_id"]))

        def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
            seen.append(("model", kwargs["run_id"], kwargs.get("name")))

    model = GenericFakeChatModel(messages=iter([AIMessage(content="hi")]))

    def talk(state: State) -> dict[str, Any]:
        return {"items": [model.invoke("hello").content]}

    builder = StateGraph(State)
    builder.add_node("talk", talk)
    builder.add_edge(START, "talk")
    run_id = uuid4()

    builder.compile().invoke(
        {"items": []}, {"callbacks": [Names()], "run_id": run_id, "run_name": "named"}
    )

    assert seen[0] == ("named", run_id)
    assert seen[1][0] == "talk"
    assert seen[1][1] != run_id
    assert seen[2][0] == "model"
    assert seen[2][1] not in (run_id, seen[1][1])
    assert seen[2][2] is None


def test_what_a_node_calls_is_a_child_of_the_node_run() -> None:
    parents: dict[str, UUID | None] = {}
    runs: dict[str, UUID] = {}

    class Tree(BaseCallbackHandler):
        def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> None:
            runs[kwargs.get("name") or "?"] = kwargs["run_id"]
            parents[kwargs.get("name") or "?"] = kwargs.get("parent_run_id")

        def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
            parents["model"] = kwargs.get("parent_run_id")

    model = GenericFakeChatModel(messages=iter([AIMessage(content="a"), AIMessage(content="b")]))

    def inner_node(state: State) -> dict[str, Any]:
        # No config passed: the node's config is langchain-core's current one.
        return {"items": [model.invoke("x").content]}

    inner_builder = StateGraph(State)
    inner_builder.add_node("inner_node", inner_node)
    inner_builder.add_edge(START, "inner_node")
    inner = inner_builder.compile(name="inner")

    def outer(state: State) -> dict[str, Any]:
        return {"items": inner.invoke({"items": []})["items"]}

    builder = StateGraph(State)
    builder.add_node("outer", outer)
    builder.add_edge(START, "outer")

    builder.compile(name="top").invoke({"items": []}, {"callbacks": [Tree()]})

    assert parents["top"] is None
    assert parents["outer"] == runs["top"]
    assert parents["inner"] == runs["outer"]
    assert parents["inner_node"] == runs["inner"]
    assert parents["model"] == runs["inner_node"]


def test_without_callbacks_nothing_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LANGSMITH_TRACING", "LANGSMITH_TRACING_V2", "LANGCHAIN_TRACING_V2"):
        monkeypatch.delenv(name, raising=False)
    assert not _trace.wanted({})
    assert not _trace.wanted({"callbacks": []})
    assert _trace.wanted({"callbacks": [Recorder()]})
    monkeypatch.setenv("LANGSMITH_TRACING", "true")
    assert _trace.wanted({})


def _events_graph(saver: BaseCheckpointSaver | None = None) -> Any:
    model = GenericFakeChatModel(messages=iter([AIMessage(content="one two")]))

    async def speak(state: State) -> dict[str, Any]:
        await adispatch_custom_event("said", {"step": "speak"})
        reply = await model.ainvoke("go")
        return {"items": [reply.content]}

    def note(state: State) -> dict[str, Any]:
        dispatch_custom_event("noted", {"count": len(state["items"])})
        return {"items": ["noted"]}

    builder = StateGraph(State)
    builder.add_node("speak", speak)
    builder.add_node("note", note)
    builder.add_edge(START, "speak")
    builder.add_edge("speak", "note")
    return builder.compile(checkpointer=saver)


def test_astream_events_gives_tokens_custom_events_and_chain_runs(
    saver: BaseCheckpointSaver,
) -> None:
    graph = _events_graph(saver)

    async def collect() -> list[dict[str, Any]]:
        config = {"configurable": {"thread_id": "events"}}
        return [event async for event in graph.astream_events({"items": []}, config)]

    events = asyncio.run(collect())

    kinds = [(event["event"], event["name"]) for event in events]
    assert kinds[0] == ("on_chain_start", "LangGraph")
    assert kinds[-1] == ("on_chain_end", "LangGraph")
    assert events[-1]["data"]["output"] == {"items": ["one two", "noted"]}
    tokens = [e["data"]["chunk"].content for e in events if e["event"] == "on_chat_model_stream"]
    assert tokens == ["one", " ", "two"]
    custom = [
        (e["name"], e["data"], e["metadata"]["langgraph_node"])
        for e in events
        if e["event"] == "on_custom_event"
    ]
    assert custom == [("said", {"step": "speak"}, "speak"), ("noted", {"count": 1}, "note")]
    streamed = [
        e["data"]["chunk"]
        for e in events
        if e["event"] == "on_chain_stream" and not e["parent_ids"]
    ]
    assert streamed == [{"speak": {"items": ["one two"]}}, {"note": {"items": ["noted"]}}]
    node_streams = [
        e["name"] for e in events if e["event"] == "on_chain_stream" and len(e["parent_ids"]) == 1
    ]
    assert node_streams == ["speak", "note"]


def test_astream_events_refuses_v1_and_typos() -> None:
    graph = _events_graph()

    async def run(**kwargs: Any) -> None:
        async for _ in graph.astream_events({"items": []}, **kwargs):
            pass

    with pytest.raises(InvalidConfigError, match="version='v2'"):
        asyncio.run(run(version="v1"))
    with pytest.raises(TypeError, match="stream_mod"):
        asyncio.run(run(version="v2", stream_mod="values"))


def test_astream_events_through_an_interrupt_and_resume(saver: BaseCheckpointSaver) -> None:
    def ask(state: State) -> dict[str, Any]:
        return {"items": [interrupt("name?")]}

    builder = StateGraph(State)
    builder.add_node("ask", ask)
    builder.add_edge(START, "ask")
    graph = builder.compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "hitl"}}

    async def events(value: Any) -> list[dict[str, Any]]:
        return [event async for event in graph.astream_events(value, config, version="v2")]

    first = asyncio.run(events({"items": []}))
    second = asyncio.run(events(Command(resume="ann")))

    paused = next(
        e["data"]["chunk"] for e in first if e["event"] == "on_chain_stream" and not e["parent_ids"]
    )
    assert paused["__interrupt__"][0].value == "name?"
    assert first[-1]["data"]["output"] == {"items": []}
    assert second[0]["data"]["input"] == Command(resume="ann")
    assert second[-1]["data"]["output"] == {"items": ["ann"]}


def test_task_calls_are_children_of_the_entrypoint_run() -> None:
    @task
    async def add(value: int, by: int = 1) -> int:
        return value + by

    @entrypoint()
    async def workflow(value: int) -> int:
        return await add(value, by=2)

    async def collect() -> list[dict[str, Any]]:
        return [event async for event in workflow.astream_events(3, version="v2")]

    events = asyncio.run(collect())
    starts = [
        (e["name"], e["tags"], e["data"].get("input"), len(e["parent_ids"]))
        for e in events
        if e["event"] == "on_chain_start"
    ]

    assert starts == [
        ("LangGraph", [], 3, 0),
        ("workflow", ["graph:step:0"], 3, 1),
        ("add", ["seq:step:1"], {"value": 3, "by": 2}, 2),
    ]
    assert workflow.get_name() == "LangGraph"


def test_command_repr_shows_only_what_is_set() -> None:
    assert repr(Command(resume="yes")) == "Command(resume='yes')"
    assert repr(Command(update={"a": 1}, goto="b")) == "Command(update={'a': 1}, goto='b')"
    assert repr(Command()) == "Command()"


def test_command_repr_of_a_value_that_cannot_be_copied() -> None:
    import threading

    lock = threading.Lock()
    assert repr(Command(update={"lock": lock})) == f"Command(update={{'lock': {lock!r}}})"
