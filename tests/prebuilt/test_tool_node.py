"""ToolNode: input shapes, parallel calls, error handling, injection, Commands."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Annotated, Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import InjectedToolCallId, tool

from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.graph import START, MessagesState, StateGraph
from cairngraph.prebuilt import InjectedState, InjectedStore, ToolNode, ToolRuntime, tools_condition
from cairngraph.prebuilt._tool_errors import ToolNodeInputError
from cairngraph.types import Command, Send, interrupt
from tests.prebuilt.scripted import calls


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@tool
def divide(a: int, b: int) -> float:
    """Divide a by b."""
    return a / b


def in_graph(node: ToolNode, **compile_options: Any) -> Any:
    builder = StateGraph(MessagesState)
    builder.add_node("tools", node)
    builder.add_edge(START, "tools")
    return builder.compile(**compile_options)


def answers(result: Any) -> list[tuple[str, Any, str]]:
    messages = result["messages"] if isinstance(result, dict) else result
    return [(m.tool_call_id, m.content, m.status) for m in messages if isinstance(m, ToolMessage)]


def test_answers_every_call_in_order_for_each_input_shape() -> None:
    node = ToolNode([add, divide])
    message = calls(("add", {"a": 1, "b": 2}), ("divide", {"a": 6, "b": 3}))
    expected = [("c0", "3", "success"), ("c1", "2.0", "success")]
    assert answers(node.invoke({"messages": [message]})) == expected
    assert answers(node.invoke([HumanMessage("hi"), message])) == expected
    assert isinstance(node.invoke([message]), list)
    tool_calls = [{**call, "type": "tool_call"} for call in message.tool_calls]
    assert answers(node.invoke(tool_calls)) == expected
    single = {"__type": "tool_call_with_context", "tool_call": tool_calls[1], "state": {}}
    assert answers(node.invoke(single)) == [("c1", "2.0", "success")]


def test_messages_key_and_errors_for_input_without_an_ai_message() -> None:
    node = ToolNode([add], messages_key="chat")
    assert answers(node.invoke({"chat": [calls(("add", {"a": 2, "b": 2}))]})["chat"]) == [
        ("c0", "4", "success")
    ]
    with pytest.raises(ToolNodeInputError, match="No message found in input"):
        node.invoke({"messages": [calls(("add", {"a": 2, "b": 2}))]})
    with pytest.raises(ValueError, match="No AIMessage found in input"):
        node.invoke({"chat": [HumanMessage("hi")]})


def test_sync_calls_run_in_parallel_threads() -> None:
    barrier = threading.Barrier(3, timeout=5)

    @tool
    def meet(n: int) -> str:
        """Wait until all three calls are running."""
        barrier.wait()
        return threading.current_thread().name

    node = ToolNode([meet])
    result = node.invoke({"messages": [calls(*[("meet", {"n": i}) for i in range(3)])]})
    assert len({m.content for m in result["messages"]}) == 3


def test_tools_that_run_tool_nodes_themselves_finish() -> None:
    inner = ToolNode([add])

    @tool
    def fan(n: int) -> str:
        """Run eight additions through a ToolNode of its own."""
        result = inner.invoke({"messages": [calls(*[("add", {"a": n, "b": i}) for i in range(8)])]})
        return ",".join(m.content for m in result["messages"])

    outer = ToolNode([fan])
    result = outer.invoke({"messages": [calls(*[("fan", {"n": n}) for n in range(12)])]})
    assert [m.content for m in result["messages"]][11] == ",".join(str(11 + i) for i in range(8))


def test_async_calls_run_concurrently() -> None:
    arrived: list[int] = []

    @tool
    async def gather_point(n: int) -> str:
        """Finish only once every call has started."""
        arrived.append(n)
        while len(arrived) < 3:
            await asyncio.sleep(0.001)
        return f"done {n}"

    node = ToolNode([gather_point])
    message = calls(*[("gather_point", {"n": i}) for i in range(3)])
    result = asyncio.run(asyncio.wait_for(node.ainvoke({"messages": [message]}), 5))
    assert [m.content for m in result["messages"]] == ["done 0", "done 1", "done 2"]


def zero_only(error: ZeroDivisionError) -> str:
    return f"no zero: {error}"


@pytest.mark.parametrize(
    ("handler", "expected"),
    [
        (True, "Error: ZeroDivisionError('division by zero')\n Please fix your mistakes."),
        ("Try again.", "Try again."),
        (zero_only, "no zero: division by zero"),
        (
            ZeroDivisionError,
            "Error: ZeroDivisionError('division by zero')\n Please fix your mistakes.",
        ),
        (
            (KeyError, ZeroDivisionError),
            "Error: ZeroDivisionError('division by zero')\n Please fix your mistakes.",
        ),
    ],
)
def test_handled_errors_become_error_messages(
    handler: Any, expected: str, run: Callable[..., Any]
) -> None:
    graph = in_graph(ToolNode([divide, add], handle_tool_errors=handler))
    result = run(
        graph, {"messages": [calls(("divide", {"a": 1, "b": 0}), ("add", {"a": 1, "b": 1}))]}
    )
    assert answers(result) == [("c0", expected, "error"), ("c1", "2", "success")]


@pytest.mark.parametrize("handler", [False, KeyError, zero_only])
def test_unhandled_errors_propagate(handler: Any, run: Callable[..., Any]) -> None:
    @tool
    def broken(key: str) -> str:
        """Always fails."""
        raise KeyError(key) if handler is zero_only else ZeroDivisionError("zero")

    graph = in_graph(ToolNode([broken], handle_tool_errors=handler))
    with pytest.raises(KeyError if handler is zero_only else ZeroDivisionError):
        run(graph, {"messages": [calls(("broken", {"key": "k"}))]})


def test_default_handler_reports_bad_arguments_and_unknown_tools_only(
    run: Callable[..., Any],
) -> None:
    graph = in_graph(ToolNode([divide]))
    result = run(graph, {"messages": [calls(("divide", {"a": "x", "b": 1}), ("nope", {}))]})
    (bad, unknown) = answers(result)
    assert bad[0] == "c0" and bad[2] == "error"
    assert bad[1].startswith(
        "Error invoking tool 'divide' with kwargs {'a': 'x', 'b': 1} with error:\n a:"
    )
    assert unknown == ("c1", "Error: nope is not a valid tool, try one of [divide].", "error")
    with pytest.raises(ZeroDivisionError):
        run(graph, {"messages": [calls(("divide", {"a": 1, "b": 0}))]})


def test_handler_annotated_with_a_non_exception_is_refused() -> None:
    def handler(error: int) -> str:
        return "x"

    with pytest.raises(ToolNodeInputError, match="annotate it with an exception type"):
        ToolNode([add], handle_tool_errors=handler)


def test_injected_state_store_runtime_and_call_id(run: Callable[..., Any]) -> None:
    class Store:
        """What the graph was compiled with: the tool must get this very object."""

    store = Store()

    @tool
    def inspect_all(
        x: int,
        state: Annotated[dict, InjectedState],
        messages: Annotated[list, InjectedState("messages")],
        kept: Annotated[Any, InjectedStore()],
        call_id: Annotated[str, InjectedToolCallId],
        runtime: ToolRuntime,
    ) -> str:
        """Report what was injected."""
        return (
            f"{x} {len(state['messages'])} {len(messages)} {kept is store} {call_id} "
            f"{runtime.tool_call_id} {runtime.store is store}"
        )

    assert sorted(inspect_all.tool_call_schema.model_json_schema()["properties"]) == ["x"]
    graph = in_graph(ToolNode([inspect_all]), store=store)
    forged = {"x": 1, "messages": ["forged"], "kept": "forged"}
    result = run(graph, {"messages": [HumanMessage("hi"), calls(("inspect_all", forged))]})
    assert answers(result) == [("c0", "1 2 2 True c0 c0 True", "success")]


def test_injected_store_without_a_store_is_a_clear_error() -> None:
    @tool
    def needs_store(store: Annotated[Any, InjectedStore()]) -> str:
        """Needs a store."""
        return "x"

    with pytest.raises(ToolNodeInputError, match="compile your graph with a store"):
        in_graph(ToolNode([needs_store])).invoke({"messages": [calls(("needs_store", {}))]})


def test_tool_commands_update_state_and_route(run: Callable[..., Any]) -> None:
    class State(MessagesState):
        name: str

    @tool
    def set_name(name: str, call_id: Annotated[str, InjectedToolCallId]) -> Command:
        """Set the name."""
        return Command(
            update={"name": name, "messages": [ToolMessage("saved", tool_call_id=call_id)]},
            goto="after",
        )

    builder = StateGraph(State)
    builder.add_node("tools", ToolNode([set_name, add]))
    builder.add_node("after", lambda s: {"messages": [AIMessage(f"hello {s['name']}", id="x")]})
    builder.add_edge(START, "tools")
    graph = builder.compile()
    message = calls(("set_name", {"name": "Ada"}), ("add", {"a": 1, "b": 1}))
    result = run(graph, {"messages": [message]})
    assert result["name"] == "Ada"
    assert [m.content for m in result["messages"]] == ["", "saved", "2", "hello Ada"]
    assert result["messages"][1].name == "set_name"


def test_command_without_its_tool_message_is_refused() -> None:
    @tool
    def silent() -> Command:
        """Forgets to answer."""
        return Command(update={"messages": []})

    with pytest.raises(ToolNodeInputError, match="Expected to have a matching ToolMessage"):
        in_graph(ToolNode([silent], handle_tool_errors=False)).invoke(
            {"messages": [calls(("silent", {}))]}
        )


def test_interrupt_inside_a_tool_pauses_and_resumes(run: Callable[..., Any]) -> None:
    @tool
    def approve(action: str) -> str:
        """Ask a human."""
        return f"{action}: {interrupt(action)}"

    graph = in_graph(ToolNode([approve], handle_tool_errors=True), checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    paused = run(graph, {"messages": [calls(("approve", {"action": "deploy"}))]}, config)
    assert paused["__interrupt__"][0].value == "deploy"
    done = run(graph, Command(resume="yes"), config)
    assert answers(done) == [("c0", "deploy: yes", "success")]


def test_tools_condition() -> None:
    asking = calls(("add", {"a": 1, "b": 1}))
    assert tools_condition({"messages": [asking]}) == "tools"
    assert tools_condition([HumanMessage("x"), AIMessage("done")]) == "__end__"
    assert tools_condition({"chat": [asking]}, messages_key="chat") == "tools"
    with pytest.raises(ValueError, match="No messages found"):
        tools_condition({"messages": []})


def test_unknown_invoke_keyword_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="unexpected keyword"):
        ToolNode([add]).invoke({"messages": [calls(("add", {"a": 1, "b": 1}))]}, confg={})  # type: ignore[call-arg]


def test_wrap_tool_call_can_change_retry_or_answer_itself(run: Callable[..., Any]) -> None:
    attempts: list[int] = []

    def interceptor(request: Any, execute: Callable[[Any], Any]) -> Any:
        call = request.tool_call
        if call["name"] == "nope":
            return ToolMessage("handled by the interceptor", tool_call_id=call["id"])
        if call["name"] == "divide":
            for b in (call["args"]["b"], 1):
                attempts.append(b)
                answer = execute(
                    request.override(tool_call={**call, "args": {**call["args"], "b": b}})
                )
                if answer.status == "success":
                    return answer
        return execute(request.override(tool_call={**call, "args": {"a": 10, "b": 5}}))

    node = ToolNode([divide, add], handle_tool_errors=True, wrap_tool_call=interceptor)
    message = calls(("divide", {"a": 4, "b": 0}), ("add", {"a": 1, "b": 1}), ("nope", {}))
    result = run(in_graph(node), {"messages": [message]})
    assert [(m.content, m.status) for m in result["messages"][1:]] == [
        ("4.0", "success"),
        ("15", "success"),
        ("handled by the interceptor", "success"),
    ]
    assert attempts[:2] == [0, 1]


def test_awrap_tool_call_runs_in_async_runs_and_interceptor_errors_are_handled() -> None:
    async def interceptor(request: Any, execute: Any) -> Any:
        if request.tool_call["args"]["a"] < 0:
            raise ValueError("negative")
        return await execute(request)

    node = ToolNode([add], handle_tool_errors=True, awrap_tool_call=interceptor)
    message = calls(("add", {"a": 1, "b": 2}), ("add", {"a": -1, "b": 2}))
    result = asyncio.run(in_graph(node).ainvoke({"messages": [message]}))
    assert [(m.content, m.status) for m in result["messages"][1:]] == [
        ("3", "success"),
        ("Error: ValueError('negative')\n Please fix your mistakes.", "error"),
    ]
    strict = ToolNode([add], handle_tool_errors=False, awrap_tool_call=interceptor)
    with pytest.raises(ValueError, match="negative"):
        asyncio.run(in_graph(strict).ainvoke({"messages": [message]}))


def test_tool_calls_sent_alone_read_the_graph_state(run: Callable[..., Any]) -> None:
    class State(MessagesState):
        user: str

    @tool
    def greet(greeting: str, user: Annotated[str, InjectedState("user")]) -> str:
        """Greet the user."""
        return f"{greeting}, {user}"

    message = calls(("greet", {"greeting": "hi"}), ("greet", {"greeting": "hello"}))
    builder = StateGraph(State)
    builder.add_node("agent", lambda s: {"messages": [message]})
    builder.add_node("tools", ToolNode([greet]))
    builder.add_edge(START, "agent")
    builder.add_conditional_edges(
        "agent",
        lambda s: [
            Send("tools", [{**call, "type": "tool_call"}]) for call in s["messages"][-1].tool_calls
        ],
        ["tools"],
    )
    result = run(builder.compile(), {"messages": [HumanMessage("hey")], "user": "Ada"})
    assert sorted(m.content for m in result["messages"][2:]) == ["hello, Ada", "hi, Ada"]
