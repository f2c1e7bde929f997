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
from typing import TYPE_CHECKING, Any

import psycopg

from cairngraph.checkpoint._blobs import freed
from cairngraph.checkpoint._format import CheckpointRow, Format, WriteRow
from cairngraph.checkpoint._lifecycle import Chooser, Retained
from cairngraph.checkpoint._rehome import moved_checkpoint, moved_writes
from cairngraph.checkpoint._retention import (
    Admission,
    Entry,
    Key,
    admission,
    chosen,
    closed,
    deleted,
    entries_of,
    named_addresses,
)
from cairngraph.checkpoint.base import StepSave
from cairngraph.checkpoint.postgres._common import lock_key
from cairngraph.checkpoint.postgres._ops import _DELETE_VALUES
from cairngraph.checkpoint.postgres._save import SELECT_CHECKPOINTS
from cairngraph.checkpoint.postgres._statements import Atomic, Op, Query
from cairngraph.errors import CorruptDataError

if TYPE_CHECKING:
    from cairngraph.checkpoint.postgres._driver import Control

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
_IN_THREADS = " WHERE thread_id = ANY(%s::text[])"
_TRY_LOCKS = (
    "SELECT t, pg_try_advisory_xact_lock(k) FROM unnest(%s::text[], %s::bigint[]) AS x(t, k)"
)
"""Each thread's run lock (``_common.lock_key``) tried for this transaction."""
_DELETE_KEYS = (
    "WITH x AS (SELECT * FROM unnest(%s::text[], %s::text[], %s::text[]) AS x(t, n, c)), "
    "w AS (DELETE FROM cairn_writes w USING x WHERE w.thread_id = ANY(%s::text[]) AND "
    "w.thread_id = x.t AND w.ns = x.n AND w.checkpoint_id = x.c) "
    "DELETE FROM cairn_checkpoints c USING x WHERE c.thread_id = ANY(%s::text[]) AND "
    "c.thread_id = x.t AND c.ns = x.n AND c.checkpoint_id = x.c"
)
"""The checkpoints of ``(thread, ns, checkpoint_id)`` and their writes. The threads are given
again on their own: the planner's estimate for a join on three columns of a list is poor, and
without them it may scan the whole tables; with them it reads only the batch's rows."""
_LEFT = (
    "SELECT 1, thread_id, ns, checkpoint_id, task_id, slot, body FROM cairn_writes WHERE "
    "thread_id = ANY(%s::text[]) UNION ALL SELECT 0, thread_id, '', '', '', 0, address FROM "
    "cairn_refs WHERE thread_id = ANY(%s::text[])"
)
"""The threads' writes rows (kind 1) and ref rows (kind 0, the address as body), in one reply."""
_CHAINS = (
    "WITH RECURSIVE chain(address, base) AS (SELECT v.address, v.base FROM "
    "unnest(%s::bytea[]) AS n(a) CROSS JOIN LATERAL (SELECT address, base FROM cairn_values "
    "WHERE address = n.a LIMIT 1) AS v UNION SELECT v.address, v.base FROM chain c CROSS "
    "JOIN LATERAL (SELECT address, base FROM cairn_values WHERE address = c.base LIMIT 1) "
    "AS v WHERE c.base IS NOT NULL) SELECT address, base FROM chain"
)
"""The stored values among these addresses and every delta base below them, with their
base. One index lookup per value (LATERAL ... LIMIT 1): never a scan of the table, which
a recursive query's row estimate could otherwise choose."""
_RESET_REFS = (
    "WITH gone AS (DELETE FROM cairn_refs r USING unnest(%s::text[], %s::bytea[]) AS g(t, a) "
    "WHERE r.thread_id = g.t AND r.address = g.a AND r.thread_id = ANY(%s::text[]) "
    "RETURNING r.address), "
    "added AS (INSERT INTO cairn_refs (address, thread_id) SELECT a, t FROM "
    "unnest(%s::text[], %s::bytea[]) AS x(t, a) ON CONFLICT DO NOTHING) "
    "SELECT address FROM cairn_values WHERE address IN (SELECT address FROM gone) "
    "ORDER BY address FOR UPDATE"
)
"""Ref rows dropped and added, by (thread, address); the values that lost a ref are
returned locked, as ``_ops.delete_thread`` locks them before freeing."""
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


