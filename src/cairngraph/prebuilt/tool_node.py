"""``ToolNode``: run the tool calls of the last AI message, in parallel; ``tools_condition``.

A ToolNode reads its tool calls from a list of messages, from a state with a
``messages`` key (``messages_key``), or from a ``Send`` carrying one tool call
(``create_react_agent``'s v2 sends each call on its own). It answers with one
``ToolMessage`` per call, in the order of the calls, as the same shape it was
given (a list for a list, ``{"messages": [...]}`` otherwise); a tool that
returns a ``Command`` makes the node return a list of Commands and updates.

Invariants: sync runs call the tools in a thread pool and async runs gather
them, each call in a copy of the running task's context (so ``interrupt()``
and ``get_config()`` work inside a tool); the first call runs in the calling
thread. Interrupts are never turned into error messages.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal, TypedDict, cast

from langchain_core.messages import AIMessage, AnyMessage, ToolCall, ToolMessage
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.tools import BaseTool
from langchain_core.tools import tool as create_tool
from pydantic import ValidationError

from cairngraph.engine._context import maybe_current_task
from cairngraph.errors import GraphInterrupt, ParentCommand
from cairngraph.prebuilt._injection import (
    InjectedState,
    InjectedStore,
    Injections,
    ToolRuntime,
    injected_args,
    injections_of,
)
from cairngraph.prebuilt._tool_call import AsyncToolCallWrapper, ToolCallRequest, ToolCallWrapper
from cairngraph.prebuilt._tool_errors import (
    DEFAULT_HANDLER,
    INVALID_TOOL_NAME,
    ErrorHandler,
    InvalidToolOutputError,
    ToolInvocationError,
    ToolNodeInputError,
    error_content,
    handled_types,
)
from cairngraph.prebuilt._tool_output import (
    InputKind,
    Output,
    combine,
    msg_content_output,
    normalize_response,
)
from cairngraph.runtime import Runtime

__all__ = [
    "InjectedState",
    "InjectedStore",
    "ToolCallRequest",
    "ToolCallWithContext",
    "ToolNode",
    "ToolRuntime",
    "msg_content_output",
    "tools_condition",
]


_POOL = ThreadPoolExecutor(thread_name_prefix="cairngraph-tools")
"""Runs a sync ToolNode's parallel tool calls (its threads start once, not per step)."""


class ToolCallWithContext(TypedDict):
    """A ``Send`` payload: one tool call and the state it was made in (v2 agents)."""

    __type: Literal["tool_call_with_context"]
    tool_call: ToolCall
    state: Any


@dataclass(frozen=True, slots=True)
class _Call:
    """One tool call as it is about to run: the call, its runtime, the input's shape."""

    call: ToolCall
    runtime: ToolRuntime[Any, Any]
    kind: InputKind


