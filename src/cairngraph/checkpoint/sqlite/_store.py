"""Rows ↔ records for the SQLite saver: blobs with deltas, checkpoints, writes.

Everything here runs inside the saver's connection lock; nothing here opens
a transaction. Channel values are stored once per (thread, namespace,
channel, version). A list channel whose new value only appended to its
previous version is stored as a *delta*: the new items and a link to the
base. A delta chain starts at a full value (its root); a new full value is
written when the deltas since the root add up to the root's size, or the
chain reaches :data:`MAX_DEPTH`, so a step writes about the size of what it
appended and reading a value costs one query per chain.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import ormsgpack

from cairngraph.checkpoint._records import (
    UNKNOWN,
    BaseInfo,
    encode_blob,
    metadata_json,
    pack_record,
    rebuild,
    unpack_record,
)
from cairngraph.checkpoint.base import (
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    PendingWrite,
    checkpoint_config,
    write_index,
)
from cairngraph.checkpoint.serde.base import SerializerProtocol
from cairngraph.errors import CorruptDataError, SerializationError

__all__ = ["Store"]


class Store:
    """The row-level operations, given a connection and a serializer."""

    def __init__(self, conn: sqlite3.Connection, serde: SerializerProtocol) -> None:
        self.conn = conn
        self.serde = serde

    # -- writing ---------------------------------------------------------------

    def put_checkpoint(
        self,
        thread_id: str,
        ns: str,
        parent_id: str | None,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: Mapping[str, int],
    ) -> None:
        values = checkpoint.channel_values
        rows = []
        for channel, version in new_versions.items():
            if channel not in values:
                continue
            rows.append(
                self._blob_row(
                    thread_id,
                    ns,
                    channel,
                    version,
                    values[channel],
                    checkpoint.channel_appends.get(channel),
                )
            )
        if rows:
            self.conn.executemany(
                "INSERT OR IGNORE INTO cairn_blobs (thread_id, ns, channel, version, type, "
                "payload, base_version, kept, root_version, depth, delta_bytes, full_bytes) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        meta_tag, meta = self.serde.dumps_typed(dict(metadata))
        self.conn.execute(
            "INSERT OR REPLACE INTO cairn_checkpoints (thread_id, ns, checkpoint_id, parent_id, "
            "record, meta_type, meta, meta_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                thread_id,
                ns,
                checkpoint.id,
                parent_id,
                pack_record(checkpoint),
                meta_tag,
                meta,
                metadata_json(metadata, meta_tag),
            ),
        )

    def _blob_row(
        self,
        thread_id: str,
        ns: str,
        channel: str,
        version: int,
        value: Any,
        append: tuple[int, int] | None,
    ) -> tuple[Any, ...]:
        base = None
        if append is not None:
            found = self.conn.execute(
                "SELECT root_version, depth, delta_bytes, full_bytes FROM cairn_blobs "
                "WHERE thread_id = ? AND ns = ? AND channel = ? AND version = ?",
                (thread_id, ns, channel, append[0]),
            ).fetchone()
            base = None if found is None else BaseInfo(*found)
        blob = encode_blob(self.serde, version, value, append, base)
        return (thread_id, ns, channel, version, *blob)

    def put_writes(
        self,
        thread_id: str,
        ns: str,
        checkpoint_id: str,
        task_id: str,
        task_path: str,
        writes: Sequence[tuple[str, Any]],
    ) -> None:
        keep_first: list[tuple[Any, ...]] = []
        replace: list[tuple[Any, ...]] = []
        for position, (channel, value) in enumerate(writes):
            index = write_index(channel, position)
            tag, payload = self.serde.dumps_typed(value)
            row = (thread_id, ns, checkpoint_id, task_id, index, channel, tag, payload, task_path)
            (replace if index < 0 else keep_first).append(row)
        columns = (
            "INTO cairn_writes (thread_id, ns, checkpoint_id, task_id, idx, channel, type, "
            "payload, task_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        if keep_first:
            self.conn.executemany("INSERT OR IGNORE " + columns, keep_first)
        if replace:
            self.conn.executemany("INSERT OR REPLACE " + columns, replace)

    # -- reading ---------------------------------------------------------------

    def load(
        self, rows: Iterable[tuple[Any, ...]], cache: dict[tuple[str, str, str, int], Any]
    ) -> list[CheckpointTuple]:
        """Checkpoint rows ``(thread, ns, id, parent, record, meta_type, meta)`` → tuples."""
        rows = list(rows)
        writes = self._writes_for(rows)
        self.preload(rows, cache)
        found = []
        for thread_id, ns, checkpoint_id, parent_id, record, meta_type, meta in rows:
            where = f"thread {thread_id!r}, checkpoint {checkpoint_id!r}"
            try:
                _v, _ts, versions, _seen, _updated = ormsgpack.unpackb(record)
            except (ValueError, TypeError) as error:
                raise CorruptDataError(f"{where}: the checkpoint record does not decode") from error
            values = self._values(thread_id, ns, versions, cache, where)
            checkpoint = unpack_record(checkpoint_id, record, values)
            metadata = self._decode(meta_type, meta, f"{where}, metadata")
            parent = None if parent_id is None else checkpoint_config(thread_id, ns, parent_id)
            found.append(
                CheckpointTuple(
                    config=checkpoint_config(thread_id, ns, checkpoint_id),
                    checkpoint=checkpoint,
                    metadata=metadata,
                    parent_config=parent,
                    pending_writes=writes.get((thread_id, ns, checkpoint_id), []),
                )
            )
        return found

    def _decode(self, tag: str, payload: bytes, where: str) -> Any:
        try:
            return self.serde.loads_typed((tag, payload))
        except SerializationError as error:
            raise type(error)(f"{where}: {error}") from error

    def _writes_for(
        self, rows: list[tuple[Any, ...]]
    ) -> dict[tuple[str, str, str], list[PendingWrite]]:
        """The pending writes of every checkpoint in ``rows``, in one query."""
        found: dict[tuple[str, str, str], list[PendingWrite]] = {}
        keys = json.dumps([[row[0], row[1], row[2]] for row in rows])
        for thread_id, ns, checkpoint_id, task_id, channel, tag, payload in self.conn.execute(
            "SELECT thread_id, ns, checkpoint_id, task_id, channel, type, payload "
            "FROM cairn_writes WHERE (thread_id, ns, checkpoint_id) IN "
            "(SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?)) "
            "ORDER BY thread_id, ns, checkpoint_id, task_id, idx",
            (keys,),
        ):
            where = f"thread {thread_id!r}, checkpoint {checkpoint_id!r}, write {channel!r}"
            value = self._decode(tag, payload, where)
            found.setdefault((thread_id, ns, checkpoint_id), []).append(
                PendingWrite(task_id, channel, value)
            )
        return found

    def preload(
        self, rows: list[tuple[Any, ...]], cache: dict[tuple[str, str, str, int], Any]
    ) -> None:
        """Decode, in one query, the full values the checkpoints in ``rows`` need."""
        wanted: set[tuple[str, str, str, int]] = set()
        for thread_id, ns, _id, _parent, record, _type, _meta in rows:
            versions = ormsgpack.unpackb(record)[2]
            wanted.update(
                key
                for key in ((thread_id, ns, ch, v) for ch, v in versions.items())
                if key not in cache
            )
        if not wanted:
            return
        keys = json.dumps(sorted(wanted))
        for thread_id, ns, channel, version, tag, payload in self.conn.execute(
            "SELECT thread_id, ns, channel, version, type, payload FROM cairn_blobs "
            "WHERE (thread_id, ns, channel, version) IN (SELECT value ->> 0, value ->> 1, "
            "value ->> 2, value ->> 3 FROM json_each(?)) AND base_version IS NULL",
            (keys,),
        ):
            try:
                value = self.serde.loads_typed((tag, payload))
            except SerializationError:
                # Not cached: loading the checkpoint that needs it raises, naming
                # the thread, the checkpoint and the channel.
                continue
            cache[(thread_id, ns, channel, version)] = value

    def _values(
        self,
        thread_id: str,
        ns: str,
        versions: Mapping[str, int],
        cache: dict[tuple[str, str, str, int], Any],
        where: str,
    ) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for channel, version in versions.items():
            key = (thread_id, ns, channel, version)
            if key not in cache:
                cache[key] = self._value(thread_id, ns, channel, version, cache, where)
            value = cache[key]
            if value is not _ABSENT:
                values[channel] = value
        return values

    def _value(
        self,
        thread_id: str,
        ns: str,
        channel: str,
        version: int,
        cache: dict[tuple[str, str, str, int], Any],
        where: str,
    ) -> Any:
        row = self.conn.execute(
            "SELECT type, payload, base_version, root_version FROM cairn_blobs "
            "WHERE thread_id = ? AND ns = ? AND channel = ? AND version = ?",
            (thread_id, ns, channel, version),
        ).fetchone()
        if row is None:
            return _ABSENT
        tag, payload, base_version, root = row
        here = f"{where}, channel {channel!r}"
        if base_version is None:
            return self._decode(tag, payload, here)
        chain = {
            found[0]: found[1:]
            for found in self.conn.execute(
                "SELECT version, type, payload, base_version, kept FROM cairn_blobs "
                "WHERE thread_id = ? AND ns = ? AND channel = ? AND root_version = ?",
                (thread_id, ns, channel, root),
            )
        }
        try:
            return rebuild(
                version,
                chain,
                lambda at: cache.get((thread_id, ns, channel, at), UNKNOWN),
                lambda at, value: cache.__setitem__((thread_id, ns, channel, at), value),
                lambda tag, data: self._decode(tag, data, here),
            )
        except CorruptDataError as error:
            raise CorruptDataError(f"{here}: {error}") from error


class _Absent:
    __slots__ = ()


_ABSENT = _Absent()