def retain(
    fmt: Format, thread_ids: Sequence[str], choose: Chooser, doomed: list[str], tried: bool
) -> Op:
    """Delete what ``choose`` picks of each thread and their writes; reset the refs of the
    threads changed; free the values nothing refers to any more. Returns how many
    checkpoints went, and the threads it changed or left as they were (``held``).

    One transaction for the whole batch. When ``tried``, the threads' run locks are
    tried first, as transaction-scoped locks (a run's session lock conflicts with them;
    they go with the commit): a thread a run holds is left out. Otherwise the caller
    holds every run lock. Then, for the whole batch, a round trip each: the guards and
    the checkpoint rows; the deletion (sent unanswered) and the remaining writes and
    ref rows; the delta chains of the values the remaining rows name; one statement
    that sets each thread's refs to what its rows name (delta bases included) and
    locks the values that lost a ref; the deletion of those no ref points to, and the
    commit.
    """
    yield Atomic()
    doomed.clear()  # the blobs of freed values, deleted once this commits
    held = list(thread_ids)
    if tried:
        found = yield Query(_TRY_LOCKS, (held, [lock_key(t) for t in held]), "all")
        held = [thread_id for thread_id, taken in found if taken]
        if not held:
            return 0, held
    yield Query(_EXCLUSIVE, (held,))
    found = yield Query(SELECT_CHECKPOINTS + _IN_THREADS, (held,), "all")
    checkpoints = [CheckpointRow(*_row(item)) for item in found]
    picked = chosen(fmt, checkpoints, choose)
    if not picked:
        return 0, held
    changed = sorted(picked)
    keys = [(t, ns, checkpoint_id) for t in changed for ns, checkpoint_id in sorted(picked[t])]
    columns = [list(column) for column in zip(*keys, strict=True)]
    yield Query(_DELETE_KEYS, (*columns, changed, changed))
    found = yield Query(_LEFT, (changed, changed), "all")
    writes = [WriteRow(r[1], r[2], r[3], r[4], r[5], bytes(r[6])) for r in found if r[0]]
    current: dict[str, set[bytes]] = {thread_id: set() for thread_id in changed}
    for r in found:
        if not r[0]:
            current[r[1]].add(bytes(r[6]))
    kept = [
        row
        for row in checkpoints
        if row.thread_id in picked
        and (row.checkpoint_ns, row.checkpoint_id) not in picked[row.thread_id]
    ]
    named = named_addresses(fmt, kept, writes, changed)
    chains = yield Query(_CHAINS, (sorted(set().union(*named.values())),), "all")
    stored = {bytes(address): base for address, base in chains}
    bases = {address: bytes(base) for address, base in stored.items() if base is not None}
    gone: list[tuple[str, bytes]] = []
    added: list[tuple[str, bytes]] = []
    for thread_id in changed:
        live = closed(named[thread_id], bases)
        gone += [(thread_id, address) for address in sorted(current[thread_id] - live)]
        # A ref names a stored value (as a save adds them): not an address nothing holds.
        added += [(thread_id, a) for a in sorted(live - current[thread_id]) if a in stored]
    locked = yield Query(_RESET_REFS, (*_columns(gone), changed, *_columns(added)), "all")
    if locked:
        gone_values = yield Query(_DELETE_VALUES, ([bytes(a) for (a,) in locked],), "all")
        doomed.extend(freed(gone_values))
    return len(keys), held


def _columns(pairs: list[tuple[str, bytes]]) -> tuple[list[str], list[bytes]]:
    return [thread_id for thread_id, _a in pairs], [address for _t, address in pairs]


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
    run: Callable[..., Any],
    fmt: Format,
    control: Control,
    thread_ids: Sequence[str],
    choose: Chooser,
    *,
    tried: bool,
) -> Retained:
    """``_retain`` and ``_retain_many`` of both PostgreSQL savers: :func:`retain` through
    ``run`` (the saver's way to run an operation from the caller's thread).

    When ``tried``, each thread is first claimed in this process (``control.claims``,
    as a run claims it: PostgreSQL's locks are re-entrant within a session, and runs
    of this process may share the connection); a thread a run of this process holds
    is busy. The claims go once the transaction is over. Then the removed checkpoints
    are forgotten by ``control.refs``, even when the commit failed, and the blobs of
    freed values deleted once it succeeded.
    """
    chosen_keys: list[tuple[str, str, str]] = []
    doomed: list[str] = []

    def noting(entries: list[Entry]) -> Collection[Key]:
        keys = choose(entries)
        chosen_keys.extend((entries[0].thread_id, ns, checkpoint_id) for ns, checkpoint_id in keys)
        return keys

    claimed = [t for t in thread_ids if not tried or control.claims.claim(lock_key(t))]
    try:
        if not claimed:
            return Retained(0, tuple(thread_ids))
        count, held = run(lambda: retain(fmt, claimed, noting, doomed, tried), None, doomed)
    finally:  # forgetting is always safe
        control.refs.drop(chosen_keys)
        if tried:
            for thread_id in claimed:
                control.claims.release(lock_key(thread_id))
    fmt.blobs.delete(doomed)
    taken = set(held)
    return Retained(int(count), tuple(t for t in thread_ids if t not in taken))
