"""Chat messages in state: ``add_messages`` appends, replaces by id, deletes by id.

Messages may be plain dicts (``{"role": "user", "content": "hi"}``) or
LangChain message objects when ``langchain-core`` is installed; cairngraph
never needs it. Invariant: the reducer never mutates its inputs, and it keeps
the existing message objects (so an append is visible to the savers as an
append and stored as a delta).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from typing_extensions import TypedDict

__all__ = ["REMOVE_ALL_MESSAGES", "MessagesState", "add_messages", "push_message"]

REMOVE_ALL_MESSAGES = "__remove_all__"
"""Id of a removal that clears the whole list: ``RemoveMessage(id=REMOVE_ALL_MESSAGES)``."""

_ROLES = {
    "human": "human",
    "user": "human",
    "ai": "ai",
    "assistant": "ai",
    "system": "system",
    "tool": "tool",
    "function": "function",
    "remove": "remove",
}


def _coerce(message: Any) -> Any:
    """Messages as given, except strings and role tuples, which become messages."""
    if isinstance(message, str):
        message = {"role": "user", "content": message}
    elif isinstance(message, tuple) and len(message) == 2:
        message = {"role": message[0], "content": message[1]}
    if isinstance(message, dict):
        if "id" not in message or message["id"] is None:
            message = {**message, "id": str(uuid.uuid4())}
        return _to_langchain(message)
    if getattr(message, "id", "missing") is None:
        message = message.model_copy(update={"id": str(uuid.uuid4())})
    return message


def _to_langchain(message: dict[str, Any]) -> Any:
    """With langchain-core installed, dicts become LangChain messages, as in LangGraph.

    Without it they stay dicts; cairngraph never requires LangChain.
    """
    convert = _converter()
    if convert is None:
        return message
    return convert([message])[0]


_CONVERTER: list[Any] = []


def _converter() -> Any:
    if not _CONVERTER:
        try:
            from langchain_core.messages import convert_to_messages
        except ImportError:
            _CONVERTER.append(None)
        else:
            _CONVERTER.append(convert_to_messages)
    return _CONVERTER[0]


def _id_of(message: Any) -> Any:
    return message.get("id") if isinstance(message, dict) else getattr(message, "id", None)


def _is_removal(message: Any) -> bool:
    if isinstance(message, dict):
        return _ROLES.get(str(message.get("role", message.get("type", "")))) == "remove"
    return type(message).__name__ == "RemoveMessage"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple) and not (
        isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str)
    ):
        return list(value)
    return [value]


def add_messages(left: Any, right: Any) -> list[Any]:
    """Merge ``right`` into ``left``: new ids append, known ids replace, removals delete.

    Example::

        class State(TypedDict):
            messages: Annotated[list, add_messages]

        add_messages([{"id": "1", "role": "user", "content": "hi"}],
                     [{"id": "1", "role": "user", "content": "hello"}])
        # -> [{"id": "1", "role": "user", "content": "hello"}]
    """
    existing, position = _existing(left)
    incoming = [_coerce(item) for item in _as_list(right)]
    if not incoming:
        return existing
    if any(_is_removal(item) and _id_of(item) == REMOVE_ALL_MESSAGES for item in incoming):
        last = max(
            index
            for index, item in enumerate(incoming)
            if _is_removal(item) and _id_of(item) == REMOVE_ALL_MESSAGES
        )
        return [item for item in incoming[last + 1 :] if not _is_removal(item)]
    merged = existing  # a new list already
    removed: set[Any] = set()
    for item in incoming:
        key = _id_of(item)
        if _is_removal(item):
            if key not in position:
                raise ValueError(
                    f"cannot remove message {key!r}: no message with that id is in the state"
                )
            removed.add(key)
            continue
        if key in position:
            merged[position[key]] = item
            removed.discard(key)
        else:
            position[key] = len(merged)
            merged.append(item)
    if removed:
        merged = [item for item in merged if _id_of(item) not in removed]
    return merged


def _existing(left: Any) -> tuple[list[Any], dict[Any, int]]:
    """``left`` as coerced messages, and the position of each id.

    The state's own list holds messages that went through this reducer (objects
    with an id): they are taken as they are, without coercing each again.
    """
    if type(left) is list:
        try:
            position = {item.id: index for index, item in enumerate(left)}
        except AttributeError:  # a dict, string or tuple among them
            pass
        else:
            if None not in position:
                return list(left), position
    existing = [_coerce(item) for item in _as_list(left)]
    return existing, {_id_of(item): index for index, item in enumerate(existing)}


class MessagesState(TypedDict):
    """A state with one key, ``messages``, merged by :func:`add_messages`."""

    messages: Annotated[list[Any], add_messages]


def push_message(message: Any, *, state_key: str | None = "messages") -> Any:
    """Send ``message`` from a running node now: to ``stream_mode="messages"`` at once,
    and, unless ``state_key`` is None, to that state key, as a write of the node (before
    what it returns). Returns the message (a dict or tuple made a message).

    The message needs an id (a stream consumer matches later chunks to it by id).

    Example::

        def answer(state: MessagesState) -> dict:
            push_message(AIMessage("Looking that up...", id=str(uuid.uuid4())))
            return {"messages": [model.invoke(state["messages"])]}
    """
    from cairngraph.engine._context import current_task
    from cairngraph.errors import InvalidUpdateError

    task = current_task("push_message()")
    if isinstance(message, str):
        message = {"role": "user", "content": message}
    elif isinstance(message, tuple) and len(message) == 2:
        message = {"role": message[0], "content": message[1]}
    if isinstance(message, dict):
        message = _to_langchain(message)
    if _id_of(message) is None:
        raise InvalidUpdateError(
            f"push_message() in node {task.name!r} got a message without an id; give it one, "
            'e.g. AIMessage("...", id=str(uuid.uuid4())): stream consumers match messages by id.'
        )
    stream = task.scope.messages
    if stream is not None:
        stream.pushed(task, message)
    if state_key is not None:
        if task.pushed is None:
            task.pushed = []
        task.pushed.append((state_key, message))
    return message
