"""Reading format-2 rows back: ``get_tuple`` and ``list``, each written once.

Invariants:

- ``get_tuple`` is one statement (the checkpoint row joined with its writes
  rows), plus one per round of values (``_format.ValueLoader``): none when
  every value is inline, else one (a recursive query brings each delta's
  bases with it).
- A page of checkpoints costs a fixed number of statements whatever its
  length: the rows, their writes rows together, and the value rounds.
- ``list`` narrows in SQL by thread, namespace, checkpoint id and ``before``
  only, newest first (``checkpoint_id DESC, thread_id DESC, ns DESC``); the
  metadata filter is decided in Python (``ListQuery.matches``), as on every
  saver. With a filter and a limit it reads page after page until ``limit``
  checkpoints matched, never a whole thread when fewer pages do.
- What is read is what was written, or the ``CorruptDataError`` /
  ``DecryptionError`` of ``_format`` naming the table and the place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cairngraph.checkpoint._blobs import is_reference
from cairngraph.checkpoint._config import ListQuery
from cairngraph.checkpoint._format import (
    CheckpointRow,
    Format,
    Known,
    Record,
    ValueLoader,
    ValueRow,
    WriteRow,
)
from cairngraph.checkpoint._read import tuples
from cairngraph.checkpoint._threads import Walk, page_clauses
from cairngraph.checkpoint.base import (
    CheckpointTuple,
    RunnableConfig,
    config_checkpoint_id,
    config_namespace,
    config_thread_id,
)
from cairngraph.checkpoint.postgres._save import SELECT_CHECKPOINTS
from cairngraph.checkpoint.postgres._statements import Call, Learned, Op, Query

__all__ = ["get_tuple", "list_checkpoints", "load", "threads"]

_WITH_WRITES = (
    "SELECT c.thread_id, c.ns, c.checkpoint_id, c.parent_id, c.body, w.task_id, w.slot, "
    "w.body FROM ({}) c LEFT JOIN cairn_writes w ON w.thread_id = c.thread_id AND "
    "w.ns = c.ns AND w.checkpoint_id = c.checkpoint_id ORDER BY w.task_id, w.slot"
)
_LATEST = " WHERE thread_id = %s AND ns = %s ORDER BY checkpoint_id DESC LIMIT 1"
_BY_ID = " WHERE thread_id = %s AND ns = %s AND checkpoint_id = %s"
_WRITES = (
    "SELECT w.thread_id, w.ns, w.checkpoint_id, w.task_id, w.slot, w.body "
    "FROM cairn_writes w JOIN unnest(%s::text[], %s::text[], %s::text[]) AS k(t, n, c) "
    "ON w.thread_id = k.t AND w.ns = k.n AND w.checkpoint_id = k.c "
    "ORDER BY w.thread_id, w.ns, w.checkpoint_id, w.task_id, w.slot"
)
VALUES = (
    "WITH RECURSIVE chain AS (SELECT address, base, body FROM cairn_values WHERE "
    "address = ANY(%s::bytea[]) UNION SELECT v.address, v.base, v.body FROM chain c "
    "JOIN cairn_values v ON v.address = c.base) SELECT address, base, body FROM chain"
)
"""The values asked for, with every delta's bases down to its root: one round per read."""
_ORDER = " ORDER BY checkpoint_id DESC, thread_id DESC, ns DESC"
_PAGE = 100
"""Rows per page when a filter decides which of them count towards the limit."""

Opened = dict[tuple[str, str, str], list[tuple[WriteRow, str, list[list[Any]]]]]


def get_tuple(fmt: Format, config: RunnableConfig, learned: Learned) -> Op:
    thread_id, ns = config_thread_id(config), config_namespace(config)
    checkpoint_id = config_checkpoint_id(config)
    params: tuple[str, ...]
    if checkpoint_id is None:
        sql, params = _LATEST, (thread_id, ns)
    else:
        sql, params = _BY_ID, (thread_id, ns, checkpoint_id)
    found = yield Query(_WITH_WRITES.format(SELECT_CHECKPOINTS + sql), params, "all")
    if not found:
        return None
    row = CheckpointRow(*found[0][:5])
    writes = []
    for item in found:
        if item[5] is not None:
            write = WriteRow(row[0], row[1], row[2], item[5], item[6], item[7])
            writes.append((write, *fmt.open_writes(write)))
    loaded = yield from load(fmt, [row], learned, None, {row[:3]: writes})
    return loaded[0]


