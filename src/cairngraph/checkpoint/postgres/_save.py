"""The PostgreSQL savers' saving operations, each written once as a generator of statements.

Invariants:

- A step (its tasks' last writes, its new channel values and its checkpoint)
  is ONE statement of data-modifying CTEs, so it commits atomically in one
  round trip; a step that appends to a list first reads its delta bases only
  when this saver did not commit them itself (:class:`KnownBases`).
- Writes with an index >= 0 keep the first value saved (``ON CONFLICT DO
  NOTHING``: a retried task cannot duplicate them); negative indexes (error,
  interrupt, resume) replace the older value.
- Saving a checkpoint again with the same id replaces its record and
  metadata and keeps existing blobs: every write is idempotent.
"""

from __future__ import annotations

import base64
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from cairngraph.checkpoint._records import BaseInfo, encode_blob, metadata_json, pack_record
from cairngraph.checkpoint.base import (
    RunnableConfig,
    StepSave,
    checkpoint_config,
    config_checkpoint_id,
    config_namespace,
    config_thread_id,
    write_index,
)
from cairngraph.checkpoint.postgres._statements import Atomic, Op, Query
from cairngraph.checkpoint.serde.base import SerializerProtocol

__all__ = ["KnownBases", "Learned", "put_step", "put_steps", "put_writes"]

# Rows travel as one JSON parameter per table (payloads in base64): far cheaper for
# the server than one array parameter per column.
_BLOB_INSERT = (
    "INSERT INTO cairn_blobs (thread_id, ns, channel, version, type, payload, "
    "base_version, kept, root_version, depth, delta_bytes, full_bytes) SELECT t, n, c, v, y, "
    "decode(p, 'base64'), b, k, r, d, db, fb FROM json_to_recordset(%s::json) AS x(t text, "
    "n text, c text, v bigint, y text, p text, b bigint, k int, r bigint, d int, db int, "
    "fb int) ON CONFLICT DO NOTHING"
)
_WRITES_SELECT = (
    "SELECT t, n, c, k, i, ch, y, decode(p, 'base64'), tp FROM json_to_recordset(%s::json) "
    "AS x(t text, n text, c text, k text, i int, ch text, y text, p text, tp text)"
)
_WRITE_INSERT = (
    "INSERT INTO cairn_writes (thread_id, ns, checkpoint_id, task_id, idx, channel, type, "
    "payload, task_path) " + _WRITES_SELECT
)
_KEEP_FIRST = _WRITE_INSERT + " ON CONFLICT DO NOTHING"
_REPLACE = (
    _WRITE_INSERT + " ON CONFLICT (thread_id, ns, checkpoint_id, task_id, idx) DO UPDATE SET "
    "channel = excluded.channel, type = excluded.type, payload = excluded.payload"
)
_CHECKPOINT_INSERT = (
    "INSERT INTO cairn_checkpoints (thread_id, ns, checkpoint_id, parent_id, record, "
    "meta_type, meta, meta_json) VALUES (%s, %s, %s, %s, %s, %s, %s, %s::jsonb) ON CONFLICT "
    "(thread_id, ns, checkpoint_id) DO UPDATE SET record = excluded.record, meta_type = "
    "excluded.meta_type, meta = excluded.meta, meta_json = excluded.meta_json"
)


@cache
def _statement(blobs: bool, keep_first: bool, replace: bool, checkpoint: bool) -> str:
    """One statement of the parts a save has rows for (a part with none costs the server work).

    Its parameters come in the order of the parts: blobs, writes kept first,
    writes replaced, then the checkpoint's columns.
    """
    parts = [
        name + " AS (" + sql + ")"
        for name, sql, present in (
            ("blobs", _BLOB_INSERT, blobs),
            ("first", _KEEP_FIRST, keep_first),
            ("latest", _REPLACE, replace),
        )
        if present
    ]
    last = _CHECKPOINT_INSERT if checkpoint else "SELECT 1"
    return ("WITH " + ", ".join(parts) + " " if parts else "") + last


