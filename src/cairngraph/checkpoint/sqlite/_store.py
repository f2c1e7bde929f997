"""Format-2 rows (``checkpoint/_format.py``) in a SQLite file: the queries, and nothing else.

Everything here runs inside the saver's connection lock; nothing here opens
a transaction. A step of ``{count: int}`` touches two B-trees (its checkpoint
row and its task's writes row); a value too big to live inline adds one
value row per new content and one ref row per thread.

The refs of checkpoints this saver committed or read are remembered
(:class:`RefsCache`): a step reuses its parent's refs for every unchanged
channel without reading the parent row. Only committed rows are learned.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from cairngraph.checkpoint._blobs import Blobs, Upload, freed
from cairngraph.checkpoint._format import (
    CHECKPOINTS,
    VALUES,
    WRITES,
    CheckpointRow,
    Format,
    Known,
    Record,
    StepRows,
    ValueLoader,
    ValueRow,
    WriteRow,
    encode_steps,
    merge_writes,
)
from cairngraph.checkpoint._listed import RawRow
from cairngraph.checkpoint._read import Contents, Entry, contents, tuples
from cairngraph.checkpoint._refs import Key, RefsCache
from cairngraph.checkpoint._threads import Batch, page_clauses
from cairngraph.checkpoint._verify import Verifier
from cairngraph.checkpoint._where import Where
from cairngraph.checkpoint.base import (
    CheckpointTuple,
    StepSave,
    VerifyReport,
)
from cairngraph.checkpoint.serde.base import SerializerProtocol

__all__ = ["Selected", "Store"]

# Payload columns are read as BLOB whatever their stored type, so a damaged type byte
# is caught by the payload's check like any other damage.
SELECT_CHECKPOINTS = (
    "SELECT thread_id, ns, checkpoint_id, parent_id, CAST(body AS BLOB) FROM cairn_checkpoints"
)
_SELECT_WRITES = (
    "SELECT thread_id, ns, checkpoint_id, task_id, slot, CAST(body AS BLOB) FROM cairn_writes"
)
_KEYS_AS_BLOBS = (
    "SELECT CAST(thread_id AS BLOB), CAST(ns AS BLOB), CAST(checkpoint_id AS BLOB), {columns} "
    "FROM cairn_{table}"
)
"""For verify(): key columns as bytes, so one that no longer decodes is reported, not raised."""
_SELECT_VALUES = (
    "SELECT CAST(address AS BLOB), CAST(base AS BLOB), CAST(body AS BLOB) FROM cairn_values"
)
_IN_CHUNK = 500
_KEYS_CHUNK = 240  # four parameters a key: under the 999 of older SQLite builds

_PUT_CHECKPOINT = "INSERT OR REPLACE INTO cairn_checkpoints VALUES (?, ?, ?, ?, ?)"

_new = tuple.__new__  # NamedTuple rows by position, without their Python-level __new__

# get_tuple: the checkpoint is one row (a primary-key equality), so its writes come in
# their primary key's order and the ORDER BY needs no sort.
_ONE = (
    "SELECT c.thread_id, c.ns, c.checkpoint_id, c.parent_id, CAST(c.body AS BLOB), "
    "w.task_id, w.slot, CAST(w.body AS BLOB) FROM cairn_checkpoints AS c "
    "LEFT JOIN cairn_writes AS w ON w.thread_id = c.thread_id AND w.ns = c.ns "
    "AND w.checkpoint_id = c.checkpoint_id "
    "WHERE c.thread_id = ?1 AND c.ns = ?2 AND c.checkpoint_id = {checkpoint_id} "
    "ORDER BY w.task_id, w.slot"
)
# The newest id by the primary key's order, not MAX(): the same row, without an
# aggregate's steps (a few percent of a get_state).
_LATEST_ONE = _ONE.format(
    checkpoint_id="(SELECT checkpoint_id FROM cairn_checkpoints "
    "WHERE thread_id = ?1 AND ns = ?2 ORDER BY checkpoint_id DESC LIMIT 1)"
)
_GIVEN_ONE = _ONE.format(checkpoint_id="?3")

_NO_WRITES: tuple[()] = ()
"""The opened writes of a checkpoint that has none (shared: never changed)."""

Selected = tuple[CheckpointRow, list[WriteRow]]
"""A checkpoint row and its writes rows, as :meth:`Store.select` found them."""

# A page of threads: a range of the summary table's key (checkpoint_id, thread_id),
# newest first, joined to only its rows' checkpoints (see checkpoint/_threads.py).
_LATEST_ROWS = (
    "SELECT c.thread_id, c.ns, c.checkpoint_id, c.parent_id, CAST(c.body AS BLOB) FROM "
    "(SELECT t.thread_id, t.checkpoint_id FROM cairn_threads AS t{where} ORDER BY "
    "t.checkpoint_id DESC, t.thread_id DESC LIMIT ?) AS t JOIN cairn_checkpoints AS c ON "
    "c.thread_id = t.thread_id AND c.ns = '' AND c.checkpoint_id = t.checkpoint_id "
    "ORDER BY t.checkpoint_id DESC, t.thread_id DESC"
)


_THREAD_KEY = (
    "SELECT MAX(m.checkpoint_id), m.thread_id FROM cairn_checkpoints AS m "
    "WHERE m.thread_id = {mark} AND m.ns = ''"
)
"""A thread's summary key: its latest root checkpoint (the summary has no index by thread)."""


