"""The SQLite saver's lifecycle primitives and tombstones, on format-2 rows.

Everything here runs inside the saver's connection lock and, but for
:func:`reclaim`, inside a write transaction the saver opened (``BEGIN
IMMEDIATE``: SQLite has one writer at a time, so a save and a deletion never
interleave, in this process or another).

Invariants:

- After :func:`remove`, the thread's ref rows are exactly the addresses its
  remaining checkpoint and writes rows name, closed over delta bases; a value
  whose last ref row went is deleted in the same transaction.
- A tombstone row (``cairn_deleted``) is written by ``delete_thread``; every
  insert of a checkpoint or writes row of that thread is aborted by a trigger
  (one primary-key lookup inside the insert, no statement of its own), until a
  save starting the thread afresh (or ``copy_thread`` to it) lifts it.
- Space: a file created by this version has ``auto_vacuum = INCREMENTAL``
  and :func:`reclaim` returns freed pages to the file system; an older file
  reuses its freed pages for new rows until ``SqliteSaver.vacuum()`` converts it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from cairngraph.checkpoint._format import CheckpointRow, WriteRow
from cairngraph.checkpoint._lifecycle import Chooser
from cairngraph.checkpoint._rehome import live_addresses, moved_checkpoint, moved_writes
from cairngraph.checkpoint._retention import Admission, Entry, deleted, entries_of
from cairngraph.checkpoint.sqlite._store import SELECT_CHECKPOINTS, Store
from cairngraph.errors import CorruptDataError, StorageError

__all__ = [
    "admit", "copy", "exists", "index", "reclaim", "refusals", "retain", "tombstone", "unraced",
]  # fmt: skip

_SELECT_WRITES = (
    "SELECT thread_id, ns, checkpoint_id, task_id, slot, CAST(body AS BLOB) FROM cairn_writes"
)
_CHUNK = 500
_TRIES = 3
_PAGE = 5000
_AFTER = " WHERE (thread_id, ns, checkpoint_id) > (?, ?, ?)"
_PAGED = " ORDER BY thread_id, ns, checkpoint_id LIMIT ?"
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
        cause = error.__cause__
        if not (isinstance(cause, sqlite3.IntegrityError) and "cairn_deleted" in str(cause)):
            raise
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
        found = []
        for thread_id in thread_ids:
            found += conn.execute(
                SELECT_CHECKPOINTS + " WHERE thread_id = ?", (thread_id,)
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


def retain(store: Store, thread_id: str, choose: Chooser) -> int:
    """Delete what ``choose`` picks of the thread with its writes; reset its refs; free values."""
    conn = store.conn
    checkpoints = [
        CheckpointRow(*row)
        for row in conn.execute(SELECT_CHECKPOINTS + " WHERE thread_id = ?", (thread_id,))
    ]
    keys = set(choose(entries_of(store.fmt, checkpoints)))
    if not keys:
        return 0
    writes = [
        WriteRow(*row)
        for row in conn.execute(_SELECT_WRITES + " WHERE thread_id = ?", (thread_id,))
    ]
    params = [(thread_id, ns, checkpoint_id) for ns, checkpoint_id in sorted(keys)]
    before = conn.total_changes
    conn.executemany(
        "DELETE FROM cairn_checkpoints WHERE thread_id = ? AND ns = ? AND checkpoint_id = ?",
        params,
    )
    removed = conn.total_changes - before
    conn.executemany(
        "DELETE FROM cairn_writes WHERE thread_id = ? AND ns = ? AND checkpoint_id = ?", params
    )
    named = live_addresses(
        store.fmt,
        [row for row in checkpoints if (row.checkpoint_ns, row.checkpoint_id) not in keys],
        [row for row in writes if (row.checkpoint_ns, row.checkpoint_id) not in keys],
    )
    _reset_refs(store, thread_id, _with_bases(conn, named))
    store.refs.drop((thread_id, ns, checkpoint_id) for ns, checkpoint_id in keys)
    return removed


def _reset_refs(store: Store, thread_id: str, live: set[bytes]) -> None:
    """The thread's ref rows set to ``live``; the values that lost their last ref deleted."""
    conn = store.conn
    current = {
        bytes(address)
        for (address,) in conn.execute(
            "SELECT address FROM cairn_refs WHERE thread_id = ?", (thread_id,)
        ).fetchall()
    }
    gone = sorted(current - live)
    conn.executemany(
        "DELETE FROM cairn_refs WHERE address = ? AND thread_id = ?",
        [(address, thread_id) for address in gone],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO cairn_refs (address, thread_id) VALUES (?, ?)",
        [(address, thread_id) for address in sorted(live - current)],
    )
    for chunk in _chunks(gone):
        store.free(chunk)


def _with_bases(conn: sqlite3.Connection, addresses: set[bytes]) -> set[bytes]:
    """``addresses`` and every delta base below them (one recursive query per chunk)."""
    found = set(addresses)
    for chunk in _chunks(sorted(addresses)):
        marks = ", ".join("?" * len(chunk))
        # Only constant fragments and placeholders are joined here.
        query = (
            "WITH RECURSIVE chain(address) AS (SELECT address FROM cairn_values "  # noqa: S608
            f"WHERE address IN ({marks}) UNION SELECT v.base FROM cairn_values v JOIN "
            "chain c ON v.address = c.address WHERE v.base IS NOT NULL) SELECT address FROM chain"
        )
        found.update(bytes(address) for (address,) in conn.execute(query, chunk).fetchall())
    return found


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