_BASES = (
    "SELECT b.channel, b.root_version, b.depth, b.delta_bytes, b.full_bytes FROM "
    "unnest(%s::text[], %s::bigint[]) AS k(c, v) JOIN cairn_blobs b ON b.thread_id = %s "
    "AND b.ns = %s AND b.channel = k.c AND b.version = k.v"
)
_BLOB_KEYS = ("t", "n", "c", "v", "y", "p", "b", "k", "r", "d", "db", "fb")
_WRITE_KEYS = ("t", "n", "c", "k", "i", "ch", "y", "p", "tp")


def _json_rows(rows: Sequence[Sequence[Any]], keys: Sequence[str], payload: int) -> str:
    """Rows as the JSON ``json_to_recordset`` reads; column ``payload`` in base64."""
    records = []
    for row in rows:
        record = dict(zip(keys, row, strict=True))
        record[keys[payload]] = base64.b64encode(row[payload]).decode("ascii")
        records.append(record)
    return _to_json(records)


_to_json = json.JSONEncoder(separators=(",", ":")).encode


class _WriteRows:
    """The rows of some tasks' writes, split by conflict rule, as JSON parameters."""

    def __init__(self, serde: SerializerProtocol, thread_id: str, ns: str, checkpoint_id: str):
        self.serde, self.key = serde, (thread_id, ns, checkpoint_id)
        self.keep_first: list[tuple[Any, ...]] = []
        # Keyed, so that one statement never updates a row twice (the last write wins).
        self.replace: dict[tuple[str, int], tuple[Any, ...]] = {}

    def add(self, task_id: str, task_path: str, writes: Sequence[tuple[str, Any]]) -> None:
        for position, (channel, value) in enumerate(writes):
            index = write_index(channel, position)
            tag, payload = self.serde.dumps_typed(value)
            row = (*self.key, task_id, index, channel, tag, payload, task_path)
            if index < 0:
                self.replace[(task_id, index)] = row
            else:
                self.keep_first.append(row)

    def params(self) -> list[str]:
        """The JSON parameters of the parts that have rows, keep-first before replace."""
        return [
            _json_rows(rows, _WRITE_KEYS, 7)
            for rows in (self.keep_first, list(self.replace.values()))
            if rows
        ]


def put_writes(
    serde: SerializerProtocol,
    config: RunnableConfig,
    writes: Sequence[tuple[str, Any]],
    task_id: str,
    task_path: str,
) -> Op:
    checkpoint_id = config_checkpoint_id(config)
    assert checkpoint_id is not None, "the saver checks this before building the operation"
    rows = _WriteRows(serde, config_thread_id(config), config_namespace(config), checkpoint_id)
    rows.add(task_id, task_path, writes)
    if rows.keep_first or rows.replace:
        sql = _statement(False, bool(rows.keep_first), bool(rows.replace), checkpoint=False)
        yield Query(sql, rows.params())


ChannelKey = tuple[str, str, str]
"""``(thread_id, ns, channel)``."""

Learned = dict[ChannelKey, tuple[int, BaseInfo]]
"""The blobs an operation is saving, to :meth:`KnownBases.learn` once it committed."""

_IDLE = 0
"""libpq's ``PQTRANS_IDLE`` (``psycopg.pq.TransactionStatus.IDLE``): no transaction open."""