def list_checkpoints(fmt: Format, query: ListQuery, learned: Learned) -> Op:
    """The checkpoints ``list()`` yields, newest first."""
    clauses, params = query.where("%s")
    if query.limit == 0:
        return []
    size = None
    if query.limit is not None:
        size = query.limit if not query.filter else max(query.limit, _PAGE)
    found: list[CheckpointTuple] = []
    after: tuple[str, str, str] | None = None
    while True:
        page_clauses, page_params = list(clauses), list(params)
        if after is not None:
            page_clauses.append("(checkpoint_id, thread_id, ns) < (%s, %s, %s)")
            page_params.extend(after)
        # Only constant fragments and placeholders are joined here.
        sql = SELECT_CHECKPOINTS + (" WHERE " + " AND ".join(page_clauses) if page_clauses else "")
        sql += _ORDER
        if size is not None:
            sql += " LIMIT %s"
            page_params.append(size)
        rows = [CheckpointRow(*row) for row in (yield Query(sql, page_params, "all"))]
        records = [fmt.open_checkpoint(row) for row in rows]
        kept = [
            (row, record)
            for row, record in zip(rows, records, strict=True)
            if not query.filter or query.matches(fmt.metadata(row, record))
        ]
        if query.limit is not None:
            kept = kept[: query.limit - len(found)]
        found += yield from load(
            fmt, [row for row, _ in kept], learned, [record for _, record in kept]
        )
        if size is None or len(rows) < size or len(found) >= (query.limit or 0):
            return found
        last = rows[-1]
        after = (last.checkpoint_id, last.thread_id, last.checkpoint_ns)


_LATEST_ROWS = (
    "SELECT c.thread_id, c.ns, c.checkpoint_id, c.parent_id, c.body FROM (SELECT t.thread_id, "
    "t.checkpoint_id FROM cairn_threads AS t{where} ORDER BY t.checkpoint_id DESC, "
    "t.thread_id DESC LIMIT %s) AS t JOIN cairn_checkpoints AS c ON c.thread_id = t.thread_id "
    "AND c.ns = '' AND c.checkpoint_id = t.checkpoint_id "
    "ORDER BY t.checkpoint_id DESC, t.thread_id DESC"
)
"""A page of threads: a range of the summary table's index, newest first, cut before
the join (so the plan is an index range and one key lookup per row, even on stale
statistics), joined to only its rows' checkpoints (see ``checkpoint/_threads.py``)."""


def threads(listing: Walk) -> Op:
    """Run ``listing`` (``_threads.walk``), one query per batch it asks for."""
    try:
        batch = next(listing)
        while True:
            clauses, params = page_clauses(batch, "%s", "strpos")
            where = " WHERE " + " AND ".join(clauses) if clauses else ""
            # Only constant fragments and placeholders are joined here.
            sql = _LATEST_ROWS.format(where=where)
            found = yield Query(sql, [*params, batch.count], "all")
            batch = listing.send([CheckpointRow(*row) for row in found])
    except StopIteration as done:
        return done.value


def resolved_rows(fmt: Format, rows: list[ValueRow]) -> Op:
    """``Blobs.resolve(rows)``: a blocking call (a worker thread's, on the async saver)
    only when some body is kept in a blob."""
    if any(is_reference(row.body) for row in rows):
        return (yield Call(lambda: fmt.blobs.resolve(rows)))
    return rows, {}


def resolved(fmt: Format, loader: ValueLoader, rows: list[ValueRow]) -> Op:
    """``rows`` given to ``loader``, the bodies kept in blobs fetched first."""
    found, unfetched = yield from resolved_rows(fmt, rows)
    loader.add(found, unfetched)


def load(
    fmt: Format,
    rows: Sequence[CheckpointRow],
    learned: Learned,
    records: Sequence[Record] | None = None,
    writes: Opened | None = None,
) -> Op:
    """The tuples of ``rows``, in order, with their writes and values fetched in bulk.

    ``records`` (the rows opened) and ``writes`` (their writes rows, opened) when
    the caller has them already.
    """
    if not rows:
        return []
    if records is None:
        records = [fmt.open_checkpoint(row) for row in rows]
    if writes is None:
        keys = [row[:3] for row in rows]
        found = yield Query(_WRITES, tuple([key[i] for key in keys] for i in range(3)), "all")
        writes = {}
        for item in found:
            write = WriteRow(*item)
            writes.setdefault(write[:3], []).append((write, *fmt.open_writes(write)))
    loader = ValueLoader(fmt)
    for record in records:
        loader.need(record.refs.values())
    for opened in writes.values():
        for _row, _path, items in opened:
            loader.need(item[2] for item in items)
    fetched: set[bytes] = set()
    # A delta's bases come in the same round; the loader asks for them again,
    # and only what no round brought yet is fetched.
    while wanted := [address for address in loader.wanted() if address not in fetched]:
        found = [ValueRow(*row) for row in (yield Query(VALUES, (wanted,), "all"))]
        fetched.update(row.address for row in found)
        yield from resolved(fmt, loader, found)
    entries = []
    for row, record in zip(rows, records, strict=True):
        key = (row.thread_id, row.checkpoint_ns, row.checkpoint_id)
        entries.append((row, record, writes.get(key, [])))
        learned[key] = Known(record.versions, record.refs)
    return tuples(fmt, entries, loader)
