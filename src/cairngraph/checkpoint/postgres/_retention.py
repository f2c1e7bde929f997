"""The PostgreSQL savers' lifecycle operations and tombstones, each written once.

Both savers run these generators (``_statements.py``) through their own driver.

Saves and deletions of one thread (race-safety under READ COMMITTED): every
insert of a checkpoint or writes row runs a trigger (schema migration 3) that
takes the thread's *guard* as a shared transaction-scoped advisory lock, then
looks for the thread in ``cairn_deleted`` (a new snapshot: it sees a deletion
committed while it waited) and raises when it is there, so a normal save stays
one statement. ``delete_thread``, :func:`remove` and :func:`copy` take the
guard exclusively first. So a save in flight when a deletion starts commits
before the deletion reads the thread's rows (and is deleted with them), and a
save that starts later waits for the deletion to commit and then sees the
tombstone and fails. A save that starts a thread afresh lifts its tombstone
first, in one transaction with the save (:func:`guarded`). The guard is not
the run lock (``_common.lock_key``): a deletion does not wait for a run, only
for the save in flight. Saves never conflict with each other on it (shared).

Freeing values follows ``_ops.py``: candidate value rows are locked in
address order, then those no ref row points to are deleted in a new statement.

Space: deleted rows become dead tuples that autovacuum reclaims for reuse by
later rows (tables stay about as large as their live data plus what one
autovacuum cycle deletes); nothing here runs VACUUM FULL, which would lock
the tables.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg

from cairngraph.checkpoint._blobs import freed
from cairngraph.checkpoint._format import CheckpointRow, Format, WriteRow
from cairngraph.checkpoint._lifecycle import Chooser
from cairngraph.checkpoint._rehome import live_addresses, moved_checkpoint, moved_writes
from cairngraph.checkpoint._retention import Admission, Entry, Key, admission, deleted, entries_of
from cairngraph.checkpoint.base import StepSave
from cairngraph.checkpoint.postgres._ops import _DELETE_VALUES
from cairngraph.checkpoint.postgres._save import SELECT_CHECKPOINTS
from cairngraph.checkpoint.postgres._statements import Atomic, Op, Query
from cairngraph.errors import CorruptDataError

__all__ = [
    "copy", "guarded", "refusals", "index", "retain", "retain_forgetting", "saving", "tombstone",
    "unraced",
]  # fmt: skip

_to_json = json.JSONEncoder(separators=(",", ":")).encode

_TRIES = 3
_PAGE = 5000
_AFTER = " WHERE (thread_id, ns, checkpoint_id) > (%s, %s, %s)"
_PAGED = " ORDER BY thread_id, ns, checkpoint_id LIMIT %s"
_EXISTS = "SELECT 1 FROM cairn_checkpoints WHERE thread_id = %s AND ns = %s AND checkpoint_id = %s"
_SELECT_WRITES = "SELECT thread_id, ns, checkpoint_id, task_id, slot, body FROM cairn_writes"
# The guard's key is computed by the server, as the insert trigger computes it.
_GUARD_KEYS = (
    "FROM (SELECT DISTINCT hashtextextended('cairngraph-save:' || t, 0) AS k "
    "FROM unnest(%s::text[]) AS t) AS keys ORDER BY k"
)
_SHARED = "SELECT pg_advisory_xact_lock_shared(k) " + _GUARD_KEYS
_EXCLUSIVE = "SELECT pg_advisory_xact_lock(k) " + _GUARD_KEYS
_REFUSED = "cairn_deleted "
"""How the tombstone trigger's error message starts (schema migration 3), then the thread."""
_LIFT = "DELETE FROM cairn_deleted WHERE thread_id = ANY(%s::text[])"
_TOMBSTONE = (
    "INSERT INTO cairn_deleted (thread_id) VALUES (%s) ON CONFLICT (thread_id) DO UPDATE "
    "SET deleted_at = now()"
)
_DELETE_KEYS = (
    "WITH x AS (SELECT * FROM json_to_recordset(%s::json) AS x(n text, c text)), "
    "w AS (DELETE FROM cairn_writes w USING x WHERE w.thread_id = %s AND w.ns = x.n AND "
    "w.checkpoint_id = x.c), d AS (DELETE FROM cairn_checkpoints c USING x WHERE "
    "c.thread_id = %s AND c.ns = x.n AND c.checkpoint_id = x.c RETURNING 1) "
    "SELECT count(*) FROM d"
)
_ROWS = (
    "SELECT 0, ns, checkpoint_id, parent_id, 0, body FROM cairn_checkpoints WHERE "
    "thread_id = %s UNION ALL SELECT 1, ns, checkpoint_id, task_id, slot, body FROM "
    "cairn_writes WHERE thread_id = %s"
)
"""A thread's checkpoint rows (kind 0) and writes rows (kind 1), in one reply."""
_RESET_REFS = (
    "WITH RECURSIVE chain(address) AS (SELECT address FROM cairn_values WHERE address = "
    "ANY(%s::bytea[]) UNION SELECT v.base FROM cairn_values v JOIN chain c ON v.address = "
    "c.address WHERE v.base IS NOT NULL), "
    "added AS (INSERT INTO cairn_refs (address, thread_id) SELECT address, %s FROM chain "
    "ON CONFLICT DO NOTHING), "
    "dropped AS (DELETE FROM cairn_refs r WHERE r.thread_id = %s AND NOT EXISTS "
    "(SELECT 1 FROM chain c WHERE c.address = r.address) RETURNING r.address) "
    "SELECT address FROM cairn_values WHERE address IN (SELECT address FROM dropped) "
    "ORDER BY address FOR UPDATE"
)
"""The thread's refs set to what its rows name (delta bases included); the values that
lost a ref are returned locked, as ``_ops.delete_thread`` locks them before freeing."""
_COPY_REFS = (
    "INSERT INTO cairn_refs (address, thread_id) SELECT address, %s FROM cairn_refs WHERE "
    "thread_id = %s ON CONFLICT DO NOTHING"
)
_PUT_CHECKPOINTS = (
    "INSERT INTO cairn_checkpoints (thread_id, ns, checkpoint_id, parent_id, body) "
    "SELECT t, n, c, p, decode(y, 'base64') FROM json_to_recordset(%s::json) AS "
    "x(t text, n text, c text, p text, y text)"
)
_PUT_WRITES = (
    "INSERT INTO cairn_writes (thread_id, ns, checkpoint_id, task_id, slot, body) "
    "SELECT t, n, c, k, s, decode(y, 'base64') FROM json_to_recordset(%s::json) AS "
    "x(t text, n text, c text, k text, s int, y text)"
)


