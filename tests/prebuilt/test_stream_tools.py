"""``stream_mode="tools"``, ``ToolRuntime.emit_output_delta`` and ``server_info``."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import tool

from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.engine._stream import graph_namespace
from cairngraph.errors import InvalidConfigError
from cairngraph.func import entrypoint, task
from cairngraph.graph import START, MessagesState, StateGraph
from cairngraph.prebuilt import ToolNode, ToolRuntime, create_react_agent
from cairngraph.runtime import Runtime, ServerInfo
from cairngraph.types import Command, interrupt
from tests.prebuilt.scripted import ScriptedChatModel, calls

Stream = Callable[..., list[Any]]


@pytest.fixture(params=["sync", "async"])
def stream(request: pytest.FixtureRequest) -> Stream:
    """``stream(graph, input, config=None, **options)``: every chunk, through one driver."""

    def collect(graph: Any, value: Any, config: Any = None, **options: Any) -> list[Any]:
        if request.param == "sync":
            return list(graph.stream(value, config, **options))

        async def gather() -> list[Any]:
            return [chunk async for chunk in graph.astream(value, config, **options)]

        return asyncio.run(gather())

    return collect


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@tool
def report(topic: str, runtime: ToolRuntime) -> str:
    """Write a report in parts."""
    runtime.emit_output_delta(f"{topic}:1")
    runtime.emit_output_delta(f"{topic}:2")
    return f"report {topic}"


@tool
def divide(a: int, b: int) -> float:
    """Divide a by b."""
    return a / b


def tool_graph(message: AIMessage, node: ToolNode, **compile_options: Any) -> Any:
    """A graph whose model node asks for ``message``'s calls once, then its ToolNode runs."""
    builder = StateGraph(MessagesState)
    builder.add_node("model", lambda state: {"messages": [message]})
    builder.add_node("tools", node)
    builder.add_edge(START, "model")
    builder.add_edge("model", "tools")
    return builder.compile(**compile_options)


def plain(chunk: dict[str, Any]) -> dict[str, Any]:
    """A chunk with a ToolMessage output shown as its content."""
    output = chunk.get("output")
    if isinstance(output, ToolMessage):
        return {**chunk, "output": output.content}
    return chunk


def test_a_tool_call_streams_its_start_deltas_and_end(stream: Stream) -> None:
    graph = tool_graph(calls(("report", {"topic": "owls"})), ToolNode([report]))
    chunks = stream(graph, {"messages": []}, stream_mode="tools")
    assert [plain(chunk) for chunk in chunks] == [
        {
            "event": "tool-started",
            "tool_call_id": "c0",
            "tool_name": "report",
            "input": {"topic": "owls"},
        },
        {"event": "tool-output-delta", "tool_call_id": "c0", "delta": "owls:1"},
        {"event": "tool-output-delta", "tool_call_id": "c0", "delta": "owls:2"},
        {"event": "tool-finished", "tool_call_id": "c0", "output": "report owls"},
    ]


def test_a_failing_tool_streams_its_error_even_when_the_node_answers_it(stream: Stream) -> None:
    node = ToolNode([divide], handle_tool_errors=True)
    graph = tool_graph(calls(("divide", {"a": 1, "b": 0})), node)
    chunks = stream(graph, {"messages": []}, stream_mode=["tools", "updates"])
    assert [chunk for mode, chunk in chunks if mode == "tools"][-1] == {
        "event": "tool-error",
        "tool_call_id": "c0",
        "message": "division by zero",
    }
    # The tool chunks come while the step runs, before the step's updates.
    assert [mode for mode, _ in chunks] == ["updates", "tools", "tools", "updates"]