class KnownBases:
    """The newest blob per channel that this saver committed, as a delta base.

    A step that appends to a list stores a delta on the channel's previous
    version, and needs that blob's :class:`BaseInfo`. In a run, the previous
    version is almost always the blob this saver committed one step earlier:
    remembering it saves a round trip per step. Only committed blobs are
    learned (the savers call :meth:`learn` once the transaction is done), and
    a miss (another process wrote the base) reads it from the table.
    """

    def __init__(self, limit: int = 10_000) -> None:
        self._limit = limit
        self._mutex = threading.Lock()
        self._newest: OrderedDict[ChannelKey, tuple[int, BaseInfo]] = OrderedDict()

    def get(self, key: ChannelKey, version: int) -> BaseInfo | None:
        with self._mutex:
            found = self._newest.get(key)
        return found[1] if found is not None and found[0] == version else None

    def learn(self, learned: Mapping[ChannelKey, tuple[int, BaseInfo]]) -> None:
        with self._mutex:
            for key, newest in learned.items():
                self._newest[key] = newest
                self._newest.move_to_end(key)
            while len(self._newest) > self._limit:
                self._newest.popitem(last=False)

    def learn_if_committed(self, conn: Any, learned: Learned | None) -> None:
        """Learn ``learned`` when ``conn`` has no transaction open: its writes are committed.

        On a connection inside a caller's transaction they may still roll back.
        """
        if learned and conn.info.transaction_status == _IDLE:
            self.learn(learned)

    def forget(self, thread_id: str) -> None:
        with self._mutex:
            for key in [key for key in self._newest if key[0] == thread_id]:
                del self._newest[key]


def put_step(
    serde: SerializerProtocol,
    step: StepSave,
    known: KnownBases,
    learned: Learned,
) -> Op:
    """One statement: the step's blobs, its writes and the checkpoint, atomically.

    Its delta bases come from ``learned`` (earlier steps of the same batch),
    then ``known``, and only then from the table; the blobs it saves are
    added to ``learned``.
    """
    config, checkpoint, new_versions = step.config, step.checkpoint, step.new_versions
    thread_id, ns = config_thread_id(config), config_namespace(config)
    parent_id = config_checkpoint_id(config)
    writes = _WriteRows(serde, thread_id, ns, parent_id or "")
    if parent_id is not None:  # a first checkpoint has no parent to hold writes
        for item in step.task_writes:
            writes.add(item.task_id, item.task_path, item.writes)
    values = checkpoint.channel_values
    appends = {ch: hint for ch, hint in checkpoint.channel_appends.items() if ch in new_versions}
    bases: dict[str, BaseInfo] = {}
    for channel, (base_version, _kept) in appends.items():
        pending = learned.get((thread_id, ns, channel))
        if pending is not None and pending[0] == base_version:
            bases[channel] = pending[1]
        elif (info := known.get((thread_id, ns, channel), base_version)) is not None:
            bases[channel] = info
    missing = [channel for channel in appends if channel not in bases]
    if missing:
        found = yield Query(
            _BASES, (missing, [appends[ch][0] for ch in missing], thread_id, ns), "all"
        )
        bases.update((row[0], BaseInfo(*row[1:])) for row in found)
    blobs = []
    for channel, version in new_versions.items():
        if channel in values:
            blob = encode_blob(
                serde, version, values[channel], appends.get(channel), bases.get(channel)
            )
            blobs.append((thread_id, ns, channel, version, *blob))
            info = BaseInfo(blob.root_version, blob.depth, blob.delta_bytes, blob.full_bytes)
            learned[(thread_id, ns, channel)] = (version, info)
    meta_tag, meta = serde.dumps_typed(dict(step.metadata))
    record = pack_record(checkpoint)
    sql = _statement(bool(blobs), bool(writes.keep_first), bool(writes.replace), checkpoint=True)
    yield Query(
        sql,
        (
            *([_json_rows(blobs, _BLOB_KEYS, 5)] if blobs else []),
            *writes.params(),
            *(thread_id, ns, checkpoint.id, parent_id, record, meta_tag, meta),
            metadata_json(step.metadata, meta_tag),
        ),
    )
    return checkpoint_config(thread_id, ns, checkpoint.id)


def put_steps(
    serde: SerializerProtocol, steps: Sequence[StepSave], known: KnownBases, learned: Learned
) -> Op:
    """Several consecutive steps in one transaction: one commit for the batch."""
    yield Atomic()
    made = []
    for step in steps:
        made.append((yield from put_step(serde, step, known, learned)))
    return made
