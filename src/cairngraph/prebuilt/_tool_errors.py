"""How a failing tool call becomes a ``ToolMessage`` the model can read, or an error.

``handle_tool_errors`` on ``ToolNode`` decides, as in LangGraph:

- the default: only bad arguments (``ToolInvocationError``) become messages;
  every other exception propagates;
- ``True``: every exception becomes ``"Error: <repr>\\n Please fix your mistakes."``;
- a string: every exception becomes that string;
- a callable: exceptions of the type its first parameter is annotated with
  (every ``Exception`` without an annotation) become what it returns;
- an exception type or a tuple of them: those become the ``True`` text;
- ``False``: nothing is caught.

Invariant: an interrupt (``GraphInterrupt``) or a parent command is never
turned into a message; it always reaches the engine.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from typing import Any, Union, cast

from langchain_core.tools import ToolException
from pydantic import ValidationError

from cairngraph.errors import CairnGraphError

__all__ = [
    "ErrorHandler",
    "InvalidToolOutputError",
    "ToolInvocationError",
    "ToolNodeInputError",
    "error_content",
    "handled_types",
]

ErrorHandler = bool | str | Callable[..., str] | type[Exception] | tuple[type[Exception], ...]

INVALID_TOOL_NAME = "Error: {requested_tool} is not a valid tool, try one of [{available_tools}]."
TOOL_CALL_ERROR = "Error: {error}\n Please fix your mistakes."
TOOL_INVOCATION_ERROR = (
    "Error invoking tool '{tool_name}' with kwargs {tool_kwargs} with error:\n"
    " {error}\n"
    " Please fix the error and try again."
)


class ToolNodeInputError(CairnGraphError, ValueError):
    """A ToolNode was given input it cannot read tool calls from, or a tool a bad Command."""


class InvalidToolOutputError(CairnGraphError, TypeError):
    """A tool returned something that is neither content, a ToolMessage nor a Command."""


class ToolInvocationError(ToolException):
    """The model called a tool with arguments its schema refuses.

    Only the model's own arguments are listed; injected ones are left out,
    since the model cannot fix them.
    """

    def __init__(
        self,
        tool_name: str,
        source: ValidationError,
        tool_kwargs: dict[str, Any],
        hidden: frozenset[str],
    ) -> None:
        lines = [
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in source.errors()
            if error["loc"] and error["loc"][0] not in hidden
        ]
        self.message = TOOL_INVOCATION_ERROR.format(
            tool_name=tool_name, tool_kwargs=tool_kwargs, error="\n".join(lines)
        )
        self.tool_name = tool_name
        self.tool_kwargs = tool_kwargs
        self.source = source
        super().__init__(self.message)


def _default(error: Exception) -> str:
    """LangGraph's default handler: report bad arguments, raise everything else."""
    if isinstance(error, ToolInvocationError):
        return error.message
    raise error


DEFAULT_HANDLER: Callable[[Exception], str] = _default


def handled_types(handler: ErrorHandler) -> tuple[type[Exception], ...]:
    """The exception types ``handler`` turns into messages (empty: none)."""
    if handler is False:
        return ()
    if isinstance(handler, type) and issubclass(handler, Exception):
        return (handler,)
    if isinstance(handler, tuple):
        return handler
    if callable(handler) and not isinstance(handler, type):
        return _annotated_types(handler)
    return (Exception,)


def _annotated_types(handler: Callable[..., str]) -> tuple[type[Exception], ...]:
    """The exception types a handler's first parameter is annotated with."""
    parameters = list(inspect.signature(handler).parameters.values())
    if not parameters:
        return (Exception,)
    first = (
        parameters[1]
        if parameters[0].name in ("self", "cls") and len(parameters) == 2
        else parameters[0]
    )
    hints = typing.get_type_hints(handler)
    if first.name not in hints:
        return (Exception,)
    annotation = hints[first.name]
    if typing.get_origin(annotation) in (Union, types.UnionType):
        members = typing.get_args(annotation)
    else:
        members = (annotation,)
    if not all(isinstance(member, type) and issubclass(member, Exception) for member in members):
        raise ToolNodeInputError(
            f"handle_tool_errors={handler!r} annotates its error as {annotation!r}; annotate it "
            "with an exception type or a union of them, e.g. def handler(e: ValueError) -> str."
        )
    return tuple(members)


def error_content(error: Exception, handler: ErrorHandler) -> str:
    """The text of the ToolMessage reporting ``error`` under ``handler``."""
    if isinstance(handler, bool | tuple) or (
        isinstance(handler, type) and issubclass(handler, Exception)
    ):
        return TOOL_CALL_ERROR.format(error=repr(error))
    if isinstance(handler, str):
        return handler
    return str(cast("Callable[[Exception], str]", handler)(error))
