"""``ToolCallRequest``: one tool call as a ``wrap_tool_call`` interceptor sees it.

An interceptor ``wrap_tool_call(request, execute)`` may change the request
(``request.override(tool_call=...)``), call ``execute`` any number of times
(retries), or answer without running the tool at all; what it returns is the
call's answer. ``awrap_tool_call`` is the same for async runs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from langchain_core.messages import ToolCall, ToolMessage
from langchain_core.tools import BaseTool

from cairngraph.prebuilt._injection import ToolRuntime
from cairngraph.types import Command

__all__ = ["AsyncToolCallWrapper", "ToolCallRequest", "ToolCallWrapper"]

_KEEP: Any = object()


@dataclass
class ToolCallRequest:
    """The call, the tool that will run it (None: not a tool of this node), the state
    and the runtime it runs with.

    Example::

        def double(request, execute):
            call = request.tool_call
            doubled = {**call, "args": {"x": 2 * call["args"]["x"]}}
            return execute(request.override(tool_call=doubled))
    """

    tool_call: ToolCall
    tool: BaseTool | None
    state: Any
    runtime: ToolRuntime[Any, Any]

    def override(
        self, *, tool_call: ToolCall = _KEEP, tool: BaseTool | None = _KEEP, state: Any = _KEEP
    ) -> ToolCallRequest:
        """A copy with the given parts replaced (a new state reaches the runtime too)."""
        return ToolCallRequest(
            tool_call=self.tool_call if tool_call is _KEEP else tool_call,
            tool=self.tool if tool is _KEEP else tool,
            state=self.state if state is _KEEP else state,
            runtime=self.runtime if state is _KEEP else replace(self.runtime, state=state),
        )


Answer = ToolMessage | Command[Any] | list[ToolMessage | Command[Any]]
ToolCallWrapper = Callable[[ToolCallRequest, Callable[[ToolCallRequest], Answer]], Answer]
AsyncToolCallWrapper = Callable[
    [ToolCallRequest, Callable[[ToolCallRequest], Awaitable[Answer]]], Awaitable[Answer]
]
