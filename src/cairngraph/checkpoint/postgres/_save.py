"""The PostgreSQL savers' saving operations on format-2 rows, each written once.

Invariants:

- A step, or a batch of steps (``put_steps``), is ONE statement of
  data-modifying CTEs: its value rows, ref rows, writes rows and checkpoint
  rows commit together in one round trip. A few rows (a step) travel as plain
  ``VALUES`` parameters, bytea in binary (measured: ~60 µs less server time a
  step than JSON); many rows (a batch) as one JSON parameter per table, bytea
  in base64 (cheaper than thousands of parameters; ``unnest`` of arrays was
  slower than both).
- A step reuses its parent's refs for unchanged channels: from the steps of
  the same batch, else from the saver's :class:`RefsCache` (learned only
  once committed), else it reads the parent row first.
- Writes rows of slot -1, -2, -3 (error, interrupt, resume) replace the older
  row. A slot-0 row (normal writes) keeps what was saved first: a row met
  with another body is returned by the same statement (``ON CONFLICT DO
  UPDATE`` to itself, so it is the latest committed one), and a second
  statement merges the items as ``_format.merge_writes`` does (first value
  per index kept, new indexes added), compare-and-swap on the old body, so
  no lock is held between the two and a concurrent change is merged again.
  A row met with the same body (the usual retry) costs nothing more.
- A value row's insert that meets an existing row updates it to itself
  (``ON CONFLICT (address) DO UPDATE SET base = cairn_values.base``): that
  takes the row lock, which is what makes ``delete_thread``'s garbage
  collection safe (see ``_ops.py``).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from functools import cache
from typing import Any

from cairngraph.checkpoint._format import (
    CheckpointRow,
    Format,
    Known,
    StepRows,
    WriteRow,
    encode_steps,
    merge_writes,
)
from cairngraph.checkpoint.base import (
    RunnableConfig,
    StepSave,
    config_checkpoint_id,
    config_namespace,
    config_thread_id,
)
from cairngraph.checkpoint.postgres._statements import Atomic, Call, Learned, Op, Query
from cairngraph.errors import StorageError

__all__ = [
    "BODIES",
    "PARENT",
    "SELECT_CHECKPOINTS",
    "offloaded",
    "put_steps",
    "put_writes",
    "write",
]

SELECT_CHECKPOINTS = "SELECT thread_id, ns, checkpoint_id, parent_id, body FROM cairn_checkpoints"
"""The columns of a :class:`CheckpointRow`, in order."""
PARENT = SELECT_CHECKPOINTS + " WHERE thread_id = %s AND ns = %s AND checkpoint_id = %s"
"""A step's parent row, read when the saver does not know its refs."""
BODIES = "SELECT address, body FROM cairn_values WHERE address = ANY(%s::bytea[])"
"""The bodies value rows have now (blob references among them)."""

# Slot 0 (part "f") keeps the row that was there: a row met with another body is
# returned as it is (locked: updated to itself), with every row inserted; a row met
# with the same body is not returned.

