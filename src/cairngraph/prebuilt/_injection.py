"""What a tool gets that the model never sees: graph state, the store, its runtime.

A tool declares an injected argument by its annotation:
``Annotated[dict, InjectedState]`` (the whole state),
``Annotated[list, InjectedState("messages")]`` (one key),
``Annotated[BaseStore, InjectedStore()]`` (the graph's store), or a parameter
typed ``ToolRuntime`` (or named ``runtime``). ``InjectedToolCallId`` is
langchain-core's own and is filled by langchain-core.

Invariants: a tool's injections are found once, when the ``ToolNode`` is
built; a value the model put under an injected name is always dropped before
the trusted value is added, so a model cannot forge hidden arguments.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, TypeVar, Union, cast

from langchain_core.messages import ToolCall
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, InjectedToolArg
from langchain_core.tools.base import _DirectlyInjectedToolArg, get_all_basemodel_annotations
from pydantic import BaseModel

from cairngraph.engine._tools import emit_output_delta
from cairngraph.prebuilt._tool_errors import ToolNodeInputError
from cairngraph.runtime import ServerInfo

__all__ = [
    "InjectedState",
    "InjectedStore",
    "Injections",
    "ToolRuntime",
    "injected_args",
    "injections_of",
]

StateT = TypeVar("StateT")
ContextT = TypeVar("ContextT")


class InjectedState(InjectedToolArg):
    """Give a tool argument the graph's state (or one key of it), hidden from the model.

    Example::

        @tool
        def count_messages(messages: Annotated[list, InjectedState("messages")]) -> int:
            \"\"\"How many messages the conversation has.\"\"\"
            return len(messages)
    """

    def __init__(self, field: str | None = None) -> None:
        self.field = field


class InjectedStore(InjectedToolArg):
    """Give a tool argument the store the graph was compiled with, hidden from the model.

    Example::

        @tool
        def remember(fact: str, store: Annotated[Any, InjectedStore()]) -> str:
            \"\"\"Save a fact.\"\"\"
            store.put(("facts",), fact, {"text": fact})
            return "saved"
    """


@dataclass
class ToolRuntime(_DirectlyInjectedToolArg, Generic[ContextT, StateT]):
    """Everything a running tool may reach, given to a parameter typed ``ToolRuntime``.

    Example::

        @tool
        def whoami(runtime: ToolRuntime) -> str:
            \"\"\"The id of this tool call.\"\"\"
            return runtime.tool_call_id or "?"
    """

    state: StateT
    context: ContextT
    config: RunnableConfig
    stream_writer: Callable[[Any], None]
    tool_call_id: str | None
    store: Any | None
    tools: list[BaseTool] = field(default_factory=list)
    execution_info: Any | None = None
    server_info: ServerInfo | None = None

    def emit_output_delta(self, delta: Any) -> None:
        """Stream a piece of the tool's output, as a ``tool-output-delta`` chunk of
        ``stream_mode="tools"``; when the run does not stream tools, nothing happens, so
        a tool may call it unconditionally.

        Example::

            @tool
            def report(topic: str, runtime: ToolRuntime) -> str:
                \"\"\"Write a report.\"\"\"
                for part in ("intro", "body"):
                    runtime.emit_output_delta(part)
                return "intro body"
        """
        emit_output_delta(delta)


@dataclass(frozen=True, slots=True)
class Injections:
    """Which arguments of one tool are filled by the ToolNode, and from where.

    ``state`` maps an argument to the state key it takes (None: the whole
    state); ``optional`` are state arguments with a default, left out when the
    key is missing; ``hidden`` is every injected name, stripped from model input.
    """

    state: dict[str, str | None]
    store: str | None
    runtime: str | None
    hidden: frozenset[str]
    optional: frozenset[str]

    @property
    def empty(self) -> bool:
        return not (self.state or self.store or self.runtime)


def _marks(annotation: Any) -> list[Any]:
    """The markers in an annotation: ``Annotated`` metadata and the types it unions."""
    found: list[Any] = []
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        found.append(annotation.__origin__)
        found.extend(annotation.__metadata__)
        for inner in (annotation.__origin__, *annotation.__metadata__):
            found.extend(_marks(inner))
    elif origin is Union or origin is types.UnionType:
        for inner in typing.get_args(annotation):
            found.extend(_marks(inner))
    elif origin is not None:
        found.append(origin)
    else:
        found.append(annotation)
    return found


def _is(mark: Any, kind: type) -> bool:
    return isinstance(mark, kind) or (isinstance(mark, type) and issubclass(mark, kind))


def _annotations(tool: BaseTool) -> dict[str, Any]:
    """The tool's argument annotations: its function's, overridden by its input schema's."""
    function = getattr(tool, "func", None) or getattr(tool, "coroutine", None)
    hints = typing.get_type_hints(function, include_extras=True) if function else {}
    hints.pop("return", None)
    return {**hints, **get_all_basemodel_annotations(tool.get_input_schema())}


