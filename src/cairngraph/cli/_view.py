"""What the read commands say about a saved checkpoint, computed from the saver's records.

Invariants:

- Only the public records are read (:class:`CheckpointTuple` and its
  :class:`Checkpoint`); nothing here opens a table.
- *Values* are a checkpoint's user-visible channels: channels the engine keeps
  for itself (``__start__``, ``branch:to:...``, ``__pregel_...``) are left out.
- *Size* is the number of bytes the values and pending writes take encoded
  with cairngraph's msgpack serializer, the size of the checkpoint on its own,
  before any sharing of payloads between checkpoints (``cairn stats`` gives
  the store's real bytes).
- :func:`jsonable` turns any stored value into JSON for display; it is lossy
  by design (tuples become lists, objects their fields). ``cairn export``
  keeps values exact instead.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import decimal
import enum
import uuid
from collections.abc import Mapping
from typing import Any

from cairngraph.checkpoint.base import ERROR, INTERRUPT, BaseCheckpointSaver, CheckpointTuple
from cairngraph.checkpoint.serde import MsgpackSerializer, TypeRegistry, shared_registry
from cairngraph.constants import branch_targets

__all__ = [
    "checkpoint_id",
    "encoded_size",
    "is_internal",
    "jsonable",
    "next_nodes",
    "pending",
    "plain_codec",
    "short",
    "user_values",
    "writers",
]

_RAN = "__ran__"  # versions_seen entry naming the nodes that ran in the step


def is_internal(channel: str) -> bool:
    """Whether ``channel`` is one the engine keeps for itself, not a state key."""
    return channel.startswith("__") or ":" in channel


def user_values(item: CheckpointTuple) -> dict[str, Any]:
    """The state keys of a checkpoint and their values."""
    values = item.checkpoint.channel_values
    return {key: values[key] for key in sorted(values) if not is_internal(key)}


def checkpoint_id(item: CheckpointTuple) -> str:
    """The checkpoint's id."""
    return str(item.config["configurable"]["checkpoint_id"])


def writers(item: CheckpointTuple) -> list[str]:
    """The nodes whose step made this checkpoint (``__input__`` for a run's input)."""
    ran = item.checkpoint.versions_seen.get(_RAN, {})
    names = sorted(name for name in ran if name != "__start__" or len(ran) == 1)
    if names:
        return names
    source = item.metadata.get("source")
    return ["__input__"] if source == "input" else []


def next_nodes(item: CheckpointTuple) -> list[str]:
    """The nodes this checkpoint triggers, from the trigger channels its step updated.

    This is the stored view; a graph (``--graph``) also knows Send tasks and
    nodes a new graph version added.
    """
    updated = item.checkpoint.updated_channels
    found = sorted(branch_targets(updated))
    if item.metadata.get("source") == "input" and "__start__" in updated:
        found.insert(0, "__start__")
    return found


def pending(item: CheckpointTuple) -> dict[str, list[dict[str, Any]]]:
    """The checkpoint's pending writes, split into interrupts, errors and the rest."""
    split: dict[str, list[dict[str, Any]]] = {"interrupts": [], "errors": [], "writes": []}
    for write in item.pending_writes:
        entry = {"task_id": write.task_id, "channel": write.channel, "value": jsonable(write.value)}
        if write.channel == INTERRUPT:
            split["interrupts"].append(entry)
        elif write.channel == ERROR:
            split["errors"].append(entry)
        else:  # resume values and normal writes alike
            split["writes"].append(entry)
    return split


def plain_codec(saver: BaseCheckpointSaver) -> MsgpackSerializer:
    """Plain typed msgpack knowing every type the saver's serializer knows (encrypted or not)."""
    serde = getattr(saver.serde, "inner", saver.serde)  # an encrypted serializer's inner one
    registry = getattr(serde, "registry", None)
    parent = registry if isinstance(registry, TypeRegistry) else shared_registry()
    return MsgpackSerializer(TypeRegistry(parent=parent))


def encoded_size(item: CheckpointTuple, codec: MsgpackSerializer) -> int:
    """Bytes of the checkpoint's values and pending writes, encoded on their own by ``codec``."""
    total = 0
    for value in item.checkpoint.channel_values.values():
        total += len(codec.dumps_typed(value)[1])
    for write in item.pending_writes:
        total += len(codec.dumps_typed(write.value)[1])
    return total


def jsonable(value: Any) -> Any:
    """``value`` as JSON data, for reading (see the module docstring)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return (
            value if value == value and value not in (float("inf"), float("-inf")) else str(value)
        )
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [jsonable(item) for item in items]
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: jsonable(getattr(value, field.name)) for field in dataclasses.fields(value)
        }
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return jsonable(dump())
    fields = getattr(value, "__dict__", None)
    if isinstance(fields, dict):
        return {"type": type(value).__name__, **{k: jsonable(v) for k, v in fields.items()}}
    return repr(value)


def short(value: Any, width: int = 60) -> str:
    """``value`` on one line, cut to ``width`` characters."""
    text = value if isinstance(value, str) else repr(jsonable(value))
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
