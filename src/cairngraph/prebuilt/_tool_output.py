"""What a tool returned, made ready for the graph: content, ToolMessages, Commands.

Invariants (LangGraph's): a Command sent to the current graph must carry the
ToolMessage answering its tool call (every tool call needs an answer in the
history); a list returned by one tool must answer its call exactly once; a
Command's ``update`` is a dict when the ToolNode reads a state dict and a list
when it reads a bare message list. The tool's own objects are never mutated: a
Command is copied before the answering message gets the tool's name.
"""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import replace
from typing import Any, Literal, cast

from langchain_core.messages import RemoveMessage, ToolCall, ToolMessage, convert_to_messages
from langchain_core.tools.base import TOOL_MESSAGE_BLOCK_TYPES

from cairngraph.graph.message import REMOVE_ALL_MESSAGES
from cairngraph.prebuilt._tool_errors import InvalidToolOutputError, ToolNodeInputError
from cairngraph.types import Command, Send

__all__ = ["InputKind", "Output", "combine", "msg_content_output", "normalize_response"]

InputKind = Literal["list", "dict", "tool_calls"]
Output = ToolMessage | Command[Any] | list[ToolMessage | Command[Any]]


def msg_content_output(output: Any) -> str | list[dict[str, Any]]:
    """A tool's result as ToolMessage content: text and content blocks as they are,
    anything else as JSON (or ``str()`` when it is not JSON).

    Example::

        msg_content_output({"a": 1})  # -> '{"a": 1}'
    """
    if isinstance(output, str):
        return output
    if isinstance(output, list) and all(
        isinstance(item, dict) and item.get("type") in TOOL_MESSAGE_BLOCK_TYPES for item in output
    ):
        return output
    try:
        return json.dumps(output, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(output)


def normalize_response(response: Any, call: ToolCall, kind: InputKind, messages_key: str) -> Output:
    """Check and tidy what ``tool.invoke`` returned for ``call``."""
    if isinstance(response, Command):
        return _checked_command(response, call, kind, messages_key, required=True)
    if isinstance(response, ToolMessage):
        response.content = msg_content_output(response.content)  # type: ignore[assignment]
        return response
    if isinstance(response, list):
        if all(isinstance(item, Command | ToolMessage) for item in response):
            return _checked_list(response, call, kind, messages_key)
        raise InvalidToolOutputError(
            f"Tool {call['name']} returned a list with invalid element types: expected all "
            "Command or ToolMessage"
        )
    raise InvalidToolOutputError(f"Tool {call['name']} returned unexpected type: {type(response)}")


def _answers(item: Any, call_id: str | None, messages_key: str) -> int:
    if isinstance(item, ToolMessage):
        return int(item.tool_call_id == call_id)
    if isinstance(item, Command) and isinstance(item.update, dict):
        return sum(
            isinstance(m, ToolMessage) and m.tool_call_id == call_id
            for m in item.update.get(messages_key, [])
        )
    return 0


def _checked_list(
    response: list[Any], call: ToolCall, kind: InputKind, messages_key: str
) -> list[ToolMessage | Command[Any]]:
    count = sum(_answers(item, call["id"], messages_key) for item in response)
    if count != 1:
        raise ToolNodeInputError(
            f"Tool {call['name']} returned a list with {count} messages bound to tool_call_id "
            f"{call['id']!r}; expected exactly one terminating ToolMessage."
        )
    checked: list[ToolMessage | Command[Any]] = []
    for item in response:
        if isinstance(item, Command):
            checked.append(_checked_command(item, call, kind, messages_key, required=False))
        else:
            item.content = msg_content_output(item.content)
            checked.append(item)
    return checked


def _checked_command(
    command: Command[Any], call: ToolCall, kind: InputKind, messages_key: str, *, required: bool
) -> Command[Any]:
    if isinstance(command.update, dict):
        if kind not in ("dict", "tool_calls"):
            raise ToolNodeInputError(
                "Tools can provide a dict in Command.update only when using dict with "
                f"'{messages_key}' key as ToolNode input, got: {command.update} for tool "
                f"'{call['name']}'"
            )
        command = copy.deepcopy(command)
        messages = (command.update or {}).get(messages_key, [])
    elif isinstance(command.update, list):
        if kind != "list":
            raise ToolNodeInputError(
                "Tools can provide a list of messages in Command.update only when using list "
                f"of messages as ToolNode input, got: {command.update} for tool '{call['name']}'"
            )
        command = copy.deepcopy(command)
        messages = command.update
    else:
        return command
    messages = convert_to_messages(messages)
    if messages == [RemoveMessage(id=REMOVE_ALL_MESSAGES)]:
        return command
    answered = False
    for message in messages:
        if isinstance(message, ToolMessage) and message.tool_call_id == call["id"]:
            message.name = call["name"]
            answered = True
    if required and command.graph is None and not answered:
        raise ToolNodeInputError(_unanswered(call, messages, kind))
    return command


def _unanswered(call: ToolCall, messages: list[Any], kind: InputKind) -> str:
    example = (
        '`Command(update={"messages": '
        '[ToolMessage("Success", tool_call_id=tool_call_id), ...]}, ...)`'
        if kind == "dict"
        else '`Command(update=[ToolMessage("Success", tool_call_id=tool_call_id), ...], ...)`'
    )
    return (
        f"Expected to have a matching ToolMessage in Command.update for tool '{call['name']}', "
        f"got: {messages}. Every tool call (LLM requesting to call a tool) in the message history "
        f"MUST have a corresponding ToolMessage. You can fix it by modifying the tool to return "
        f"{example}."
    )


def combine(outputs: list[Output], kind: InputKind, messages_key: str, in_graph: bool) -> Any:
    """The ToolNode's answer: its messages in the input's shape, or, when a tool returned
    a Command, a list of Commands and updates (sends to the parent merged into one)."""
    flat: list[ToolMessage | Command[Any]] = []
    for output in outputs:
        flat.extend(output if isinstance(output, list) else [output])
    if in_graph:
        _give_ids(flat, messages_key)
    if not any(isinstance(output, Command) for output in flat):
        return flat if kind == "list" else {messages_key: flat}
    combined: list[Any] = []
    parent: Command[Any] | None = None
    for output in flat:
        if not isinstance(output, Command):
            combined.append([output] if kind == "list" else {messages_key: [output]})
        elif output.graph == Command.PARENT and _all_sends(output.goto):
            # Sends to the parent from several tools travel as one parent Command.
            goto = list(cast("list[Send]", parent.goto)) if parent else []
            merged = goto + list(cast("list[Send]", output.goto))
            parent = (
                replace(parent, goto=merged)
                if parent
                else Command(graph=Command.PARENT, goto=merged)
            )
        else:
            combined.append(output)
    if parent is not None:
        combined.append(parent)
    return combined


def _give_ids(outputs: list[ToolMessage | Command[Any]], messages_key: str) -> None:
    """Give each new ToolMessage an id, as LangGraph's reducer does in place.

    LangGraph's ``add_messages`` sets the id on the very objects the node
    returned, so its ``updates`` stream shows ids; cairngraph's reducer copies
    instead, so the node gives them. Outside a graph (a direct ``invoke``)
    messages keep no id, as in LangGraph.
    """
    for output in outputs:
        if isinstance(output, Command):
            update = output.update
            found = update.get(messages_key, []) if isinstance(update, dict) else update
            messages = found if isinstance(found, list) else []
        else:
            messages = [output]
        for message in messages:
            if isinstance(message, ToolMessage) and message.id is None:
                message.id = str(uuid.uuid4())


def _all_sends(goto: Any) -> bool:
    return isinstance(goto, list) and all(isinstance(send, Send) for send in goto)