def guarded(admitted: Admission, save: Op) -> Op:
    """``save``, refused when it continues a deleted thread (module docstring).

    A save that starts a thread afresh lifts its tombstone first, in a
    transaction with the save; any other save is the save alone, its inserts
    checked by the trigger (the saver turns the trigger's error into
    :class:`ThreadDeletedError` with :func:`refusals`).
    """
    if not admitted.lifted:
        return (yield from save)
    yield Atomic()
    yield Query(_SHARED, (sorted(admitted.checked | admitted.lifted),))
    yield Query(_LIFT, (sorted(admitted.lifted),))
    return (yield from _inner(save))


@contextmanager
def refusals(action: str) -> Iterator[None]:
    """The tombstone trigger's error, raised in the block, as :class:`ThreadDeletedError`."""
    try:
        yield
    except psycopg.errors.RaiseException as error:
        text = str(error)
        if not text.startswith(_REFUSED):
            raise
        raise deleted(text[len(_REFUSED) :].splitlines()[0], action) from None


def saving(steps: Sequence[StepSave], save: Op) -> Op:
    """A save of ``steps`` (``_save.put_steps``), guarded (under :func:`refusals`)."""
    return guarded(admission(steps), save)


def tombstone(thread_id: str, delete: Op) -> Op:
    """``delete`` (``_ops.delete_thread``) under the thread's guard, leaving a tombstone."""
    yield Atomic()
    yield Query(_EXCLUSIVE, ([thread_id],))
    yield from _inner(delete)
    yield Query(_TOMBSTONE, (thread_id,))


def _inner(operation: Op) -> Op:
    """``operation`` inside the transaction already open: its own Atomic dropped."""
    try:
        step = next(operation)
        if isinstance(step, Atomic):
            step = next(operation)
        while True:
            reply = yield step
            step = operation.send(reply)
    except StopIteration as done:
        return done.value


def unraced(make: Callable[[], Op]) -> Op:
    """A read (``make()``) done again when a prune or delete freed a value under it.

    A read takes the checkpoint rows, then their values, in separate statements; a
    prune committing in between frees the values of the checkpoints it removes. So a
    value missing from a checkpoint that no longer exists means the read raced the
    removal (read again: the checkpoint is gone now); missing from one that still
    exists, it is damage, and raised. Costs nothing unless a value is missing.
    """
    for attempt in range(_TRIES):
        try:
            return (yield from make())
        except CorruptDataError as error:
            if attempt == _TRIES - 1 or error.checkpoint_id is None:
                raise
            place = (error.thread_id, error.checkpoint_ns, error.checkpoint_id)
            if (yield Query(_EXISTS, place, "one")) is not None:
                raise
    raise AssertionError("unreachable: the last try returns or raises")