class ToolNode(Runnable[Any, Any]):
    """A graph node that runs the tools the model asked for and answers with ToolMessages.

    Example::

        @tool
        def add(a: int, b: int) -> int:
            \"\"\"Add two numbers.\"\"\"
            return a + b

        builder.add_node("tools", ToolNode([add]))
        builder.add_conditional_edges("agent", tools_condition)
        builder.add_edge("tools", "agent")
    """

    def __init__(
        self,
        tools: Sequence[BaseTool | Callable[..., Any]],
        *,
        name: str = "tools",
        tags: list[str] | None = None,
        handle_tool_errors: ErrorHandler = DEFAULT_HANDLER,
        messages_key: str = "messages",
        wrap_tool_call: ToolCallWrapper | None = None,
        awrap_tool_call: AsyncToolCallWrapper | None = None,
    ) -> None:
        self.name = name
        self._wrap_tool_call = wrap_tool_call
        self._awrap_tool_call = awrap_tool_call
        self.tags = tags
        self._handle_tool_errors = handle_tool_errors
        self._handled = handled_types(handle_tool_errors)
        self._messages_key = messages_key
        self._tools_by_name: dict[str, BaseTool] = {}
        self._injections: dict[str, Injections] = {}
        for given in tools:
            made = given if isinstance(given, BaseTool) else create_tool(given)
            self._tools_by_name[made.name] = made
            self._injections[made.name] = injections_of(made)

    @property
    def tools_by_name(self) -> dict[str, BaseTool]:
        """The tools this node runs, by name."""
        return self._tools_by_name

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        """Run every tool call of ``input`` (see the module docstring) and answer them."""
        _no_extra(kwargs)
        calls = self._calls(input, config or {})
        if len(calls) <= 1:
            outputs = [self._run_one(call) for call in calls]
        elif (limit := (config or {}).get("max_concurrency")) is not None:
            with ThreadPoolExecutor(max_workers=limit) as pool:
                futures = [
                    pool.submit(contextvars.copy_context().run, self._run_one, call)
                    for call in calls
                ]
                outputs = [future.result() for future in futures]
        else:
            outputs = self._run_shared(calls)
        return combine(outputs, _kind(calls, input), self._messages_key, _in_graph())

    def _run_shared(self, calls: list[_Call]) -> list[Output]:
        """The calls on the shared pool, the first in this thread.

        A call the pool has not started yet when this thread gets to it is taken
        back and run here, so a tool that itself runs a ToolNode (an agent used
        as a tool) never waits for a pool that its own callers fill.
        """
        contexts = [contextvars.copy_context() for _ in calls[1:]]
        futures = [
            _POOL.submit(context.run, self._run_one, call)
            for context, call in zip(contexts, calls[1:], strict=True)
        ]
        try:
            outputs = [self._run_one(calls[0])]
            for future, context, call in zip(futures, contexts, calls[1:], strict=True):
                if future.cancel():
                    outputs.append(context.run(self._run_one, call))
                else:
                    outputs.append(future.result())
        except BaseException:
            # A call failed: the calls not started yet are not started at all.
            for future in futures:
                future.cancel()
            raise
        return outputs

    async def ainvoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        """``invoke`` for async runs: the calls run concurrently with ``asyncio.gather``."""
        _no_extra(kwargs)
        calls = self._calls(input, config or {})
        outputs = await asyncio.gather(*(self._arun_one(call) for call in calls))
        return combine(list(outputs), _kind(calls, input), self._messages_key, _in_graph())

    def _calls(self, input: Any, config: RunnableConfig) -> list[_Call]:
        calls, kind = self._parse_input(input)
        state = _state_of(input)
        task = maybe_current_task()
        runtime: Runtime[Any] = task.runtime if task is not None else Runtime()
        tools = list(self._tools_by_name.values())
        return [
            _Call(
                call,
                ToolRuntime(
                    state=state,
                    context=runtime.context,
                    config=config,
                    stream_writer=runtime.stream_writer,
                    tool_call_id=call["id"],
                    store=runtime.store,
                    tools=tools,
                    execution_info=runtime.execution_info,
                    server_info=runtime.server_info,
                ),
                kind,
            )
            for call in calls
        ]

    def _parse_input(self, input: Any) -> tuple[list[ToolCall], InputKind]:
        if isinstance(input, list):
            if input and isinstance(input[-1], dict) and input[-1].get("type") == "tool_call":
                return cast("list[ToolCall]", input), "tool_calls"
            messages: Any = input
            kind: InputKind = "list"
        elif isinstance(input, dict) and input.get("__type") == "tool_call_with_context":
            return [input["tool_call"]], "tool_calls"
        elif isinstance(input, dict):
            messages, kind = input.get(self._messages_key, []), "dict"
        else:
            messages, kind = getattr(input, self._messages_key, []), "dict"
        if not messages:
            raise ToolNodeInputError("No message found in input")
        last = next((m for m in reversed(messages) if isinstance(m, AIMessage)), None)
        if last is None:
            raise ToolNodeInputError("No AIMessage found in input")
        return list(last.tool_calls), kind

    def _request(self, job: _Call) -> ToolCallRequest:
        return ToolCallRequest(
            tool_call=job.call,
            tool=self._tools_by_name.get(job.call["name"]),
            state=job.runtime.state,
            runtime=job.runtime,
        )

    def _run_one(self, job: _Call) -> Output:
        request = self._request(job)
        if self._wrap_tool_call is None:
            return self._execute(request, job.kind)
        try:
            return self._wrap_tool_call(request, lambda r: self._execute(r, job.kind))
        except Exception as error:  # noqa: BLE001 - handled or re-raised by _wrapper_failed
            return self._wrapper_failed(request, error)

    async def _arun_one(self, job: _Call) -> Output:
        request = self._request(job)
        try:
            if self._awrap_tool_call is not None:
                return await self._awrap_tool_call(request, lambda r: self._aexecute(r, job.kind))
            if self._wrap_tool_call is not None:
                return self._wrap_tool_call(request, lambda r: self._execute(r, job.kind))
        except Exception as error:  # noqa: BLE001 - handled or re-raised by _wrapper_failed
            return self._wrapper_failed(request, error)
        return await self._aexecute(request, job.kind)

    def _prepared(self, request: ToolCallRequest) -> tuple[BaseTool, dict[str, Any]] | ToolMessage:
        """The tool and its input with injected arguments, or the message of an unknown tool."""
        call, tool = request.tool_call, request.tool
        if tool is None:
            if call["name"] in self._tools_by_name:
                raise InvalidToolOutputError(
                    f"Tool {call['name']} is not registered with ToolNode: the interceptor "
                    "set request.tool to None; pass a tool, or answer without execute()."
                )
            content = INVALID_TOOL_NAME.format(
                requested_tool=call["name"], available_tools=", ".join(self._tools_by_name)
            )
            return ToolMessage(content, name=call["name"], tool_call_id=call["id"], status="error")
        injections = self._injections_for(tool)
        args = injected_args(call, request.runtime, injections, self._messages_key)
        return tool, {**call, "args": args, "type": "tool_call"}

    def _injections_for(self, tool: BaseTool) -> Injections:
        known = self._injections.get(tool.name)
        if known is not None and self._tools_by_name.get(tool.name) is tool:
            return known
        return injections_of(tool)  # a tool an interceptor brought: read once per call

    def _execute(self, request: ToolCallRequest, kind: InputKind) -> Output:
        prepared = self._prepared(request)
        if isinstance(prepared, ToolMessage):
            return prepared
        tool, tool_input = prepared
        try:
            response = tool.invoke(tool_input, request.runtime.config)
            return normalize_response(response, request.tool_call, kind, self._messages_key)
        except Exception as error:  # noqa: BLE001 - handled or re-raised by _failed
            return self._failed(request.tool_call, tool, error)

    async def _aexecute(self, request: ToolCallRequest, kind: InputKind) -> Output:
        prepared = self._prepared(request)
        if isinstance(prepared, ToolMessage):
            return prepared
        tool, tool_input = prepared
        try:
            response = await tool.ainvoke(tool_input, request.runtime.config)
            return normalize_response(response, request.tool_call, kind, self._messages_key)
        except Exception as error:  # noqa: BLE001 - handled or re-raised by _failed
            return self._failed(request.tool_call, tool, error)

    def _failed(self, call: ToolCall, tool: BaseTool, error: Exception) -> ToolMessage:
        """The error message for ``error`` if ``handle_tool_errors`` covers it; else raise it."""
        if isinstance(error, GraphInterrupt | ParentCommand):
            raise error
        if isinstance(error, ValidationError):
            hidden = self._injections_for(tool).hidden
            error = ToolInvocationError(call["name"], error, call["args"], hidden)
        if not self._handled or not isinstance(error, self._handled):
            raise error
        content = error_content(error, self._handle_tool_errors)
        return ToolMessage(
            content=content, name=call["name"], tool_call_id=call["id"], status="error"
        )

    def _wrapper_failed(self, request: ToolCallRequest, error: Exception) -> ToolMessage:
        """An interceptor's own error: a message unless ``handle_tool_errors`` is False."""
        if isinstance(error, GraphInterrupt | ParentCommand) or not self._handle_tool_errors:
            raise error
        call = request.tool_call
        content = error_content(error, self._handle_tool_errors)
        return ToolMessage(
            content=content, name=call["name"], tool_call_id=call["id"], status="error"
        )


