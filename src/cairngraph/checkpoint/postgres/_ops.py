"""The PostgreSQL savers' other operations: deleting, checking, resealing, the thread lock.

Each is written once as a generator of statements; both savers run the same
generators (see ``_statements.py`` and ``_driver.py``). Saving is in
``_save.py``, reading in ``_load.py``.

Garbage collection and concurrent steps (``delete_thread``): deleting a
thread deletes its checkpoints, writes and ref rows, then the values no ref
row points to, in one transaction. Under READ COMMITTED a concurrent step of
another thread may store the same content meanwhile: its insert meets the
existing value row, and its new ref row is not yet visible. Checking refs
and deleting in one statement is not enough (a statement that waits for a
row lock re-checks that row, but reads the refs table with its old
snapshot). So:

1. a step's value insert that meets an existing row updates it to itself
   (``ON CONFLICT (address) DO UPDATE``, ``_save.py``), which locks the row
   until the step commits;
2. ``delete_thread`` first locks the candidate value rows (``SELECT ... FOR
   UPDATE``, in address order, as steps insert them), waiting for any such
   step to commit;
3. then deletes those that no ref row points to, in a NEW statement, whose
   snapshot sees every ref row committed before the locks were granted.

A step arriving after the locks waits for the deletion to commit, finds no
row, and inserts the value again. An advisory lock around GC would serialize
every step with every deletion; row locks only touch the rows both use.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Literal

from cairngraph.checkpoint._blobs import freed
from cairngraph.checkpoint._format import (
    VALUES,
    CheckpointRow,
    Format,
    ValueRow,
    Where,
    WriteRow,
)
from cairngraph.checkpoint._verify import Verifier
from cairngraph.checkpoint.base import VerifyReport
from cairngraph.checkpoint.postgres._load import resolved_rows
from cairngraph.checkpoint.postgres._save import BODIES
from cairngraph.checkpoint.postgres._statements import Atomic, Call, Op, Query

__all__ = ["advisory", "bodies", "delete_thread", "reseal", "verify"]

_DELETE_ROWS = (
    "WITH c AS (DELETE FROM cairn_checkpoints WHERE thread_id = %s), w AS (DELETE FROM "
    "cairn_writes WHERE thread_id = %s) DELETE FROM cairn_refs WHERE thread_id = %s "
    "RETURNING address"
)
_LOCK_VALUES = (
    "SELECT address FROM cairn_values WHERE address = ANY(%s::bytea[]) ORDER BY address FOR UPDATE"
)
_DELETE_VALUES = (
    "DELETE FROM cairn_values v WHERE address = ANY(%s::bytea[]) AND NOT EXISTS "
    "(SELECT 1 FROM cairn_refs r WHERE r.address = v.address) RETURNING address, "
    "CASE WHEN substring(body FROM 1 FOR 1) = '\\x03'::bytea THEN body END"
)
"""Frees the values no ref row points to; returns the blob reference of each freed one."""


def delete_thread(thread_id: str, doomed: list[str]) -> Op:
    """The thread's rows, and the values no other thread refers to (see the module's doc).

    The blobs of the freed values go to ``doomed``, to delete once this commits.
    """
    yield Atomic()
    doomed.clear()  # an attempt that did not commit freed nothing
    found = yield Query(_DELETE_ROWS, (thread_id, thread_id, thread_id), "all")
    addresses = sorted({bytes(row[0]) for row in found})
    if addresses:
        yield Query(_LOCK_VALUES, (addresses,), "all")
        doomed.extend(freed((yield Query(_DELETE_VALUES, (addresses,), "all"))))


def bodies(addresses: list[bytes]) -> Op:
    """The body each value row at ``addresses`` has now (for the blob collector)."""
    found = yield Query(BODIES, (addresses,), "all")
    return {bytes(address): bytes(body) for address, body in found}


def advisory(action: Literal["lock", "unlock"], key: int) -> Op:
    """Try to take a thread's session advisory lock (True when held), or let it go."""
    function = "pg_try_advisory_lock" if action == "lock" else "pg_advisory_unlock"
    row = yield Query("SELECT " + function + "(%s)", (key,), "one")
    return bool(row[0])


# -- checking and resealing -------------------------------------------------------------

_SCANS = {
    "checkpoints": (
        "SELECT thread_id, ns, checkpoint_id, parent_id, body FROM cairn_checkpoints",
        "thread_id, ns, checkpoint_id",
        3,
    ),
    "writes": (
        "SELECT thread_id, ns, checkpoint_id, task_id, slot, body FROM cairn_writes",
        "thread_id, ns, checkpoint_id, task_id, slot",
        5,
    ),
    "values": ("SELECT address, base, body FROM cairn_values", "address", 1),
    "refs": ("SELECT address, thread_id FROM cairn_refs", "address, thread_id", 2),
}
_SCAN_PAGE = 2000