class Store:
    """The row-level operations, given a connection and a serializer."""

    def __init__(
        self, conn: sqlite3.Connection, serde: SerializerProtocol, blobs: Blobs | None = None
    ) -> None:
        self.conn = conn
        self.fmt = Format(serde, blobs)
        self.blobs = self.fmt.blobs
        self.refs = RefsCache()
        self.uploaded: list[Upload] = []
        """Blobs put by the transaction in progress (deleted if it rolls back)."""
        self.doomed: list[str] = []
        """Blobs no row will name once the transaction in progress commits."""

    # -- blobs around the transaction (the saver calls these) ----------------------

    def committed(self) -> None:
        """Delete the blobs the committed transaction freed or did not need."""
        if not (self.doomed or self.uploaded):  # a step of small values: the common case
            return
        doomed, self.doomed, self.uploaded = self.doomed, [], []
        self.blobs.delete(doomed)

    def rolled_back(self) -> None:
        """Delete the blobs the rolled-back transaction put (no row names them)."""
        uploaded, self.doomed, self.uploaded = self.uploaded, [], []
        self.blobs.delete([upload.name for upload in uploaded])

    def bodies(self, addresses: Sequence[bytes]) -> dict[bytes, bytes]:
        """The body each of these value rows has now (a blob reference, or the body)."""
        found: dict[bytes, bytes] = {}
        for chunk in _chunks(sorted(set(addresses))):
            marks = ", ".join("?" * len(chunk))
            # Only constant fragments and placeholders are joined here.
            query = _SELECT_VALUES + f" WHERE address IN ({marks})"
            found.update((bytes(a), bytes(y)) for a, _b, y in self.conn.execute(query, chunk))
        return found

    def _offloaded(self, rows: StepRows) -> None:
        """Write ``rows``, putting the blobs of big values not stored yet first.

        This runs in the write transaction: no deletion can free a value row seen
        here before it commits, so a value stored before (another thread's) is
        neither put nor inserted again.
        """
        if rows.values and self.blobs.store is not None:
            big = [a for a, row in rows.values.items() if len(row.body) > self.blobs.threshold]
            for address in self.bodies(big):
                del rows.values[address]
            uploads = self.blobs.offload(rows.values)
            self.uploaded.extend(uploads)
            self.blobs.put(uploads)
        self._write(rows)

    # -- writing ---------------------------------------------------------------

    def save(self, steps: Sequence[StepSave]) -> StepRows:
        """Store consecutive steps; return what was stored (learn ``rows.learned`` on commit)."""
        encoding = encode_steps(self.fmt, steps, self.refs.get)
        parent: Known | None = None
        try:
            while True:
                parent = self._read_refs(encoding.send(parent))
        except StopIteration as done:
            rows: StepRows = done.value
        self._offloaded(rows)
        return rows

    def put_writes(
        self,
        thread_id: str,
        ns: str,
        checkpoint_id: str,
        task_id: str,
        task_path: str,
        writes: Sequence[tuple[str, Any]],
    ) -> None:
        rows = StepRows()
        self.fmt.encode_writes(rows, thread_id, ns, checkpoint_id, task_id, task_path, writes, {})
        self._offloaded(rows)

    def _write(self, rows: StepRows) -> None:
        execute = self.conn.execute
        if rows.values:
            self.conn.executemany(
                "INSERT OR IGNORE INTO cairn_values (address, base, body) VALUES (?, ?, ?)",
                rows.values.values(),
            )
        if rows.refs:
            self.conn.executemany(
                "INSERT OR IGNORE INTO cairn_refs (address, thread_id) VALUES (?, ?)", rows.refs
            )
        for row, items, _path in rows.writes:
            if row.slot != 0:
                execute("INSERT OR REPLACE INTO cairn_writes VALUES (?, ?, ?, ?, ?, ?)", row)
                continue
            inserted = execute("INSERT OR IGNORE INTO cairn_writes VALUES (?, ?, ?, ?, ?, ?)", row)
            if inserted.rowcount:
                continue
            # Saved before: the first value at each index stays; new indexes join it.
            key = row[:5]
            (body,) = execute(
                "SELECT body FROM cairn_writes WHERE thread_id = ? AND ns = ? AND "
                "checkpoint_id = ? AND task_id = ? AND slot = ?",
                key,
            ).fetchone()
            kept_path, kept = self.fmt.open_writes(WriteRow(*key, body))
            merged = merge_writes(kept, items)
            if len(merged) != len(kept):
                new = self.fmt.writes_row(*key, kept_path, merged)
                execute(
                    "UPDATE cairn_writes SET body = ? WHERE thread_id = ? AND ns = ? AND "
                    "checkpoint_id = ? AND task_id = ? AND slot = ?",
                    (new.body, *key),
                )
        checkpoints = rows.checkpoints
        if len(checkpoints) == 1:  # a step saved alone: execute costs less than executemany
            execute(_PUT_CHECKPOINT, checkpoints[0])
        elif checkpoints:
            self.conn.executemany(_PUT_CHECKPOINT, checkpoints)

    def _read_refs(self, key: Key) -> Known | None:
        found = self.conn.execute(
            SELECT_CHECKPOINTS + " WHERE thread_id = ? AND ns = ? AND checkpoint_id = ?", key
        ).fetchone()
        if found is None:
            return None
        record = self.fmt.open_checkpoint(CheckpointRow(*found))
        return Known(record.versions, record.refs)

    def delete_thread(self, thread_id: str) -> None:
        execute = self.conn.execute
        execute("DELETE FROM cairn_checkpoints WHERE thread_id = ?", (thread_id,))
        execute("DELETE FROM cairn_writes WHERE thread_id = ?", (thread_id,))
        addresses = [
            address
            for (address,) in execute(
                "SELECT address FROM cairn_refs WHERE thread_id = ?", (thread_id,)
            )
        ]
        execute("DELETE FROM cairn_refs WHERE thread_id = ?", (thread_id,))
        for chunk in _chunks(addresses):
            self.free(chunk)
        self.refs.forget(thread_id)

    def free(self, addresses: Sequence[bytes]) -> None:
        """Delete the value rows among ``addresses`` no ref row points to; their blobs
        go once the transaction commits. At most :data:`_IN_CHUNK` addresses."""
        marks = ", ".join("?" * len(addresses))
        # Only constant fragments and placeholders are joined here.
        gone = self.conn.execute(
            f"DELETE FROM cairn_values WHERE address IN ({marks}) AND NOT EXISTS "  # noqa: S608
            "(SELECT 1 FROM cairn_refs r WHERE r.address = cairn_values.address) RETURNING "
            "address, CASE WHEN substr(body, 1, 1) = x'03' THEN body END",
            list(addresses),
        ).fetchall()
        self.doomed.extend(freed(gone))

    # -- reading ---------------------------------------------------------------

    def latest_rows(self, batch: Batch) -> list[CheckpointRow]:
        """The latest root rows of the threads ``batch`` asks for, newest first."""
        clauses, params = page_clauses(batch, "?", "instr", _THREAD_KEY)
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        # Only constant fragments and ``?`` placeholders are joined here.
        found = self.conn.execute(
            _LATEST_ROWS.format(where=where), [*params, batch.count]
        ).fetchall()
        return [_new(CheckpointRow, row) for row in found]

    def select(self, where: str, params: Sequence[Any]) -> list[Selected]:
        """The checkpoints ``SELECT_CHECKPOINTS + where`` selects, in its order, each
        with its writes rows: one statement (the rows joined with their writes)."""
        found = self.conn.execute(
            "SELECT c.*, w.task_id, w.slot, CAST(w.body AS BLOB) FROM ("  # noqa: S608
            + SELECT_CHECKPOINTS
            + where
            + ") c LEFT JOIN cairn_writes w ON w.thread_id = c.thread_id AND w.ns = c.ns "
            "AND w.checkpoint_id = c.checkpoint_id "
            "ORDER BY c.checkpoint_id DESC, c.thread_id DESC, c.ns DESC, w.task_id, w.slot",
            params,
        ).fetchall()
        return _grouped(found)

    def rows(self, where: str, params: Sequence[Any]) -> list[RawRow]:
        """The checkpoint rows ``SELECT_CHECKPOINTS + where`` selects, without their writes."""
        found: list[RawRow] = self.conn.execute(SELECT_CHECKPOINTS + where, params).fetchall()
        return found

    def writes_at(self, rows: Sequence[RawRow]) -> list[Sequence[WriteRow]]:
        """The writes rows of each of ``rows``, in order (none for a checkpoint removed
        meanwhile: its writes went with it). One range of the writes' primary key a row."""
        found_all: list[Sequence[WriteRow]] = []
        for start in range(0, len(rows), _KEYS_CHUNK):
            chunk = rows[start : start + _KEYS_CHUNK]
            marks = ", ".join(["(?, ?, ?, ?)"] * len(chunk))
            params = [part for n, row in enumerate(chunk) for part in (*row[:3], n)]
            # Only constant fragments and placeholders are joined here.
            found = self.conn.execute(
                f"WITH k(thread_id, ns, checkpoint_id, n) AS (VALUES {marks}) "  # noqa: S608
                "SELECT k.n, w.task_id, w.slot, CAST(w.body AS BLOB) FROM k JOIN cairn_writes "
                "AS w ON w.thread_id = k.thread_id AND w.ns = k.ns AND "
                "w.checkpoint_id = k.checkpoint_id ORDER BY k.n, w.task_id, w.slot",
                params,
            ).fetchall()
            held: dict[int, list[WriteRow]] = {}
            for n, task_id, slot, body in found:
                row = chunk[n]
                made = _new(WriteRow, (row[0], row[1], row[2], task_id, slot, body))
                if n in held:
                    held[n].append(made)
                else:
                    held[n] = [made]
            # Rows without writes (most, in a listing) share one empty tuple.
            found_all.extend([held.get(n, _NO_WRITES) for n in range(len(chunk))])
        return found_all

    def build(
        self, opened: Sequence[tuple[CheckpointRow, Record, Sequence[WriteRow]]]
    ) -> list[CheckpointTuple]:
        """Tuples of opened checkpoint rows and their writes rows, values fetched in bulk."""
        entries, loader = self._entries(opened)
        return tuples(self.fmt, entries, loader)

    def contents(
        self, opened: Sequence[tuple[CheckpointRow, Record, Sequence[WriteRow]]]
    ) -> list[Contents]:
        """:meth:`build` without the configs: each row's checkpoint and pending writes."""
        entries, loader = self._entries(opened)
        return contents(self.fmt, entries, loader)

    def _entries(
        self, opened: Sequence[tuple[CheckpointRow, Record, Sequence[WriteRow]]]
    ) -> tuple[list[Entry], ValueLoader]:
        """The writes rows opened, and every value stored apart fetched (with its bases)."""
        open_writes = self.fmt.open_writes
        entries: list[Entry] = []
        apart: list[Any] = []  # refs that are not raw bytes: inline, or a value row's
        add = apart.append
        # Plain loops, not a comprehension per row: a page is many rows of few values each.
        for row, record, write_rows in opened:
            for ref in record.refs.values():
                if type(ref) is not bytes:
                    add(ref)
            if not write_rows:
                entries.append((row, record, _NO_WRITES))
                continue
            writes = []
            for write in write_rows:
                task_path, items = open_writes(write)
                writes.append((write, task_path, items))
                for item in items:
                    if type(item[2]) is not bytes:
                        add(item[2])
            entries.append((row, record, writes))
        loader = ValueLoader(self.fmt)
        if apart:
            loader.need(apart)
            while wanted := loader.wanted():
                loader.add(*self.blobs.resolve(self._values(wanted)))
        return entries, loader

    def load_one(
        self, thread_id: str, ns: str, checkpoint_id: str | None
    ) -> CheckpointTuple | None:
        """One checkpoint (the latest of the namespace when ``checkpoint_id`` is None) with
        its writes: one statement, a primary-key lookup and its writes' range, no sort."""
        if checkpoint_id is None:
            found = self.conn.execute(_LATEST_ONE, (thread_id, ns)).fetchall()
        else:
            found = self.conn.execute(_GIVEN_ONE, (thread_id, ns, checkpoint_id)).fetchall()
        if not found:
            return None
        first = found[0]
        row: CheckpointRow = _new(CheckpointRow, first[:5])
        writes: Sequence[WriteRow] = _NO_WRITES
        if first[5] is not None:  # the LEFT JOIN found writes: one joined row each
            writes = [_new(WriteRow, (*item[:3], *item[5:])) for item in found]
        return self.build([(row, self.fmt.open_checkpoint(row), writes)])[0]

    def _values(self, addresses: list[bytes]) -> Iterator[ValueRow]:
        """The value rows at ``addresses`` and every delta base below them, in one query."""
        for chunk in _chunks(addresses):
            marks = ", ".join("?" * len(chunk))
            # Only constant fragments and placeholders are joined here.
            query = (
                "WITH RECURSIVE chain(address) AS (SELECT address FROM cairn_values "  # noqa: S608
                f"WHERE address IN ({marks}) UNION SELECT v.base FROM cairn_values v JOIN "
                "chain c ON v.address = c.address WHERE v.base IS NOT NULL) "
                + _SELECT_VALUES
                + " WHERE address IN (SELECT address FROM chain)"
            )
            for found in self.conn.execute(query, chunk).fetchall():
                yield ValueRow(*found)

    def reseal(self) -> int:
        """Every row rewritten with this store's seal (addresses change with the key)."""
        execute = self.conn.execute
        stored = [ValueRow(*found) for found in execute(_SELECT_VALUES).fetchall()]
        opened, unfetched = self.blobs.resolve(stored)
        if unfetched:
            address, problem = next(iter(unfetched.items()))
            raise Where(VALUES, address=address).error(f"the value {problem.problem}", problem.kind)
        values, moved = self.fmt.reseal_values(opened)
        new = {row.address: row for row in values}
        uploads = self.blobs.offload(new)
        self.uploaded.extend(uploads)
        self.blobs.put(uploads)
        values = list(new.values())
        self.doomed.extend(freed((row.address, row.body) for row in stored))
        checkpoints = [
            (self.fmt.reseal_checkpoint(row, moved), *row[:3])
            for row in (CheckpointRow(*found) for found in execute(SELECT_CHECKPOINTS).fetchall())
        ]
        writes = [
            (self.fmt.reseal_writes(row, moved), *row[:5])
            for row in (WriteRow(*found) for found in execute(_SELECT_WRITES).fetchall())
        ]
        refs = {
            (moved.get(bytes(address), bytes(address)), thread_id)
            for address, thread_id in execute(
                "SELECT address, thread_id FROM cairn_refs"
            ).fetchall()
        }
        execute("DELETE FROM cairn_values")
        self.conn.executemany("INSERT OR IGNORE INTO cairn_values VALUES (?, ?, ?)", values)
        execute("DELETE FROM cairn_refs")
        self.conn.executemany("INSERT OR IGNORE INTO cairn_refs VALUES (?, ?)", refs)
        self.conn.executemany(
            "UPDATE cairn_checkpoints SET body = ? WHERE thread_id = ? AND ns = ? AND "
            "checkpoint_id = ?",
            checkpoints,
        )
        self.conn.executemany(
            "UPDATE cairn_writes SET body = ? WHERE thread_id = ? AND ns = ? AND "
            "checkpoint_id = ? AND task_id = ? AND slot = ?",
            writes,
        )
        self.refs = RefsCache()
        return len(values) + len(checkpoints) + len(writes)

    # -- checking --------------------------------------------------------------

    def verify(self) -> VerifyReport:
        """Every row of every table opened and checked; every bad one reported.

        Key columns are read as bytes too: a damaged one that no longer decodes
        as text is reported with the rest, not raised.
        """
        verifier = Verifier(self.fmt)
        execute = self.conn.execute
        checkpoints = _KEYS_AS_BLOBS.format(
            columns="CAST(parent_id AS BLOB), CAST(body AS BLOB)", table="checkpoints"
        )
        writes = _KEYS_AS_BLOBS.format(
            columns="CAST(task_id AS BLOB), slot, CAST(body AS BLOB)", table="writes"
        )
        for found in execute(checkpoints).fetchall():
            verifier.checkpoint(CheckpointRow(*_texts(found, 4), found[4]))  # type: ignore[call-arg]
        for found in execute(writes).fetchall():
            verifier.writes(WriteRow(*_texts(found, 4), found[4], found[5]))  # type: ignore[call-arg]
        values, unfetched = self.blobs.resolve(
            ValueRow(*found) for found in execute(_SELECT_VALUES).fetchall()
        )
        for row in values:
            verifier.value(row)
        verifier.unfetched(unfetched)
        refs = execute(
            "SELECT CAST(address AS BLOB), CAST(thread_id AS BLOB) FROM cairn_refs"
        ).fetchall()
        return verifier.report((address, _text(thread)) for address, thread in refs)


def _text(value: Any) -> Any:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value


def _texts(row: Sequence[Any], count: int) -> list[Any]:
    return [_text(value) for value in row[:count]]


def _grouped(found: list[Any]) -> list[Selected]:
    """Joined ``(checkpoint columns, task_id, slot, body)`` rows, each checkpoint's together,
    as ``(row, writes rows)``."""
    selected: list[Selected] = []
    last: tuple[Any, ...] = ()
    writes: list[WriteRow] = []
    for item in found:
        key = item[:3]
        if key != last:
            last = key
            writes = []
            selected.append((_new(CheckpointRow, item[:5]), writes))
        if item[5] is not None:
            writes.append(_new(WriteRow, (*key, *item[5:])))
    return selected


def _chunks(items: list[bytes]) -> Iterator[list[bytes]]:
    for start in range(0, len(items), _IN_CHUNK):
        yield items[start : start + _IN_CHUNK]


assert (CHECKPOINTS, WRITES, VALUES) == ("cairn_checkpoints", "cairn_writes", "cairn_values")