def injections_of(tool: BaseTool) -> Injections:
    """Find which arguments of ``tool`` are injected (once, when a ToolNode is built)."""
    state: dict[str, str | None] = {}
    store: str | None = None
    runtime: str | None = None
    hidden: set[str] = set()
    optional: set[str] = set()
    fields = cast("type[BaseModel]", tool.get_input_schema()).model_fields
    for name, annotation in _annotations(tool).items():
        marks = _marks(annotation)
        if any(_is(mark, InjectedToolArg) or _is(mark, _DirectlyInjectedToolArg) for mark in marks):
            hidden.add(name)
        if name == "runtime" or any(_is(mark, ToolRuntime) for mark in marks):
            runtime = name
        states = [mark for mark in marks if _is(mark, InjectedState)]
        if states:
            key = states[0].field if isinstance(states[0], InjectedState) else None
            state[name] = key
            info = fields.get(name)
            if key and info is not None and not info.is_required():
                optional.add(name)
        if any(_is(mark, InjectedStore) for mark in marks):
            store = name
    return Injections(state, store, runtime, frozenset(hidden), frozenset(optional))


def injected_args(
    call: ToolCall, runtime: ToolRuntime[Any, Any], injections: Injections, messages_key: str
) -> dict[str, Any]:
    """The call's arguments as the tool gets them: the model's, minus any it put under an
    injected name, plus the injected values."""
    if injections.empty:
        return dict(call["args"])
    values: dict[str, Any] = {}
    if injections.state:
        values.update(_state_values(call, runtime.state, injections, messages_key))
    if injections.store:
        if runtime.store is None:
            raise ToolNodeInputError(
                "Cannot inject store into tools with InjectedStore annotations - please "
                "compile your graph with a store."
            )
        values[injections.store] = runtime.store
    if injections.runtime:
        values[injections.runtime] = runtime
    model_args = {k: v for k, v in call["args"].items() if k not in injections.hidden}
    return {**model_args, **values}


def _state_values(
    call: ToolCall, state: Any, injections: Injections, messages_key: str
) -> dict[str, Any]:
    wanted = list(injections.state.values())
    if isinstance(state, list):
        if wanted == [messages_key] or wanted[0] is None:
            state = {messages_key: state}
        else:
            fields = ", ".join(f for f in wanted if f)
            raise ToolNodeInputError(
                f"Invalid input to ToolNode. Tool {call['name']} requires graph state dict "
                f"as input." + (f" State should contain fields {fields}." if fields else "")
            )
    values: dict[str, Any] = {}
    for argument, key in injections.state.items():
        if not key:
            values[argument] = state
        elif isinstance(state, dict) and key in state:
            values[argument] = state[key]
        elif not isinstance(state, dict) and hasattr(state, key):
            values[argument] = getattr(state, key)
        elif argument not in injections.optional:
            raise KeyError(key) if isinstance(state, dict) else AttributeError(key)
    return values