def _rows(table: str) -> Op:
    """Every row of ``table``, page by page in key order (a bounded page in memory at once)."""
    select, key, width = _SCANS[table]
    marks = ", ".join(["%s"] * width)
    rows: list[Any] = []
    after: tuple[Any, ...] | None = None
    while True:
        # Only constant fragments and placeholders are joined here.
        sql = select + ("" if after is None else f" WHERE ({key}) > ({marks})")
        sql += f" ORDER BY {key} LIMIT {_SCAN_PAGE}"
        page = yield Query(sql, after or (), "all")
        rows.extend(page)
        if len(page) < _SCAN_PAGE:
            return rows
        after = tuple(page[-1][:width])


def verify(fmt: Format) -> Op:
    """Every row of every table opened and checked, in one snapshot; every bad one reported."""
    yield Atomic()
    yield Query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    verifier = Verifier(fmt)
    for found in (yield from _rows("checkpoints")):
        verifier.checkpoint(CheckpointRow(*found))
    for found in (yield from _rows("writes")):
        verifier.writes(WriteRow(*found))
    values = [ValueRow(bytes(a), b, bytes(y)) for a, b, y in (yield from _rows("values"))]
    values, unfetched = yield from resolved_rows(fmt, values)
    for row in values:
        verifier.value(row)
    verifier.unfetched(unfetched)
    refs = yield from _rows("refs")
    report: VerifyReport = verifier.report((bytes(address), thread) for address, thread in refs)
    return report


def _b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


_to_json = json.JSONEncoder(separators=(",", ":")).encode

_PUT_VALUES = (
    "INSERT INTO cairn_values (address, base, body) SELECT decode(a, 'base64'), "
    "decode(b, 'base64'), decode(y, 'base64') FROM json_to_recordset(%s::json) AS "
    "x(a text, b text, y text) ON CONFLICT DO NOTHING"
)
_PUT_REFS = (
    "INSERT INTO cairn_refs (address, thread_id) SELECT decode(a, 'base64'), t FROM "
    "json_to_recordset(%s::json) AS x(a text, t text) ON CONFLICT DO NOTHING"
)
_SET_CHECKPOINTS = (
    "UPDATE cairn_checkpoints c SET body = decode(x.y, 'base64') FROM "
    "json_to_recordset(%s::json) AS x(t text, n text, c text, y text) WHERE "
    "c.thread_id = x.t AND c.ns = x.n AND c.checkpoint_id = x.c"
)
_SET_WRITES = (
    "UPDATE cairn_writes w SET body = decode(x.y, 'base64') FROM "
    "json_to_recordset(%s::json) AS x(t text, n text, c text, k text, s int, y text) WHERE "
    "w.thread_id = x.t AND w.ns = x.n AND w.checkpoint_id = x.c AND w.task_id = x.k AND "
    "w.slot = x.s"
)


def reseal(fmt: Format, doomed: list[str]) -> Op:
    """Every row rewritten with ``fmt``'s seal, in one transaction; the count of rows.

    Values kept in blobs are fetched, sealed anew and put as new blobs before this
    commits; the old blobs go to ``doomed``, to delete once it has.
    """
    yield Atomic()
    # Writers wait until this commits; readers go on reading the old rows meanwhile.
    yield Query(
        "LOCK TABLE cairn_checkpoints, cairn_writes, cairn_values, cairn_refs IN EXCLUSIVE MODE"
    )
    doomed.clear()
    stored = [
        ValueRow(bytes(a), None if b is None else bytes(b), bytes(y))
        for a, b, y in (yield from _rows("values"))
    ]
    opened, unfetched = yield from resolved_rows(fmt, stored)
    if unfetched:
        address, problem = next(iter(unfetched.items()))
        raise Where(VALUES, address=address).error(f"the value {problem}")
    values, moved = fmt.reseal_values(opened)
    new = {row.address: row for row in values}
    uploads = fmt.blobs.offload(new)
    if uploads:
        yield Call(lambda: fmt.blobs.put(uploads))
    values = list(new.values())
    doomed.extend(freed((row.address, row.body) for row in stored))
    checkpoints = [
        {"t": row[0], "n": row[1], "c": row[2], "y": _b64(fmt.reseal_checkpoint(row, moved))}
        for row in (CheckpointRow(*found) for found in (yield from _rows("checkpoints")))
    ]
    writes = [
        {
            "t": row[0], "n": row[1], "c": row[2], "k": row[3], "s": row[4],
            "y": _b64(fmt.reseal_writes(row, moved)),
        }
        for row in (WriteRow(*found) for found in (yield from _rows("writes")))
    ]  # fmt: skip
    refs = {
        (moved.get(bytes(address), bytes(address)), thread_id)
        for address, thread_id in (yield from _rows("refs"))
    }
    yield Query("DELETE FROM cairn_values")
    if values:
        rows = [{"a": _b64(v.address), "b": _b64(v.base), "y": _b64(v.body)} for v in values]
        yield Query(_PUT_VALUES, (_to_json(rows),))
    yield Query("DELETE FROM cairn_refs")
    if refs:
        yield Query(_PUT_REFS, (_to_json([{"a": _b64(a), "t": t} for a, t in sorted(refs)]),))
    if checkpoints:
        yield Query(_SET_CHECKPOINTS, (_to_json(checkpoints),))
    if writes:
        yield Query(_SET_WRITES, (_to_json(writes),))
    return len(values) + len(checkpoints) + len(writes)
