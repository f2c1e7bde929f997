"""Checkpoint rows back to :class:`CheckpointTuple` values, with their data fetched in bulk.

Invariants:

- A page of checkpoints costs a fixed number of statements, whatever its
  length: one for the pending writes of all of them, and one for the channel
  values of all of them together with the delta chains those values belong to.
- A value shared by several checkpoints of the page is decoded once.
- A channel the checkpoint names at a version with no blob is an empty
  channel: it is left out of ``channel_values``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from cairngraph.checkpoint._records import UNKNOWN, rebuild, unpack_record
from cairngraph.checkpoint.base import (
    CheckpointMetadata,
    CheckpointTuple,
    PendingWrite,
    checkpoint_config,
)
from cairngraph.checkpoint.postgres._statements import Op, Query
from cairngraph.checkpoint.serde.base import SerializerProtocol
from cairngraph.errors import SerializationError

__all__ = [
    "SELECT_CHECKPOINTS",
    "Row",
    "decode",
    "load",
    "load_with_writes",
    "read_rows",
    "with_writes",
]

SELECT_CHECKPOINTS = (
    "SELECT thread_id, ns, checkpoint_id, parent_id, record, meta_type, meta FROM cairn_checkpoints"
)
"""The columns :func:`read_rows` expects, in order."""

_WITH_WRITES = (
    "SELECT c.*, w.task_id, w.channel, w.type, w.payload FROM ({}) c LEFT JOIN cairn_writes w "
    "ON w.thread_id = c.thread_id AND w.ns = c.ns AND w.checkpoint_id = c.checkpoint_id "
    "ORDER BY w.task_id, w.idx"
)

_WRITES = (
    "SELECT w.thread_id, w.ns, w.checkpoint_id, w.task_id, w.channel, w.type, w.payload "
    "FROM cairn_writes w JOIN unnest(%s::text[], %s::text[], %s::text[]) AS k(t, n, c) "
    "ON w.thread_id = k.t AND w.ns = k.n AND w.checkpoint_id = k.c "
    "ORDER BY w.thread_id, w.ns, w.checkpoint_id, w.task_id, w.idx"
)
_BLOBS = (
    "WITH wanted AS (SELECT b.thread_id, b.ns, b.channel, b.version, b.type, b.payload, "
    "b.base_version, b.kept, b.root_version FROM unnest(%s::text[], %s::text[], %s::text[], "
    "%s::bigint[]) AS k(t, n, c, v) JOIN cairn_blobs b ON b.thread_id = k.t AND b.ns = k.n "
    "AND b.channel = k.c AND b.version = k.v), "
    "roots AS (SELECT DISTINCT thread_id, ns, channel, root_version FROM wanted "
    "WHERE base_version IS NOT NULL) "
    "SELECT thread_id, ns, channel, version, type, payload, base_version, kept, true FROM wanted "
    "UNION ALL SELECT b.thread_id, b.ns, b.channel, b.version, b.type, b.payload, "
    "b.base_version, b.kept, false FROM roots r JOIN cairn_blobs b ON b.thread_id = r.thread_id "
    "AND b.ns = r.ns AND b.channel = r.channel AND b.root_version = r.root_version "
    "WHERE NOT EXISTS (SELECT 1 FROM wanted w WHERE w.thread_id = b.thread_id AND w.ns = b.ns "
    "AND w.channel = b.channel AND w.version = b.version)"
)
"""The blobs asked for, and with them every other blob of the delta chains they belong to."""

BlobKey = tuple[str, str, str, int]
"""``(thread_id, ns, channel, version)``."""


@dataclass(frozen=True, slots=True)
class Row:
    """One checkpoint row, its metadata already decoded (filters look at it first)."""

    thread_id: str
    ns: str
    checkpoint_id: str
    parent_id: str | None
    record: bytes
    metadata: CheckpointMetadata


def read_rows(serde: SerializerProtocol, rows: Sequence[Sequence[Any]]) -> list[Row]:
    """Rows of :data:`SELECT_CHECKPOINTS` as :class:`Row` records."""
    found = []
    for thread_id, ns, checkpoint_id, parent_id, record, meta_type, meta in rows:
        where = f"thread {thread_id!r}, checkpoint {checkpoint_id!r}, metadata"
        metadata = decode(serde, meta_type, bytes(meta), where)
        found.append(Row(thread_id, ns, checkpoint_id, parent_id, bytes(record), metadata))
    return found


def with_writes(select: str) -> str:
    """``select`` (of :data:`SELECT_CHECKPOINTS`, one row at most) joined with that row's writes.

    One statement instead of two for :func:`load_with_writes`; ``select`` is
    constant SQL, its values are parameters.
    """
    return _WITH_WRITES.format(select)


def load_with_writes(serde: SerializerProtocol, rows: Sequence[Sequence[Any]]) -> Op:
    """The checkpoint of a :func:`with_writes` statement's ``rows``, or None."""
    if not rows:
        return None
    first = read_rows(serde, [rows[0][:7]])
    key = (first[0].thread_id, first[0].ns, first[0].checkpoint_id)
    found = _pending(serde, (key + tuple(row[7:]) for row in rows if row[7] is not None))
    loaded = yield from load(serde, first, found)
    return loaded[0]


