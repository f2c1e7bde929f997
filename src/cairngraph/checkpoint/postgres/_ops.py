"""Every PostgreSQL operation, written once as a generator of statements.

An operation yields :class:`Query` and :class:`Batch` values and receives
each one's rows back; the sync saver (``__init__.py``) and the async saver
(``aio.py``) run the same generators, each with its own driver, inside one
transaction. All SQL is constant text with ``%s`` placeholders.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

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
    RunnableConfig,
    StepSave,
    TaskWrites,
    checkpoint_config,
    config_checkpoint_id,
    config_namespace,
    config_thread_id,
    metadata_matches,
    write_index,
)
from cairngraph.checkpoint.serde.base import SerializerProtocol
from cairngraph.errors import SchemaVersionError, SerializationError

__all__ = [
    "Batch",
    "Query",
    "delete_thread",
    "get_tuple",
    "list_page",
    "put_step",
    "put_writes",
    "setup",
]


@dataclass(frozen=True, slots=True)
class Query:
    sql: str
    params: Sequence[Any] = ()
    fetch: Literal["none", "one", "all"] = "none"


@dataclass(frozen=True, slots=True)
class Batch:
    sql: str
    rows: Sequence[Sequence[Any]]


@dataclass(frozen=True, slots=True)
class Atomic:
    """Yielded first by an operation that needs its statements in one transaction."""


Op = Generator[Query | Batch | Atomic, Any, Any]

MIGRATIONS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (
        1,
        "checkpoints, channel blobs with deltas, per-task writes",
        (
            """CREATE TABLE cairn_checkpoints (
                thread_id text NOT NULL,
                ns text NOT NULL,
                checkpoint_id text NOT NULL,
                parent_id text,
                record bytea NOT NULL,
                meta_type text NOT NULL,
                meta bytea NOT NULL,
                meta_json jsonb,
                PRIMARY KEY (thread_id, ns, checkpoint_id)
            )""",
            "CREATE INDEX cairn_checkpoints_newest ON cairn_checkpoints (checkpoint_id DESC)",
            """CREATE TABLE cairn_blobs (
                thread_id text NOT NULL,
                ns text NOT NULL,
                channel text NOT NULL,
                version bigint NOT NULL,
                type text NOT NULL,
                payload bytea NOT NULL,
                base_version bigint,
                kept integer,
                root_version bigint NOT NULL,
                depth integer NOT NULL,
                delta_bytes integer NOT NULL,
                full_bytes integer NOT NULL,
                PRIMARY KEY (thread_id, ns, channel, version)
            )""",
            "CREATE INDEX cairn_blobs_root ON cairn_blobs (thread_id, ns, channel, root_version)",
            """CREATE TABLE cairn_writes (
                thread_id text NOT NULL,
                ns text NOT NULL,
                checkpoint_id text NOT NULL,
                task_id text NOT NULL,
                idx integer NOT NULL,
                channel text NOT NULL,
                type text NOT NULL,
                payload bytea NOT NULL,
                task_path text NOT NULL,
                PRIMARY KEY (thread_id, ns, checkpoint_id, task_id, idx)
            )""",
        ),
    ),
)
LATEST = MIGRATIONS[-1][0]
_SETUP_LOCK = 0x6361_6972_6E67_7270  # "cairngrp": serializes concurrent setup() calls


def setup() -> Op:
    """Apply the missing migrations; refuse a database from a newer cairngraph."""
    yield Atomic()
    yield Query("SELECT pg_advisory_xact_lock(%s)", (_SETUP_LOCK,))
    yield Query(
        "CREATE TABLE IF NOT EXISTS cairn_schema (version integer PRIMARY KEY, name text NOT "
        "NULL, applied_at timestamptz NOT NULL DEFAULT now())"
    )
    row = yield Query("SELECT coalesce(max(version), 0) FROM cairn_schema", fetch="one")
    current = int(row[0])
    if current > LATEST:
        raise SchemaVersionError(
            f"the database was set up by a newer cairngraph (schema version {current}; this one "
            f"knows up to {LATEST}). Upgrade cairngraph; nothing was changed."
        )
    for version, name, statements in MIGRATIONS:
        if version > current:
            for statement in statements:
                yield Query(statement)
            yield Query("INSERT INTO cairn_schema (version, name) VALUES (%s, %s)", (version, name))


_SELECT = (
    "SELECT thread_id, ns, checkpoint_id, parent_id, record, meta_type, meta FROM cairn_checkpoints"
)


def get_tuple(serde: SerializerProtocol, config: RunnableConfig) -> Op:
    thread_id, ns = config_thread_id(config), config_namespace(config)
    checkpoint_id = config_checkpoint_id(config)
    if checkpoint_id is None:
        query = Query(
            _SELECT + " WHERE thread_id = %s AND ns = %s ORDER BY checkpoint_id DESC LIMIT 1",
            (thread_id, ns),
            "all",
        )
    else:
        query = Query(
            _SELECT + " WHERE thread_id = %s AND ns = %s AND checkpoint_id = %s",
            (thread_id, ns, checkpoint_id),
            "all",
        )
    rows = yield query
    if not rows:
        return None
    found = yield from load(serde, rows)
    return found[0]


def list_page(
    serde: SerializerProtocol,
    config: RunnableConfig | None,
    filter: Mapping[str, Any] | None,
    before: RunnableConfig | None,
    limit: int | None,
) -> Op:
    """The checkpoints :meth:`list` yields, newest first (one page: all rows it selects)."""
    configurable = (config or {}).get("configurable") or {}
    clauses: list[str] = []
    params: list[Any] = []
    for column, key in (
        ("thread_id", "thread_id"),
        ("ns", "checkpoint_ns"),
        ("checkpoint_id", "checkpoint_id"),
    ):
        if configurable.get(key) is not None:
            clauses.append(column + " = %s")
            params.append(str(configurable[key]))
    before_id = None if before is None else config_checkpoint_id(before)
    if before_id is not None:
        clauses.append("checkpoint_id < %s")
        params.append(before_id)
    exact = True
    if filter:
        try:
            encoded = json.dumps(dict(filter))
        except (TypeError, ValueError):
            exact = False
        else:
            clauses.append("(meta_json IS NULL OR meta_json @> %s::jsonb)")
            params.append(encoded)
    # Only constant fragments and placeholders are joined here.
    sql = _SELECT + (" WHERE " + " AND ".join(clauses) if clauses else "")
    sql += " ORDER BY checkpoint_id DESC"
    if limit is not None and exact and not filter:
        sql += " LIMIT %s"
        params.append(int(limit))
    rows = yield Query(sql, params, "all")
    found: list[CheckpointTuple] = []
    for item in (yield from load(serde, rows)):
        if limit is not None and len(found) >= limit:
            break
        if filter and not metadata_matches(item.metadata, filter):
            continue
        found.append(item)
    return found


def load(serde: SerializerProtocol, rows: Sequence[Sequence[Any]]) -> Op:
    """Checkpoint rows → tuples, with their values and writes fetched in bulk."""
    if not rows:
        return []
    records = {}
    wanted: set[tuple[str, str, str, int]] = set()
    for thread_id, ns, checkpoint_id, _parent, record, _type, _meta in rows:
        checkpoint = unpack_record(checkpoint_id, bytes(record), {})
        records[(thread_id, ns, checkpoint_id)] = checkpoint
        wanted.update((thread_id, ns, ch, v) for ch, v in checkpoint.channel_versions.items())
    writes: dict[tuple[str, str, str], list[PendingWrite]] = {}
    keys = list(records)
    found = yield Query(
        "SELECT w.thread_id, w.ns, w.checkpoint_id, w.task_id, w.channel, w.type, w.payload "
        "FROM cairn_writes w JOIN unnest(%s::text[], %s::text[], %s::text[]) AS k(t, n, c) "
        "ON w.thread_id = k.t AND w.ns = k.n AND w.checkpoint_id = k.c "
        "ORDER BY w.checkpoint_id, w.task_id, w.idx",
        ([k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys]),
        "all",
    )
    for thread_id, ns, checkpoint_id, task_id, channel, tag, payload in found:
        where = f"thread {thread_id!r}, checkpoint {checkpoint_id!r}, write {channel!r}"
        value = _decode(serde, tag, bytes(payload), where)
        writes.setdefault((thread_id, ns, checkpoint_id), []).append(
            PendingWrite(task_id, channel, value)
        )
    values = yield from _values(serde, sorted(wanted))
    result = []
    for thread_id, ns, checkpoint_id, parent_id, _record, meta_type, meta in rows:
        key = (thread_id, ns, checkpoint_id)
        stored = records[key]
        channel_values = {
            ch: values[(thread_id, ns, ch, v)]
            for ch, v in stored.channel_versions.items()
            if (thread_id, ns, ch, v) in values
        }
        where = f"thread {thread_id!r}, checkpoint {checkpoint_id!r}, metadata"
        result.append(
            CheckpointTuple(
                config=checkpoint_config(thread_id, ns, checkpoint_id),
                checkpoint=Checkpoint(
                    id=stored.id,
                    ts=stored.ts,
                    channel_values=channel_values,
                    channel_versions=stored.channel_versions,
                    versions_seen=stored.versions_seen,
                    updated_channels=stored.updated_channels,
                    v=stored.v,
                ),
                metadata=_decode(serde, meta_type, bytes(meta), where),
                parent_config=None
                if parent_id is None
                else checkpoint_config(thread_id, ns, parent_id),
                pending_writes=writes.get(key, []),
            )
        )
    return result


def _values(serde: SerializerProtocol, wanted: list[tuple[str, str, str, int]]) -> Op:
    if not wanted:
        return {}
    rows = yield Query(
        "SELECT b.thread_id, b.ns, b.channel, b.version, b.type, b.payload, b.base_version, "
        "b.root_version FROM cairn_blobs b JOIN unnest(%s::text[], %s::text[], %s::text[], "
        "%s::bigint[]) AS k(t, n, c, v) ON b.thread_id = k.t AND b.ns = k.n AND b.channel = k.c "
        "AND b.version = k.v",
        tuple([w[i] for w in wanted] for i in range(4)),
        "all",
    )
    values: dict[tuple[str, str, str, int], Any] = {}
    roots: set[tuple[str, str, str, int]] = set()
    deltas = []
    for thread_id, ns, channel, version, tag, payload, base_version, root in rows:
        where = f"thread {thread_id!r}, channel {channel!r}"
        if base_version is None:
            values[(thread_id, ns, channel, version)] = _decode(serde, tag, bytes(payload), where)
        else:
            roots.add((thread_id, ns, channel, root))
            deltas.append((thread_id, ns, channel, version))
    if not deltas:
        return values
    keys = sorted(roots)
    chain_rows = yield Query(
        "SELECT b.thread_id, b.ns, b.channel, b.version, b.type, b.payload, b.base_version, "
        "b.kept FROM cairn_blobs b JOIN unnest(%s::text[], %s::text[], %s::text[], "
        "%s::bigint[]) AS k(t, n, c, r) ON b.thread_id = k.t AND b.ns = k.n AND b.channel = k.c "
        "AND b.root_version = k.r",
        tuple([k[i] for k in keys] for i in range(4)),
        "all",
    )
    chains: dict[tuple[str, str, str], dict[int, tuple[str, bytes, int | None, int | None]]] = {}
    for thread_id, ns, channel, version, tag, payload, base, kept in chain_rows:
        chains.setdefault((thread_id, ns, channel), {})[version] = (tag, bytes(payload), base, kept)
    for thread_id, ns, channel, version in deltas:
        cache = _ChannelCache(values, (thread_id, ns, channel), serde)
        values[(thread_id, ns, channel, version)] = rebuild(
            version,
            chains.get((thread_id, ns, channel), {}),
            cache.known,
            cache.remember,
            cache.decode,
        )
    return values


class _ChannelCache:
    """The values of one channel built so far, as :func:`rebuild` wants to see them."""

    def __init__(
        self,
        values: dict[tuple[str, str, str, int], Any],
        space: tuple[str, str, str],
        serde: SerializerProtocol,
    ) -> None:
        self.values, self.space, self.serde = values, space, serde

    def known(self, version: int) -> Any:
        return self.values.get((*self.space, version), UNKNOWN)

    def remember(self, version: int, value: Any) -> None:
        self.values[(*self.space, version)] = value

    def decode(self, tag: str, payload: bytes) -> Any:
        thread_id, _ns, channel = self.space
        return _decode(self.serde, tag, payload, f"thread {thread_id!r}, channel {channel!r}")


def _decode(serde: SerializerProtocol, tag: str, payload: bytes, where: str) -> Any:
    try:
        return serde.loads_typed((tag, payload))
    except SerializationError as error:
        raise type(error)(f"{where}: {error}") from error


# Rows travel as one JSON parameter per table (payloads in base64): far cheaper for
# the server than one array parameter per column.
_BLOB_INSERT = (
    "blobs AS (INSERT INTO cairn_blobs (thread_id, ns, channel, version, type, payload, "
    "base_version, kept, root_version, depth, delta_bytes, full_bytes) SELECT t, n, c, v, y, "
    "decode(p, 'base64'), b, k, r, d, db, fb FROM json_to_recordset(%s::json) AS x(t text, "
    "n text, c text, v bigint, y text, p text, b bigint, k int, r bigint, d int, db int, "
    "fb int) ON CONFLICT DO NOTHING)"
)
_WRITES_SELECT = (
    "SELECT t, n, c, k, i, ch, y, decode(p, 'base64'), tp FROM json_to_recordset(%s::json) "
    "AS x(t text, n text, c text, k text, i int, ch text, y text, p text, tp text)"
)
_WRITE_INSERT = (
    "first AS (INSERT INTO cairn_writes (thread_id, ns, checkpoint_id, task_id, idx, channel, "
    "type, payload, task_path) " + _WRITES_SELECT + " ON CONFLICT DO NOTHING), "
    "latest AS (INSERT INTO cairn_writes (thread_id, ns, checkpoint_id, task_id, idx, channel, "
    "type, payload, task_path) " + _WRITES_SELECT + " ON CONFLICT (thread_id, ns, "
    "checkpoint_id, task_id, idx) DO UPDATE SET channel = excluded.channel, type = "
    "excluded.type, payload = excluded.payload)"
)
_BLOB_KEYS = ("t", "n", "c", "v", "y", "p", "b", "k", "r", "d", "db", "fb")
_WRITE_KEYS = ("t", "n", "c", "k", "i", "ch", "y", "p", "tp")


def _json_rows(rows: Sequence[Sequence[Any]], keys: Sequence[str], payload: int) -> str:
    """Rows as the JSON ``json_to_recordset`` reads; column ``payload`` in base64."""
    return json.dumps(
        [
            {
                key: (base64.b64encode(value).decode() if index == payload else value)
                for index, (key, value) in enumerate(zip(keys, row, strict=True))
            }
            for row in rows
        ]
    )


def _write_rows(
    serde: SerializerProtocol,
    thread_id: str,
    ns: str,
    checkpoint_id: str,
    task_id: str,
    task_path: str,
    writes: Sequence[tuple[str, Any]],
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    keep_first: list[tuple[Any, ...]] = []
    replace: list[tuple[Any, ...]] = []
    for position, (channel, value) in enumerate(writes):
        index = write_index(channel, position)
        tag, payload = serde.dumps_typed(value)
        row = (thread_id, ns, checkpoint_id, task_id, index, channel, tag, payload, task_path)
        (replace if index < 0 else keep_first).append(row)
    return keep_first, replace


def put_writes(
    serde: SerializerProtocol,
    config: RunnableConfig,
    writes: Sequence[tuple[str, Any]],
    task_id: str,
    task_path: str,
) -> Op:
    checkpoint_id = config_checkpoint_id(config)
    assert checkpoint_id is not None
    keep_first, replace = _write_rows(
        serde,
        config_thread_id(config),
        config_namespace(config),
        checkpoint_id,
        task_id,
        task_path,
        writes,
    )
    yield Query(
        "WITH " + _WRITE_INSERT + " SELECT 1",
        (_json_rows(keep_first, _WRITE_KEYS, 7), _json_rows(replace, _WRITE_KEYS, 7)),
    )


def put_step(
    serde: SerializerProtocol,
    config: RunnableConfig,
    task_writes: Sequence[TaskWrites],
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    new_versions: Mapping[str, int],
) -> Op:
    """One statement: the step's blobs, its writes and the checkpoint, atomically.

    (A statement's data-modifying parts commit together, so a step costs one
    round trip; only a delta first looks up its base blob.)
    """
    thread_id, ns = config_thread_id(config), config_namespace(config)
    parent_id = config_checkpoint_id(config)
    keep_first: list[tuple[Any, ...]] = []
    replace: list[tuple[Any, ...]] = []
    if parent_id is not None:
        for item in task_writes:
            first, last = _write_rows(
                serde, thread_id, ns, parent_id, item.task_id, item.task_path, item.writes
            )
            keep_first += first
            replace += last
    values = checkpoint.channel_values
    appends = {ch: hint for ch, hint in checkpoint.channel_appends.items() if ch in new_versions}
    bases: dict[str, BaseInfo] = {}
    if appends:
        rows = yield Query(
            "SELECT channel, root_version, depth, delta_bytes, full_bytes FROM cairn_blobs "
            "WHERE thread_id = %s AND ns = %s AND (channel, version) IN "
            "(SELECT * FROM unnest(%s::text[], %s::bigint[]))",
            (thread_id, ns, list(appends), [hint[0] for hint in appends.values()]),
            "all",
        )
        bases = {row[0]: BaseInfo(*row[1:]) for row in rows}
    blobs = [
        (
            thread_id,
            ns,
            channel,
            version,
            *encode_blob(serde, version, values[channel], appends.get(channel), bases.get(channel)),
        )
        for channel, version in new_versions.items()
        if channel in values
    ]
    meta_tag, meta = serde.dumps_typed(dict(metadata))
    yield Query(
        # Constant fragments only; every value goes in as a parameter.
        "WITH " + _BLOB_INSERT + ", " + _WRITE_INSERT + " INSERT INTO cairn_checkpoints "  # noqa: S608
        "(thread_id, ns, checkpoint_id, parent_id, record, meta_type, meta, meta_json) VALUES "
        "(%s, %s, %s, %s, %s, %s, %s, %s::jsonb) ON CONFLICT (thread_id, ns, checkpoint_id) DO "
        "UPDATE SET record = excluded.record, meta_type = excluded.meta_type, meta = "
        "excluded.meta, meta_json = excluded.meta_json",
        (
            _json_rows(blobs, _BLOB_KEYS, 5),
            _json_rows(keep_first, _WRITE_KEYS, 7),
            _json_rows(replace, _WRITE_KEYS, 7),
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
    return checkpoint_config(thread_id, ns, checkpoint.id)


def put_steps(serde: SerializerProtocol, steps: Sequence[StepSave]) -> Op:
    """Several consecutive steps in one transaction: one commit for the batch."""
    yield Atomic()
    made = []
    for step in steps:
        config = yield from put_step(
            serde, step.config, step.task_writes, step.checkpoint, step.metadata, step.new_versions
        )
        made.append(config)
    return made


def delete_thread(thread_id: str) -> Op:
    yield Query(
        "WITH c AS (DELETE FROM cairn_checkpoints WHERE thread_id = %s), b AS (DELETE FROM "
        "cairn_blobs WHERE thread_id = %s) DELETE FROM cairn_writes WHERE thread_id = %s",
        (thread_id, thread_id, thread_id),
    )