def index(fmt: Format, thread_ids: Sequence[str] | None) -> Op:
    """Every checkpoint of ``thread_ids`` (of every thread when None) as an :class:`Entry`.

    The whole store is read page by page, so only a page of bodies is in memory at once.
    """
    if thread_ids is not None:
        found = yield Query(
            SELECT_CHECKPOINTS + " WHERE thread_id = ANY(%s::text[])", (list(thread_ids),), "all"
        )
        return entries_of(fmt, [CheckpointRow(*_row(item)) for item in found])
    entries: list[Entry] = []
    after: tuple[Any, ...] = ()
    while True:
        sql = SELECT_CHECKPOINTS + (_AFTER if after else "") + _PAGED
        page = yield Query(sql, (*after, _PAGE), "all")
        entries += entries_of(fmt, [CheckpointRow(*_row(item)) for item in page])
        if len(page) < _PAGE:
            return entries
        after = tuple(page[-1][:3])


def _row(item: Sequence[Any]) -> tuple[str, str, str, str | None, bytes]:
    return item[0], item[1], item[2], item[3], bytes(item[4])


def retain(fmt: Format, thread_id: str, choose: Chooser, doomed: list[str]) -> Op:
    """Delete what ``choose`` picks of the thread and their writes; reset its refs; free values.

    Three round trips: one statement reads the thread's rows; the deletion goes out
    unanswered with one statement that sets the refs to what remains names (with
    delta bases) and locks the values that lost a ref; then those no ref points to
    are deleted, and the transaction commits.
    """
    yield Atomic()
    doomed.clear()  # the blobs of freed values, deleted once this commits
    yield Query(_EXCLUSIVE, ([thread_id],))
    found = yield Query(_ROWS, (thread_id, thread_id), "all")
    checkpoints = [
        CheckpointRow(thread_id, r[1], r[2], r[3], bytes(r[5])) for r in found if r[0] == 0
    ]
    keys = set(choose(entries_of(fmt, checkpoints)))
    if not keys:
        return 0
    writes = [WriteRow(thread_id, r[1], r[2], r[3], r[4], bytes(r[5])) for r in found if r[0]]
    chosen = _to_json([{"n": ns, "c": checkpoint_id} for ns, checkpoint_id in sorted(keys)])
    yield Query(_DELETE_KEYS, (chosen, thread_id, thread_id))
    named = live_addresses(
        fmt,
        [row for row in checkpoints if (row.checkpoint_ns, row.checkpoint_id) not in keys],
        [row for row in writes if (row.checkpoint_ns, row.checkpoint_id) not in keys],
    )
    locked = yield Query(_RESET_REFS, (sorted(named), thread_id, thread_id), "all")
    if locked:
        gone = yield Query(_DELETE_VALUES, ([bytes(a) for (a,) in locked],), "all")
        doomed.extend(freed(gone))
    return sum(1 for row in checkpoints if (row.checkpoint_ns, row.checkpoint_id) in keys)


def copy(fmt: Format, source: str, target: str) -> Op:
    """Every row of ``source`` again under ``target``; values shared, refs added."""
    yield Atomic()
    yield Query(_EXCLUSIVE, ([source, target],))
    found = yield Query(SELECT_CHECKPOINTS + " WHERE thread_id = %s", (source,), "all")
    checkpoints = [
        moved_checkpoint(fmt, CheckpointRow(r[0], r[1], r[2], r[3], bytes(r[4])), target)
        for r in found
    ]
    found = yield Query(_SELECT_WRITES + " WHERE thread_id = %s", (source,), "all")
    writes = [
        moved_writes(fmt, WriteRow(r[0], r[1], r[2], r[3], r[4], bytes(r[5])), target)
        for r in found
    ]
    if not checkpoints:
        return
    rows = [
        {"t": c.thread_id, "n": c.checkpoint_ns, "c": c.checkpoint_id, "p": c.parent_id,
         "y": _b64(c.body)}
        for c in checkpoints
    ]  # fmt: skip
    yield Query(_PUT_CHECKPOINTS, (_to_json(rows),))
    if writes:
        items = [
            {"t": w.thread_id, "n": w.checkpoint_ns, "c": w.checkpoint_id, "k": w.task_id,
             "s": w.slot, "y": _b64(w.body)}
            for w in writes
        ]  # fmt: skip
        yield Query(_PUT_WRITES, (_to_json(items),))
    yield Query(_COPY_REFS, (target, source))
    yield Query(_LIFT, ([target],))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def retain_forgetting(
    run: Callable[..., Any], fmt: Format, refs: Any, thread_id: str, choose: Chooser
) -> int:
    """``_retain`` of both PostgreSQL savers: :func:`retain` through ``run`` (the saver's
    way to run an operation from the caller's thread), then the removed checkpoints
    forgotten by ``refs`` (the saver's refs cache), even when the commit failed, and the
    blobs of freed values deleted once it succeeded."""
    chosen: list[Key] = []
    doomed: list[str] = []

    def noting(entries: list[Entry]) -> Collection[Key]:
        keys = choose(entries)
        chosen.extend(keys)
        return keys

    try:
        count = int(run(lambda: retain(fmt, thread_id, noting, doomed), None, doomed))
    finally:  # forgetting is always safe
        refs.drop((thread_id, ns, checkpoint_id) for ns, checkpoint_id in chosen)
    fmt.blobs.delete(doomed)
    return count