def load(
    serde: SerializerProtocol,
    rows: Sequence[Row],
    writes: dict[tuple[str, str, str], list[PendingWrite]] | None = None,
) -> Op:
    """The tuples of ``rows``, in the same order, with values and writes fetched in bulk.

    ``writes``, when given, are the rows' pending writes, already fetched.
    """
    if not rows:
        return []
    stored = {
        (r.thread_id, r.ns, r.checkpoint_id): unpack_record(r.checkpoint_id, r.record, {})
        for r in rows
    }
    wanted = sorted(
        {
            (key[0], key[1], channel, version)
            for key, checkpoint in stored.items()
            for channel, version in checkpoint.channel_versions.items()
        }
    )
    if writes is None:
        keys = list(stored)
        found = yield Query(_WRITES, tuple([key[i] for key in keys] for i in range(3)), "all")
        writes = _pending(serde, found)
    values = yield from _values(serde, wanted)
    result = []
    for row in rows:
        key = (row.thread_id, row.ns, row.checkpoint_id)
        checkpoint = stored[key]
        channel_values = {
            channel: values[(row.thread_id, row.ns, channel, version)]
            for channel, version in checkpoint.channel_versions.items()
            if (row.thread_id, row.ns, channel, version) in values
        }
        result.append(
            CheckpointTuple(
                config=checkpoint_config(*key),
                checkpoint=replace(checkpoint, channel_values=channel_values),
                metadata=row.metadata,
                parent_config=None
                if row.parent_id is None
                else checkpoint_config(row.thread_id, row.ns, row.parent_id),
                pending_writes=writes.get(key, []),
            )
        )
    return result


def _pending(
    serde: SerializerProtocol, rows: Iterable[Sequence[Any]]
) -> dict[tuple[str, str, str], list[PendingWrite]]:
    """Rows of writes (thread, ns, checkpoint, task, channel, type, payload) per checkpoint."""
    writes: dict[tuple[str, str, str], list[PendingWrite]] = {}
    for thread_id, ns, checkpoint_id, task_id, channel, tag, payload in rows:
        where = f"thread {thread_id!r}, checkpoint {checkpoint_id!r}, write to {channel!r}"
        value = decode(serde, tag, bytes(payload), where)
        writes.setdefault((thread_id, ns, checkpoint_id), []).append(
            PendingWrite(task_id, channel, value)
        )
    return writes


def _values(serde: SerializerProtocol, wanted: list[BlobKey]) -> Op:
    """The value of each blob in ``wanted`` that exists, deltas rebuilt whole (one statement)."""
    if not wanted:
        return {}
    rows = yield Query(_BLOBS, tuple([key[i] for key in wanted] for i in range(4)), "all")
    values: dict[BlobKey, Any] = {}
    chains: dict[tuple[str, str, str], dict[int, tuple[str, bytes, int | None, int | None]]] = {}
    deltas = []
    for thread_id, ns, channel, version, tag, payload, base, kept, asked in rows:
        chains.setdefault((thread_id, ns, channel), {})[version] = (tag, bytes(payload), base, kept)
        if asked and base is None:
            where = f"thread {thread_id!r}, channel {channel!r}"
            values[(thread_id, ns, channel, version)] = decode(serde, tag, bytes(payload), where)
        elif asked:
            deltas.append((thread_id, ns, channel, version))
    for thread_id, ns, channel, version in deltas:
        cache = _ChannelCache(values, (thread_id, ns, channel), serde)
        values[(thread_id, ns, channel, version)] = rebuild(
            version, chains[(thread_id, ns, channel)], cache.known, cache.remember, cache.decode
        )
    return values


class _ChannelCache:
    """The values of one channel built so far, as :func:`rebuild` wants to see them."""

    def __init__(
        self, values: dict[BlobKey, Any], space: tuple[str, str, str], serde: SerializerProtocol
    ) -> None:
        self.values, self.space, self.serde = values, space, serde

    def known(self, version: int) -> Any:
        return self.values.get((*self.space, version), UNKNOWN)

    def remember(self, version: int, value: Any) -> None:
        self.values[(*self.space, version)] = value

    def decode(self, tag: str, payload: bytes) -> Any:
        thread_id, _ns, channel = self.space
        return decode(self.serde, tag, payload, f"thread {thread_id!r}, channel {channel!r}")


def decode(serde: SerializerProtocol, tag: str, payload: bytes, where: str) -> Any:
    """``serde.loads_typed``, its errors prefixed with where the bytes came from."""
    try:
        return serde.loads_typed((tag, payload))
    except SerializationError as error:
        raise type(error)(f"{where}: {error}") from error