_PARTS = {
    "v": "INSERT INTO cairn_values (address, base, body) SELECT decode(a, 'base64'), "
    "decode(b, 'base64'), decode(y, 'base64') FROM json_to_recordset(%s::json) AS "
    "x(a text, b text, y text) ON CONFLICT (address) DO UPDATE SET base = cairn_values.base",
    "r": "INSERT INTO cairn_refs (address, thread_id) SELECT decode(a, 'base64'), t FROM "
    "json_to_recordset(%s::json) AS x(a text, t text) ON CONFLICT DO NOTHING",
    "l": "INSERT INTO cairn_writes (thread_id, ns, checkpoint_id, task_id, slot, body) "
    "SELECT t, n, c, k, s, decode(y, 'base64') FROM json_to_recordset(%s::json) AS "
    "x(t text, n text, c text, k text, s int, y text) ON CONFLICT (thread_id, ns, "
    "checkpoint_id, task_id, slot) DO UPDATE SET body = excluded.body",
    "f": "INSERT INTO cairn_writes (thread_id, ns, checkpoint_id, task_id, slot, body) "
    "SELECT t, n, c, k, s, decode(y, 'base64') FROM json_to_recordset(%s::json) AS "
    "x(t text, n text, c text, k text, s int, y text)"
    " ON CONFLICT (thread_id, ns, checkpoint_id, task_id, slot) DO UPDATE SET body = "
    "cairn_writes.body WHERE cairn_writes.body IS DISTINCT FROM excluded.body RETURNING "
    "thread_id, ns, checkpoint_id, task_id, slot, body",
    "c": "INSERT INTO cairn_checkpoints (thread_id, ns, checkpoint_id, parent_id, body) "
    "SELECT t, n, c, p, decode(y, 'base64') FROM json_to_recordset(%s::json) AS "
    "x(t text, n text, c text, p text, y text) ON CONFLICT (thread_id, ns, checkpoint_id) "
    "DO UPDATE SET parent_id = excluded.parent_id, body = excluded.body",
}
_READ_WRITES = (
    "SELECT x.t, x.n, x.c, x.k, x.s, w.body FROM json_to_recordset(%s::json) AS "
    "x(t text, n text, c text, k text, s int) LEFT JOIN cairn_writes w ON "
    "w.thread_id = x.t AND w.ns = x.n AND w.checkpoint_id = x.c AND w.task_id = x.k "
    "AND w.slot = x.s"
)
_SWAP = (
    "UPDATE cairn_writes w SET body = decode(x.y, 'base64') FROM json_to_recordset(%s::json) "
    "AS x(t text, n text, c text, k text, s int, y text, o text) WHERE w.thread_id = x.t AND "
    "w.ns = x.n AND w.checkpoint_id = x.c AND w.task_id = x.k AND w.slot = x.s AND "
    "w.body = decode(x.o, 'base64') RETURNING x.t, x.n, x.c, x.k, x.s"
)
_INSERT_FIRST = (
    "INSERT INTO cairn_writes (thread_id, ns, checkpoint_id, task_id, slot, body) "
    "SELECT t, n, c, k, s, decode(y, 'base64') FROM json_to_recordset(%s::json) AS "
    "x(t text, n text, c text, k text, s int, y text) ON CONFLICT DO NOTHING "
    "RETURNING thread_id, ns, checkpoint_id, task_id, slot"
)
_MERGE_TRIES = 20

WriteKey = tuple[str, str, str, str, int]

_JSON: dict[str, Any] = {
    "v": lambda rows: _values_json(rows),
    "r": lambda rows: _refs_json(rows),
    "l": lambda rows: _writes_json(rows),
    "f": lambda rows: _writes_json(rows),
    "c": lambda rows: _checkpoints_json(rows),
}


@cache
def _statement(parts: str) -> str:
    """One statement of the parts a save has rows for (``parts``: letters of :data:`_PARTS`).

    Parameters come in the order of the parts. With slot-0 writes (``i``
    and ``f``), the statement returns the rows that met an older row.
    """
    ctes = ", ".join(name + " AS (" + _PARTS[name] + ")" for name in parts)
    last = "SELECT * FROM f" if "f" in parts else "SELECT 1"
    return "WITH " + ctes + " " + last


_VALUES_MAX = 24
"""Most rows a save passes as plain parameters; more go as JSON recordsets."""

_VALUES_PARTS = {
    "v": "INSERT INTO cairn_values (address, base, body) VALUES {} ON CONFLICT (address) DO "
    "UPDATE SET base = cairn_values.base",
    "r": "INSERT INTO cairn_refs (address, thread_id) VALUES {} ON CONFLICT DO NOTHING",
    "l": "INSERT INTO cairn_writes (thread_id, ns, checkpoint_id, task_id, slot, body) VALUES {} "
    "ON CONFLICT (thread_id, ns, checkpoint_id, task_id, slot) DO UPDATE SET body = excluded.body",
    "f": "INSERT INTO cairn_writes (thread_id, ns, checkpoint_id, task_id, slot, body) VALUES {}"
    " ON CONFLICT (thread_id, ns, checkpoint_id, task_id, slot) DO UPDATE SET body = "
    "cairn_writes.body WHERE cairn_writes.body IS DISTINCT FROM excluded.body RETURNING "
    "thread_id, ns, checkpoint_id, task_id, slot, body",
    "c": "INSERT INTO cairn_checkpoints (thread_id, ns, checkpoint_id, parent_id, body) "
    "VALUES {} ON CONFLICT (thread_id, ns, checkpoint_id) DO UPDATE SET parent_id = "
    "excluded.parent_id, body = excluded.body",
}
_VALUES_ROW = {
    "v": "(%s, %s, %s)",
    "r": "(%s, %s)",
    "l": "(%s, %s, %s, %s, %s, %s)",
    "f": "(%s, %s, %s, %s, %s, %s)",
    "c": "(%s, %s, %s, %s, %s)",
}