def _no_extra(kwargs: dict[str, Any]) -> None:
    if kwargs:
        raise TypeError(f"ToolNode.invoke() got unexpected keyword arguments: {sorted(kwargs)}")


def _kind(calls: list[_Call], input: Any) -> InputKind:
    if calls:
        return calls[0].kind
    return "list" if isinstance(input, list) else "dict"


def _in_graph() -> bool:
    return maybe_current_task() is not None


def _state_of(input: Any) -> Any:
    """The state tools may have injected: the Send's state, the node's input, or nothing."""
    if isinstance(input, dict) and input.get("__type") == "tool_call_with_context":
        return input["state"]
    tool_calls = isinstance(input, list) and input and isinstance(input[-1], dict)
    if tool_calls and input[-1].get("type") == "tool_call":
        # Sent tool calls carry no state: read it as an edge would give it to this node.
        task = maybe_current_task()
        return task.read_state() if task is not None and task.read_state is not None else {}
    return input


def tools_condition(
    state: list[AnyMessage] | dict[str, Any] | Any, messages_key: str = "messages"
) -> Literal["tools", "__end__"]:
    """Route to ``"tools"`` when the last message asks for tool calls, else to END.

    Example::

        builder.add_conditional_edges("chatbot", tools_condition)
    """
    if isinstance(state, list):
        last = state[-1]
    elif (isinstance(state, dict) and (messages := state.get(messages_key, []))) or (
        messages := getattr(state, messages_key, [])
    ):
        last = messages[-1]
    else:
        raise ToolNodeInputError(f"No messages found in input state to tool_edge: {state}")
    if getattr(last, "tool_calls", None):
        return "tools"
    return "__end__"