def test_parallel_calls_keep_their_deltas_apart(stream: Stream) -> None:
    message = calls(*(("report", {"topic": f"t{i}"}) for i in range(4)))
    graph = tool_graph(message, ToolNode([report]))
    chunks = stream(graph, {"messages": []}, stream_mode="tools")
    deltas = [chunk for chunk in chunks if chunk["event"] == "tool-output-delta"]
    assert len(deltas) == 8
    for chunk in deltas:
        assert chunk["delta"].startswith(f"t{chunk['tool_call_id'][1:]}:")
    finished = {chunk["tool_call_id"] for chunk in chunks if chunk["event"] == "tool-finished"}
    assert finished == {"c0", "c1", "c2", "c3"}


def test_without_the_mode_a_delta_is_a_no_op(stream: Stream) -> None:
    graph = tool_graph(calls(("report", {"topic": "x"})), ToolNode([report]))
    chunks = stream(graph, {"messages": []}, stream_mode=["updates", "custom", "messages"])
    assert "tools" not in {mode for mode, _ in chunks}
    assert not [chunk for mode, chunk in chunks if mode == "custom"]
    runtime = ToolRuntime(
        state={}, context=None, config={}, stream_writer=print, tool_call_id="c", store=None
    )
    runtime.emit_output_delta("nobody listens")  # outside any run: nothing happens


def test_a_subgraphs_tools_stream_only_with_subgraphs(stream: Stream) -> None:
    inner = tool_graph(calls(("add", {"a": 1, "b": 2})), ToolNode([add]))
    builder = StateGraph(MessagesState)
    builder.add_node("inner", inner)
    builder.add_edge(START, "inner")
    graph = builder.compile()
    assert stream(graph, {"messages": []}, stream_mode="tools") == []
    chunks = stream(graph, {"messages": []}, stream_mode=["tools"], subgraphs=True)
    assert [(ns[0].split(":")[0], mode, chunk["event"]) for ns, mode, chunk in chunks] == [
        ("inner", "tools", "tool-started"),
        ("inner", "tools", "tool-finished"),
    ]
    parts = stream(graph, {"messages": []}, stream_mode="tools", subgraphs=True, version="v2")
    assert [(part["type"], len(part["ns"])) for part in parts] == [("tools", 1), ("tools", 1)]


def test_tools_a_node_or_a_task_calls_belong_to_their_graph(stream: Stream) -> None:
    @task
    def double(x: int) -> int:
        return add.invoke({"a": x, "b": x})

    @entrypoint()
    def workflow(x: int) -> int:
        return double(add.invoke({"a": x, "b": 1})).result()

    chunks = stream(workflow, 3, stream_mode="tools", subgraphs=True)
    assert [(ns, chunk["event"], chunk.get("output")) for ns, chunk in chunks] == [
        ((), "tool-started", None),
        ((), "tool-finished", 4),
        ((), "tool-started", None),
        ((), "tool-finished", 8),
    ]
    started = [chunk for _, chunk in chunks if chunk["event"] == "tool-started"]
    assert started[0]["input"] == {"a": 3, "b": 1}
    # Called without a tool call: the id is the callback run's, the same at start and end.
    assert chunks[0][1]["tool_call_id"] == chunks[1][1]["tool_call_id"] != "None"


def test_a_nostream_tool_and_a_string_input() -> None:
    @tool
    def shout(text: str) -> str:
        """Upper-case."""
        return text.upper()

    def node(state: MessagesState) -> dict[str, Any]:
        shout.invoke("hi")
        shout.invoke("hidden", {"tags": ["nostream"]})
        return {}

    builder = StateGraph(MessagesState)
    builder.add_node("node", node)
    builder.add_edge(START, "node")
    chunks = list(builder.compile().stream({"messages": []}, stream_mode="tools"))
    assert [(chunk["event"], "input" in chunk) for chunk in chunks] == [
        ("tool-started", False),
        ("tool-finished", False),
    ]
    assert chunks[1]["output"] == "HI"