@cache
def _values_statement(shape: tuple[tuple[str, int], ...]) -> str:
    """As :func:`_statement`, rows as ``VALUES`` lists: ``shape`` is (part, row count)."""
    ctes = []
    for name, count in shape:
        ctes.append(
            name
            + " AS ("
            + _VALUES_PARTS[name].format(", ".join([_VALUES_ROW[name]] * count))
            + ")"
        )
    last = "SELECT * FROM f" if any(name == "f" for name, _ in shape) else "SELECT 1"
    return "WITH " + ", ".join(ctes) + " " + last


def _b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


_to_json = json.JSONEncoder(separators=(",", ":")).encode


def put_steps(fmt: Format, steps: Sequence[StepSave], cache: Any, learned: Learned) -> Op:
    """Consecutive steps in one statement; their refs go to ``learned``.

    ``cache`` is the saver's :class:`~cairngraph.checkpoint.postgres._driver.RefsCache`.
    """
    if len(steps) > 1:
        yield Atomic()
    encoding = encode_steps(fmt, steps, cache.get)
    parent: Known | None = None
    try:
        while True:
            key = encoding.send(parent)
            parent = None
            found = yield Query(PARENT, key, "one")
            if found is not None:
                record = fmt.open_checkpoint(CheckpointRow(*found))
                parent = Known(record.versions, record.refs)
                learned[key] = parent
    except StopIteration as done:
        rows: StepRows = done.value
    yield from offloaded(fmt, rows)
    learned.update(rows.learned)
    return rows.made


def put_writes(
    fmt: Format,
    config: RunnableConfig,
    writes: Sequence[tuple[str, Any]],
    task_id: str,
    task_path: str,
) -> Op:
    checkpoint_id = config_checkpoint_id(config)
    assert checkpoint_id is not None, "the saver checks this before building the operation"
    rows = StepRows()
    thread_id, ns = config_thread_id(config), config_namespace(config)
    fmt.encode_writes(rows, thread_id, ns, checkpoint_id, task_id, task_path, writes, {})
    yield from offloaded(fmt, rows)


def offloaded(fmt: Format, rows: StepRows) -> Op:
    """:func:`write`, the blobs of big values put first (``_blobs.py``); the blobs a row
    already stored before did not take are deleted after."""
    blobs = fmt.blobs
    uploads = blobs.offload(rows.values)
    if uploads:
        yield Call(lambda: blobs.put(uploads))
    yield from write(fmt, rows)
    if uploads:
        found = yield Query(BODIES, ([upload.address for upload in uploads],), "all")
        unclaimed = blobs.unclaimed(uploads, {bytes(a): bytes(y) for a, y in found})
        if unclaimed:
            yield Call(lambda: blobs.delete(unclaimed))


