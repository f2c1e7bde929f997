"""The portable thread file of ``cairn export`` / ``cairn import``: JSON Lines, version 1.

Layout (docs/cli.md has the full description)::

    {"format": "cairngraph-threads", "version": 1, "created_at": ...,
     "threads": T, "checkpoints": C}
    {"thread_id": ..., "checkpoint_ns": ..., "checkpoint_id": ..., "parent_checkpoint_id": ...,
     "ts": ..., "v": 1, "channel_values": {key: VALUE}, "channel_versions": VALUE,
     "versions_seen": VALUE, "updated_channels": [...], "metadata": VALUE,
     "writes": [{"task_id": ..., "channel": ..., "value": VALUE}]}
    ... one line per checkpoint, each thread's namespaces oldest first ...
    {"end": true, "checkpoints": C}

Invariants:

- A VALUE is ``{"json": x}`` when ``x`` is plain JSON data (None, bool, int,
  finite float, str, lists and str-keyed dicts of those), so it stays
  readable; anything else is ``{"msgpack": "<base64>"}``, the bytes of
  cairngraph's typed msgpack serializer. Reading rebuilds only registered
  types, exactly as loading a checkpoint does; pickle is never used.
- A parent line comes before its children, so an import can replay the file
  in order; the end line makes a cut-off file an error, not a partial import.
"""

from __future__ import annotations

import base64
import datetime
import json
from collections.abc import Iterable, Iterator
from typing import Any

from cairngraph.checkpoint.base import Checkpoint, CheckpointTuple, PendingWrite
from cairngraph.checkpoint.serde import MsgpackSerializer
from cairngraph.cli._copy import SavedCheckpoint
from cairngraph.cli._view import checkpoint_id
from cairngraph.errors import CairnGraphError

__all__ = ["FORMAT", "VERSION", "TransferError", "decode_lines", "encode_items", "read_header"]

FORMAT = "cairngraph-threads"
VERSION = 1


class TransferError(CairnGraphError, ValueError):
    """A thread file that is not in this format, or is cut off or damaged."""


def _plain(value: Any) -> bool:
    if value is None or type(value) in (bool, int, str):
        return True
    if type(value) is float:
        return value == value and abs(value) != float("inf")
    if type(value) is list:
        return all(_plain(item) for item in value)
    if type(value) is dict:
        return all(type(key) is str and _plain(item) for key, item in value.items())
    return False


def encode_value(value: Any, codec: MsgpackSerializer) -> dict[str, Any]:
    """``value`` as a typed JSON VALUE (see the module docstring)."""
    if _plain(value):
        return {"json": value}
    tag, data = codec.dumps_typed(value)
    if tag == "null":
        return {"json": None}
    if tag != "msgpack":
        return {tag: base64.b64encode(data).decode("ascii")}
    return {"msgpack": base64.b64encode(data).decode("ascii")}


def decode_value(encoded: Any, codec: MsgpackSerializer, where: str) -> Any:
    """The value a VALUE holds; registered types only."""
    if not isinstance(encoded, dict) or len(encoded) != 1:
        raise TransferError(
            f"{where}: a value must be {{'json': ...}} or {{'msgpack': ...}}, not {encoded!r}"
        )
    ((tag, body),) = encoded.items()
    if tag == "json":
        return body
    if tag in ("msgpack", "bytes", "bytearray") and isinstance(body, str):
        return codec.loads_typed((tag, base64.b64decode(body)))
    raise TransferError(f"{where}: unknown value tag {tag!r}; this file needs a newer cairngraph?")


def encode_items(items: Iterable[CheckpointTuple], codec: MsgpackSerializer) -> Iterator[str]:
    """The file's lines (without newlines) for ``items``: header, checkpoints, end."""
    ordered = sorted(
        items, key=lambda i: (str(i.config["configurable"]["thread_id"]), _ns(i), checkpoint_id(i))
    )
    threads = {str(i.config["configurable"]["thread_id"]) for i in ordered}
    created = datetime.datetime.now(datetime.UTC).isoformat()
    yield json.dumps(
        {
            "format": FORMAT,
            "version": VERSION,
            "created_at": created,
            "threads": len(threads),
            "checkpoints": len(ordered),
        }
    )
    for item in ordered:
        yield json.dumps(_encode(item, codec), ensure_ascii=False)
    yield json.dumps({"end": True, "checkpoints": len(ordered)})


