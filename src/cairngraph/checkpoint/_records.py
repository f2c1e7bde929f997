"""Backend-neutral rules for storing checkpoints: records, metadata, deltas.

Both durable savers (SQLite, PostgreSQL) store the same shapes and make the
same choices through these functions, so the on-disk semantics cannot drift
between them:

- a checkpoint *record* is plain msgpack of its versions (never user data);
- metadata is stored through the saver's serializer, plus plain JSON for
  filtering when the serializer does not encrypt;
- a list value that only appended to its previous version is a *delta* (new
  items + a link to the base); a delta chain starts at a full value (its
  root), and a new full value is written when the deltas since the root add
  up to the root's size or the chain reaches :data:`MAX_DEPTH`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import ormsgpack

from cairngraph.checkpoint.base import Checkpoint
from cairngraph.checkpoint.serde.base import SerializerProtocol
from cairngraph.errors import CorruptDataError

__all__ = [
    "MAX_DEPTH",
    "BaseInfo",
    "Blob",
    "encode_blob",
    "metadata_json",
    "pack_record",
    "rebuild",
    "unpack_record",
]

MAX_DEPTH = 1024
"""Longest chain of deltas before a full value is stored again."""


def pack_record(checkpoint: Checkpoint) -> bytes:
    """The small part of a checkpoint, in plain msgpack (versions are not user data)."""
    return ormsgpack.packb(
        [
            checkpoint.v,
            checkpoint.ts,
            dict(checkpoint.channel_versions),
            {node: dict(seen) for node, seen in checkpoint.versions_seen.items()},
            list(checkpoint.updated_channels),
        ]
    )


def unpack_record(checkpoint_id: str, record: bytes, values: dict[str, Any]) -> Checkpoint:
    v, ts, versions, seen, updated = ormsgpack.unpackb(record)
    return Checkpoint(
        id=checkpoint_id,
        ts=ts,
        channel_values=values,
        channel_versions=versions,
        versions_seen=seen,
        updated_channels=tuple(updated),
        v=v,
    )


def metadata_json(metadata: Mapping[str, Any], tag: str) -> str | None:
    """Plain JSON of the metadata for SQL filtering; None when it must stay sealed."""
    if tag.endswith("+aesgcm"):
        return None
    try:
        return json.dumps(dict(metadata), separators=(",", ":"))
    except (TypeError, ValueError):
        return None


class BaseInfo(NamedTuple):
    """What a delta needs to know of the blob it extends."""

    root_version: int
    depth: int
    delta_bytes: int
    full_bytes: int


class Blob(NamedTuple):
    """One stored channel value: full (``base_version`` None) or a delta."""

    type: str
    payload: bytes
    base_version: int | None
    kept: int | None
    root_version: int
    depth: int
    delta_bytes: int
    full_bytes: int


def encode_blob(
    serde: SerializerProtocol,
    version: int,
    value: Any,
    append: tuple[int, int] | None,
    base: BaseInfo | None,
) -> Blob:
    """Store ``value`` as a delta on ``base`` when it only appended and the chain allows."""
    if append is not None and base is not None and isinstance(value, list):
        base_version, kept = append
        tag, payload = serde.dumps_typed(value[kept:])
        total = base.delta_bytes + len(payload)
        if base.depth + 1 < MAX_DEPTH and total < max(base.full_bytes, 4096):
            return Blob(
                tag,
                payload,
                base_version,
                kept,
                base.root_version,
                base.depth + 1,
                total,
                base.full_bytes,
            )
    tag, payload = serde.dumps_typed(value)
    return Blob(tag, payload, None, None, version, 0, 0, len(payload))


def rebuild(
    version: int,
    chain: Mapping[int, tuple[str, bytes, int | None, int | None]],
    known: Callable[[int], Any],
    remember: Callable[[int, Any], None],
    decode: Callable[[str, bytes], Any],
) -> Any:
    """The whole list at ``version`` from its chain: ``version → (type, payload, base, kept)``.

    ``known(v)`` returns an already-built value or ``_UNKNOWN``; ``remember``
    stores each value built on the way, so a history listing builds each once.
    """
    path = []
    current: int | None = version
    while current is not None:
        found = known(current)
        if found is not UNKNOWN:
            break
        link = chain.get(current)
        if link is None:
            raise CorruptDataError(f"delta chain broken at version {current}")
        path.append((current, link))
        current = link[2]
    value: list[Any] = [] if current is None else list(known(current))
    for at, (tag, payload, base, kept) in reversed(path):
        decoded = decode(tag, payload)
        value = decoded if base is None else value[:kept] + decoded
        remember(at, value)
    return value


class _Unknown:
    __slots__ = ()


UNKNOWN: Any = _Unknown()
"""Returned by ``known`` for a version not built yet."""