def test_an_interrupted_tool_reports_no_error_and_starts_again() -> None:
    @tool
    def ask(question: str) -> str:
        """Ask a human."""
        return f"answer: {interrupt(question)}"

    graph = tool_graph(
        calls(("ask", {"question": "ok?"})), ToolNode([ask]), checkpointer=InMemorySaver()
    )
    config = {"configurable": {"thread_id": "t"}}
    first = list(graph.stream({"messages": []}, config, stream_mode="tools"))
    assert [chunk["event"] for chunk in first] == ["tool-started"]
    second = list(graph.stream(Command(resume="yes"), config, stream_mode="tools"))
    assert [plain(chunk)["event"] for chunk in second] == ["tool-started", "tool-finished"]
    assert plain(second[1])["output"] == "answer: yes"


def test_an_agent_streams_tools_with_other_modes(stream: Stream) -> None:
    model = ScriptedChatModel(
        script=[calls(("add", {"a": 2, "b": 3})), AIMessage("five", id="ai-2")]
    )
    agent = create_react_agent(model, [add])
    chunks = stream(agent, {"messages": [("user", "2+3?")]}, stream_mode=["updates", "tools"])
    assert [
        (mode, next(iter(chunk)) if mode == "updates" else chunk["event"]) for mode, chunk in chunks
    ] == [
        ("updates", "agent"),
        ("tools", "tool-started"),
        ("tools", "tool-finished"),
        ("updates", "tools"),
        ("updates", "agent"),
    ]


def test_print_mode_tools_prints_the_chunks(capsys: pytest.CaptureFixture[str]) -> None:
    graph = tool_graph(calls(("add", {"a": 1, "b": 1})), ToolNode([add]))
    assert list(graph.stream({"messages": []}, stream_mode="updates", print_mode="tools"))
    printed = capsys.readouterr().out
    assert printed.count("[tools]") == 2
    assert "'tool-started'" in printed


def test_a_misspelt_mode_is_still_refused() -> None:
    graph = tool_graph(calls(("add", {"a": 1, "b": 1})), ToolNode([add]))
    with pytest.raises(InvalidConfigError, match=r"'tool' is not a stream mode.*tools"):
        list(graph.stream({"messages": []}, stream_mode=["updates", "tool"]))


def test_graph_namespace_drops_a_task_calls_segments() -> None:
    assert graph_namespace("a:1|b:2", ("__pregel_pull", "b")) == ("a:1",)
    call_path = ("__pregel_push", ("__pregel_push", ("__pregel_pull", "main"), 0), 1)
    assert graph_namespace("main:1|t:2|u:3", call_path) == ()
    assert graph_namespace("s:1|w:2", ("__pregel_push", 0, False)) == ("s:1",)
    assert graph_namespace("s:1|h:2", ("__pregel_push", "node_error_handler", "x")) == ("s:1",)


def test_server_info_comes_from_the_configurable(stream: Stream) -> None:
    seen: list[Any] = []
    lock = threading.Lock()

    @tool
    def where(runtime: ToolRuntime) -> str:
        """Which server runs this."""
        with lock:
            seen.append(("tool", runtime.server_info))
        return "here"

    def model(state: MessagesState, runtime: Runtime[Any]) -> dict[str, Any]:
        seen.append(("node", runtime.server_info))
        return {"messages": [calls(("where", {}))]}

    builder = StateGraph(MessagesState)
    builder.add_node("model", model)
    builder.add_node("tools", ToolNode([where]))
    builder.add_edge(START, "model")
    builder.add_edge("model", "tools")
    graph = builder.compile()

    stream(graph, {"messages": []})
    assert seen == [("node", None), ("tool", None)]
    seen.clear()

    class User:
        identity = "ada"

    user = User()
    config = {"configurable": {"assistant_id": 7, "langgraph_auth_user": user}}
    stream(graph, {"messages": []}, config)
    info = ServerInfo(assistant_id="7", graph_id="", user=user)
    assert seen == [("node", info), ("tool", info)]
    # A user without an identity is not taken for one.
    assert ServerInfo.from_configurable({"langgraph_auth_user": {"identity": "x"}}) is None
