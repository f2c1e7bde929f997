"""The SQLite saver's lifecycle primitives and tombstones, on format-2 rows.

Everything here runs inside the saver's connection lock and, but for
:func:`reclaim`, inside a write transaction the saver opened (``BEGIN
IMMEDIATE``: SQLite has one writer at a time, so a save and a deletion never
interleave, in this process or another).

Invariants:

- After :func:`retain`, each changed thread's ref rows are exactly the
  addresses its remaining checkpoint and writes rows name, closed over delta
  bases; a value whose last ref row went is deleted in the same transaction.
- A tombstone row (``cairn_deleted``) is written by ``delete_thread``; every
  insert of a checkpoint or writes row of that thread is aborted by a trigger
  (one primary-key lookup inside the insert, no statement of its own), until a
  save starting the thread afresh (or ``copy_thread`` to it) lifts it.
- Space: a file created by this version has ``auto_vacuum = INCREMENTAL``
  and :func:`reclaim` returns freed pages to the file system; an older file
  reuses its freed pages for new rows until ``SqliteSaver.vacuum()`` converts it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from cairngraph.checkpoint._format import CheckpointRow, WriteRow
from cairngraph.checkpoint._lifecycle import Chooser
from cairngraph.checkpoint._rehome import moved_checkpoint, moved_writes
from cairngraph.checkpoint._retention import (
    Admission,
    Entry,
    chosen,
    closed,
    deleted,
    entries_of,
    named_addresses,
)
from cairngraph.checkpoint.sqlite._store import SELECT_CHECKPOINTS, Store
from cairngraph.errors import CorruptDataError, StorageError

__all__ = [
    "admit", "copy", "exists", "index", "reclaim", "refusals", "refuse", "retain", "tombstone",
    "unraced",
]  # fmt: skip

_SELECT_WRITES = (
    "SELECT thread_id, ns, checkpoint_id, task_id, slot, CAST(body AS BLOB) FROM cairn_writes"
)
_CHUNK = 500
_TRIES = 3
_PAGE = 5000
_AFTER = " WHERE (thread_id, ns, checkpoint_id) > (?, ?, ?)"
_PAGED = " ORDER BY thread_id, ns, checkpoint_id LIMIT ?"
_IN_THREADS = " WHERE thread_id IN (SELECT value FROM json_each(?))"
_SELECT_REFS = (
    "SELECT thread_id, address FROM cairn_refs WHERE thread_id IN (SELECT value FROM json_each(?))"
)
T = TypeVar("T")


def admit(conn: sqlite3.Connection, admitted: Admission) -> None:
    """Lift the tombstone of each thread the save starts afresh.

    A save continuing a deleted thread is refused by the tables' triggers
    (schema migration 4): its insert aborts, and :func:`refused` names the thread.
    """
    for thread_id in admitted.lifted:
        conn.execute("DELETE FROM cairn_deleted WHERE thread_id = ?", (thread_id,))


@contextmanager
def refusals(
    conn: sqlite3.Connection, lock: AbstractContextManager[Any], checked: Iterable[str], action: str
) -> Iterator[None]:
    """An insert aborted by the tombstone triggers, in the block, as :class:`ThreadDeletedError`
    naming the thread (looked up after the rollback: tombstones are committed rows)."""
    try:
        yield
    except StorageError as error:
        refuse(conn, lock, checked, action, error)
        raise


def refuse(
    conn: sqlite3.Connection,
    lock: AbstractContextManager[Any],
    checked: Iterable[str],
    action: str,
    error: StorageError,
) -> None:
    """Raise :class:`ThreadDeletedError` naming the thread when ``error`` is an insert the
    tombstone triggers aborted; return (the caller re-raises ``error``) otherwise."""
    cause = error.__cause__
    if not (isinstance(cause, sqlite3.IntegrityError) and "cairn_deleted" in str(cause)):
        return
    with lock:
        for thread_id in sorted(checked):
            found = conn.execute(
                "SELECT 1 FROM cairn_deleted WHERE thread_id = ?", (thread_id,)
            ).fetchone()
            if found:
                raise deleted(thread_id, action) from None
    raise deleted(", ".join(sorted(checked)) or "?", action) from None


def tombstone(conn: sqlite3.Connection, thread_id: str) -> None:
    """Mark ``thread_id`` deleted, so a late save of it is refused."""
    conn.execute(
        "INSERT OR REPLACE INTO cairn_deleted (thread_id, deleted_at) VALUES (?, ?)",
        (thread_id, datetime.now(UTC).isoformat()),
    )


def exists(conn: sqlite3.Connection, thread_id: str, ns: str, checkpoint_id: str) -> bool:
    found = conn.execute(
        "SELECT 1 FROM cairn_checkpoints WHERE thread_id = ? AND ns = ? AND checkpoint_id = ?",
        (thread_id, ns, checkpoint_id),
    ).fetchone()
    return found is not None


def unraced(
    conn: sqlite3.Connection, read: Callable[[], T], narrow: Callable[[], None] | None = None
) -> T:
    """``read()`` done again when a prune or delete (another process's) freed a value under it.

    A read takes checkpoint rows, then their values, in separate statements; a
    removal committing in between frees the values of what it removed. A value
    missing from a checkpoint that no longer exists means such a race: read again
    (``narrow`` first drops the vanished rows from a page). Missing from one that
    still exists, it is damage, and raised. Costs nothing unless a value is missing.
    """
    for attempt in range(_TRIES):
        try:
            return read()
        except CorruptDataError as error:
            place = (error.thread_id, error.checkpoint_ns, error.checkpoint_id)
            if attempt == _TRIES - 1 or None in place:
                raise
            if exists(conn, *place):  # type: ignore[arg-type]
                raise
            if narrow is not None:
                narrow()
    raise AssertionError("unreachable: the last try returns or raises")


def index(store: Store, thread_ids: Sequence[str] | None) -> list[Entry]:
    """Every checkpoint of ``thread_ids`` (all when None, page by page) as an :class:`Entry`."""
    conn = store.conn
    if thread_ids is not None:
        found = conn.execute(
            SELECT_CHECKPOINTS + _IN_THREADS, (json.dumps(list(thread_ids)),)
        ).fetchall()
        return entries_of(store.fmt, [CheckpointRow(*row) for row in found])
    entries: list[Entry] = []
    after: tuple[str, ...] = ()
    while True:
        sql = SELECT_CHECKPOINTS + (_AFTER if after else "") + _PAGED
        page = conn.execute(sql, (*after, _PAGE)).fetchall()
        entries += entries_of(store.fmt, [CheckpointRow(*row) for row in page])
        if len(page) < _PAGE:
            return entries
        after = tuple(page[-1][:3])


def retain(store: Store, thread_ids: Sequence[str], choose: Chooser) -> int:
    """Delete what ``choose`` picks of each thread with its writes; reset the refs of the
    threads changed; free the values nothing refers to any more. A few statements for the
    whole batch (the saver holds every thread's run lock, in one transaction)."""
    conn, fmt = store.conn, store.fmt
    listed = json.dumps(list(thread_ids))
    checkpoints = [
        CheckpointRow(*row)
        for row in conn.execute(SELECT_CHECKPOINTS + _IN_THREADS, (listed,)).fetchall()
    ]
    doomed = chosen(fmt, checkpoints, choose)
    if not doomed:
        return 0
    params = [(t, ns, checkpoint_id) for t in sorted(doomed) for ns, checkpoint_id in doomed[t]]
    conn.executemany(
        "DELETE FROM cairn_checkpoints WHERE thread_id = ? AND ns = ? AND checkpoint_id = ?",
        params,
    )
    conn.executemany(
        "DELETE FROM cairn_writes WHERE thread_id = ? AND ns = ? AND checkpoint_id = ?", params
    )
    changed = sorted(doomed)
    kept = [
        row
        for row in checkpoints
        if row.thread_id in doomed
        and (row.checkpoint_ns, row.checkpoint_id) not in doomed[row.thread_id]
    ]
    writes = [
        WriteRow(*row)
        for row in conn.execute(_SELECT_WRITES + _IN_THREADS, (json.dumps(changed),)).fetchall()
    ]
    live = _with_bases(conn, named_addresses(fmt, kept, writes, changed))
    _reset_refs(store, changed, live)
    store.refs.drop(params)
    return len(params)


def _reset_refs(store: Store, thread_ids: list[str], live: dict[str, set[bytes]]) -> None:
    """Each thread's ref rows set to its ``live`` set; the values that lost their last ref
    deleted."""
    conn = store.conn
    current: dict[str, set[bytes]] = {thread_id: set() for thread_id in thread_ids}
    found = conn.execute(_SELECT_REFS, (json.dumps(thread_ids),)).fetchall()
    for thread_id, address in found:
        current[thread_id].add(bytes(address))
    # In key order (address first): each page of the table is visited once, in order.
    gone = sorted((a, t) for t in thread_ids for a in current[t] - live[t])
    conn.executemany("DELETE FROM cairn_refs WHERE address = ? AND thread_id = ?", gone)
    conn.executemany(
        "INSERT OR IGNORE INTO cairn_refs (address, thread_id) VALUES (?, ?)",
        [(a, t) for t in thread_ids for a in sorted(live[t] - current[t])],
    )
    for chunk in _chunks(sorted({address for address, _thread in gone})):
        store.free(chunk)


def _with_bases(conn: sqlite3.Connection, named: dict[str, set[bytes]]) -> dict[str, set[bytes]]:
    """Each thread's ``named`` addresses with every delta base below them (the chains read
    with one recursive query per chunk of addresses, for all the threads at once)."""
    bases: dict[bytes, bytes] = {}
    everything = sorted(set().union(*named.values())) if named else []
    for chunk in _chunks(everything):
        marks = ", ".join("?" * len(chunk))
        # Only constant fragments and placeholders are joined here.
        query = (
            "WITH RECURSIVE chain(address, base) AS (SELECT address, base FROM "  # noqa: S608
            f"cairn_values WHERE address IN ({marks}) UNION SELECT v.address, v.base FROM "
            "cairn_values v JOIN chain c ON v.address = c.base) "
            "SELECT address, base FROM chain WHERE base IS NOT NULL"
        )
        for address, base in conn.execute(query, chunk).fetchall():
            bases[bytes(address)] = bytes(base)
    return {thread_id: closed(addresses, bases) for thread_id, addresses in named.items()}


def _chunks(items: list[bytes]) -> Iterator[list[bytes]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def copy(store: Store, source: str, target: str) -> None:
    """Every row of ``source`` again under ``target``; values shared, refs added."""
    conn, fmt = store.conn, store.fmt
    checkpoints = conn.execute(SELECT_CHECKPOINTS + " WHERE thread_id = ?", (source,)).fetchall()
    conn.executemany(
        "INSERT INTO cairn_checkpoints VALUES (?, ?, ?, ?, ?)",
        [moved_checkpoint(fmt, CheckpointRow(*row), target) for row in checkpoints],
    )
    writes = conn.execute(_SELECT_WRITES + " WHERE thread_id = ?", (source,)).fetchall()
    conn.executemany(
        "INSERT INTO cairn_writes VALUES (?, ?, ?, ?, ?, ?)",
        [moved_writes(fmt, WriteRow(*row), target) for row in writes],
    )
    conn.execute(
        "INSERT OR IGNORE INTO cairn_refs (address, thread_id) SELECT address, ? FROM cairn_refs "
        "WHERE thread_id = ?",
        (target, source),
    )
    if checkpoints:
        conn.execute("DELETE FROM cairn_deleted WHERE thread_id = ?", (target,))


def reclaim(conn: sqlite3.Connection) -> None:
    """Return freed pages to the file system (incremental vacuum), then fold the WAL in."""
    (mode,) = conn.execute("PRAGMA auto_vacuum").fetchone()
    if int(mode) == 2:  # INCREMENTAL
        # A script: execute() would step the pragma once, and each step frees one page.
        conn.executescript("PRAGMA incremental_vacuum;")
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