def _ns(item: CheckpointTuple) -> str:
    return str(item.config["configurable"].get("checkpoint_ns", ""))


def _encode(item: CheckpointTuple, codec: MsgpackSerializer) -> dict[str, Any]:
    saved = item.checkpoint
    parent = item.parent_config
    return {
        "thread_id": str(item.config["configurable"]["thread_id"]),
        "checkpoint_ns": _ns(item),
        "checkpoint_id": saved.id,
        "parent_checkpoint_id": parent["configurable"].get("checkpoint_id") if parent else None,
        "ts": saved.ts,
        "v": saved.v,
        "channel_values": {k: encode_value(v, codec) for k, v in saved.channel_values.items()},
        "channel_versions": encode_value(dict(saved.channel_versions), codec),
        "versions_seen": encode_value({k: dict(v) for k, v in saved.versions_seen.items()}, codec),
        "updated_channels": list(saved.updated_channels),
        "metadata": encode_value(dict(item.metadata), codec),
        "writes": [
            {"task_id": w.task_id, "channel": w.channel, "value": encode_value(w.value, codec)}
            for w in item.pending_writes
        ],
    }


def read_header(first: str, name: str) -> dict[str, Any]:
    """The header line, checked: this format, a version this code reads."""
    try:
        header = json.loads(first)
    except json.JSONDecodeError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise TransferError(
            f"{name} is not a cairn export (its first line is no {FORMAT} header); make one "
            "with: cairn export -o FILE"
        )
    if header.get("version") != VERSION:
        raise TransferError(
            f"{name} is format version {header.get('version')!r}; this cairngraph reads version "
            f"{VERSION}. Upgrade cairngraph to import it."
        )
    return header


def decode_lines(
    lines: Iterable[str], codec: MsgpackSerializer, name: str
) -> Iterator[SavedCheckpoint | int]:
    """Each checkpoint line decoded, then the end line's count (an int), checked."""
    number = 1
    for number, text in enumerate(lines, start=2):
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as error:
            raise TransferError(
                f"{name} line {number} is not JSON ({error.msg}); the file is damaged"
            ) from None
        if raw.get("end") is True:
            yield int(raw.get("checkpoints", -1))
            return
        yield _decode(raw, codec, f"{name} line {number}")
    raise TransferError(f"{name} ends at line {number} without its end line: the file is cut off")


def _decode(raw: dict[str, Any], codec: MsgpackSerializer, where: str) -> SavedCheckpoint:
    try:
        checkpoint = Checkpoint(
            id=str(raw["checkpoint_id"]),
            ts=str(raw["ts"]),
            channel_values={
                k: decode_value(v, codec, where) for k, v in raw["channel_values"].items()
            },
            channel_versions=decode_value(raw["channel_versions"], codec, where),
            versions_seen=decode_value(raw["versions_seen"], codec, where),
            updated_channels=tuple(raw["updated_channels"]),
            v=int(raw["v"]),
        )
        writes = tuple(
            PendingWrite(
                str(w["task_id"]), str(w["channel"]), decode_value(w["value"], codec, where)
            )
            for w in raw["writes"]
        )
        return SavedCheckpoint(
            thread_id=str(raw["thread_id"]),
            ns=str(raw["checkpoint_ns"]),
            parent_id=raw["parent_checkpoint_id"],
            checkpoint=checkpoint,
            metadata=decode_value(raw["metadata"], codec, where),
            writes=writes,
        )
    except CairnGraphError:  # an unregistered type (a TypeError too) says it itself
        raise
    except (KeyError, TypeError, AttributeError) as error:
        raise TransferError(
            f"{where} lacks a field or has a wrong one ({error!r}); the file is damaged"
        ) from None