def write(fmt: Format, rows: StepRows) -> Op:
    """Store ``rows``: one statement, and a merge only when a slot-0 row was there."""
    first: dict[WriteKey, tuple[WriteRow, list[list[Any]], str]] = {}
    latest: dict[WriteKey, WriteRow] = {}
    for row, items, path in rows.writes:
        key: WriteKey = (row.thread_id, row.checkpoint_ns, row.checkpoint_id, row.task_id, row.slot)
        if row.slot != 0:
            latest[key] = row  # one statement never updates a row twice: the last wins
        elif key in first:
            _row, kept, kept_path = first[key]
            merged = merge_writes(kept, items)
            first[key] = (fmt.writes_row(*key, kept_path, merged), merged, kept_path)
        else:
            first[key] = (row, items, path)
    checkpoints = {row[:3]: row for row in rows.checkpoints}
    tables: list[tuple[str, list[tuple[Any, ...]]]] = [
        ("v", sorted(rows.values.values())),  # in address order, as GC locks them: no deadlocks
        ("r", sorted(rows.refs)),
        ("l", list(latest.values())),
        ("f", [row for row, _items, _path in first.values()]),
        ("c", list(checkpoints.values())),
    ]
    tables = [(name, found) for name, found in tables if found]
    if sum(len(found) for _name, found in tables) <= _VALUES_MAX:
        # Few rows (a step): parameters as they are, bytea in binary, no JSON to parse.
        shape = tuple((name, len(found)) for name, found in tables)
        sql = _values_statement(shape)
        params: list[Any] = [value for _name, found in tables for row in found for value in row]
    else:
        sql = _statement("".join(name for name, _ in tables))
        params = [_JSON[name](found) for name, found in tables]
    if not tables:
        return
    if not first:
        yield Query(sql, params)
        return
    returned = yield Query(sql, params, "all")
    found = {
        key: body
        for key, body in ((tuple(row[:5]), bytes(row[5])) for row in returned)
        if body != first[key][0].body
    }
    if found:
        wanted = {key: (first[key][1], first[key][2]) for key in found}
        yield from _merge(fmt, wanted, found)


def _values_json(rows: Any) -> str:
    return _to_json([{"a": _b64(v[0]), "b": _b64(v[1]), "y": _b64(v[2])} for v in rows])


def _refs_json(rows: Any) -> str:
    return _to_json([{"a": _b64(a), "t": t} for a, t in rows])


def _checkpoints_json(rows: Any) -> str:
    return _to_json([{"t": c[0], "n": c[1], "c": c[2], "p": c[3], "y": _b64(c[4])} for c in rows])


def _writes_json(rows: Any) -> str:
    return _to_json(
        [{"t": r[0], "n": r[1], "c": r[2], "k": r[3], "s": r[4], "y": _b64(r[5])} for r in rows]
    )


def _keys_json(keys: Any) -> str:
    return _to_json([{"t": k[0], "n": k[1], "c": k[2], "k": k[3], "s": k[4]} for k in keys])


def _merge(
    fmt: Format,
    wanted: dict[WriteKey, tuple[list[list[Any]], str]],
    bodies: dict[WriteKey, Any],
) -> Op:
    """Merge ``wanted`` (items, task path) into the slot-0 rows found with ``bodies``.

    A body of None is read first; a row gone meanwhile is inserted again.
    """
    pending = dict(bodies)
    for _ in range(_MERGE_TRIES):
        unread = [key for key, body in pending.items() if body is None]
        if unread:
            for found in (yield Query(_READ_WRITES, (_keys_json(unread),), "all")):
                pending[tuple(found[:5])] = found[5]
        missing = [key for key, body in pending.items() if body is None]
        if missing:  # deleted meanwhile: ours is the first again
            new = [fmt.writes_row(*key, wanted[key][1], wanted[key][0]) for key in missing]
            for found in (yield Query(_INSERT_FIRST, (_writes_json(new),), "all")):
                del pending[tuple(found)]
        swaps = []
        for key, body in list(pending.items()):
            if body is None:
                continue
            kept_path, kept = fmt.open_writes(WriteRow(*key, bytes(body)))
            merged = merge_writes(kept, wanted[key][0])
            if len(merged) == len(kept):
                del pending[key]
                continue
            new_row = fmt.writes_row(*key, kept_path, merged)
            swaps.append((key, new_row.body, bytes(body)))
        if swaps:
            records = [
                {"t": k[0], "n": k[1], "c": k[2], "k": k[3], "s": k[4], "y": _b64(new),
                 "o": _b64(old)}
                for k, new, old in swaps
            ]  # fmt: skip
            for found in (yield Query(_SWAP, (_to_json(records),), "all")):
                pending.pop(tuple(found), None)
        if not pending:
            return
        pending = dict.fromkeys(pending)  # changed by another meanwhile: read again
    raise StorageError(
        f"the writes of task {next(iter(pending))[3]!r} kept changing while cairngraph "
        f"merged new ones into them ({_MERGE_TRIES} tries); retry the operation"
    )
