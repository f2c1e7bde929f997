"""Reading the rows of LangGraph's SQLite and PostgreSQL savers, one thread at a time.

LangGraph's SQLite saver keeps a thread in two tables: ``checkpoints`` (the
whole checkpoint, channel values included, as one serialized value; the
metadata as JSON text) and ``writes``. Its PostgreSQL saver keeps the
checkpoint as JSONB holding only the primitive channel values, the others in
``checkpoint_blobs`` under ``(thread, namespace, channel, version)``, and the
writes in ``checkpoint_writes``.

Invariants:

- Only ``SELECT`` statements run, parameterized; LangGraph's tables are
  never changed. A SQLite file is opened read-only.
- Writes are read in LangGraph's order (task path, task id, index), so a
  task's writes keep their positions.
- A value that does not decode raises an error naming the thread, namespace,
  checkpoint and channel it belongs to.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from cairngraph.checkpoint.langgraph._convert import LangGraphRow, LangGraphWrite
from cairngraph.checkpoint.langgraph._decode import LangGraphDecoder
from cairngraph.errors import SerializationError, StorageError

__all__ = ["postgres_threads", "sqlite_threads"]

Source = str | os.PathLike[str] | sqlite3.Connection


def _decoded(decoder: LangGraphDecoder, tag: str, data: Any, where: str) -> Any:
    try:
        return decoder.loads_typed((tag, data))
    except SerializationError as error:
        raise type(error)(f"{where}: {error}") from error


def _where(thread_id: str, ns: str, checkpoint_id: str, channel: str | None = None) -> str:
    place = f"thread {thread_id!r}, namespace {ns!r}, checkpoint {checkpoint_id}"
    return place if channel is None else f"{place}, channel {channel!r}"


def _open_sqlite(source: Source) -> tuple[sqlite3.Connection, bool]:
    if isinstance(source, sqlite3.Connection):
        return source, False
    path = os.fspath(source)
    if not os.path.exists(path):
        raise StorageError(f"no LangGraph SQLite database at {path!r}")
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True), True


def sqlite_threads(
    source: Source, decoder: LangGraphDecoder, thread_ids: Sequence[str] | None
) -> Iterator[list[LangGraphRow]]:
    """Each thread of a LangGraph SQLite database, as its decoded rows."""
    conn, owned = _open_sqlite(source)
    try:
        found = conn.execute("SELECT DISTINCT thread_id FROM checkpoints ORDER BY thread_id")
        wanted = None if thread_ids is None else set(thread_ids)
        ids = [row[0] for row in found if wanted is None or row[0] in wanted]
        for thread_id in ids:
            yield _sqlite_thread(conn, decoder, thread_id)
    except sqlite3.DatabaseError as error:
        raise StorageError(
            f"cannot read LangGraph's tables ({error}); is this a LangGraph SqliteSaver database?"
        ) from error
    finally:
        if owned:
            conn.close()


def _writes(
    decoder: LangGraphDecoder, thread_id: str, found: Iterable[Sequence[Any]]
) -> dict[tuple[str, str], list[LangGraphWrite]]:
    """LangGraph's writes rows ``(ns, checkpoint_id, task_id, task_path, idx, channel, type,
    value)``, decoded and grouped by checkpoint (both backends store them alike)."""
    writes: dict[tuple[str, str], list[LangGraphWrite]] = {}
    for ns, cid, task_id, task_path, idx, channel, tag, value in found:
        decoded = _decoded(decoder, tag, value, _where(thread_id, ns, cid, channel))
        writes.setdefault((ns, cid), []).append(
            LangGraphWrite(
                task_id=task_id, task_path=task_path, idx=idx, channel=channel, value=decoded
            )
        )
    return writes


def _sqlite_thread(
    conn: sqlite3.Connection, decoder: LangGraphDecoder, thread_id: str
) -> list[LangGraphRow]:
    writes = _writes(
        decoder,
        thread_id,
        conn.execute(
            "SELECT checkpoint_ns, checkpoint_id, task_id, task_path, idx, channel, type, value "
            "FROM writes WHERE thread_id = ? ORDER BY checkpoint_ns, checkpoint_id, task_path, "
            "task_id, idx",
            (thread_id,),
        ).fetchall(),
    )
    rows = []
    for ns, cid, parent, tag, blob, metadata in conn.execute(
        "SELECT checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata "
        "FROM checkpoints WHERE thread_id = ? ORDER BY checkpoint_ns, checkpoint_id",
        (thread_id,),
    ):
        where = _where(thread_id, ns, cid)
        checkpoint = _decoded(decoder, tag, blob, where)
        if not isinstance(checkpoint, Mapping):
            raise SerializationError(f"{where}: the checkpoint is a {type(checkpoint).__name__}")
        rows.append(
            LangGraphRow(
                thread_id=thread_id,
                ns=ns,
                checkpoint_id=cid,
                parent_id=parent,
                checkpoint=checkpoint,
                metadata=json.loads(metadata) if metadata is not None else {},
                writes=tuple(writes.get((ns, cid), ())),
            )
        )
    return rows


def postgres_threads(
    conn: Any, decoder: LangGraphDecoder, thread_ids: Sequence[str] | None
) -> Iterator[list[LangGraphRow]]:
    """Each thread of LangGraph's PostgreSQL tables on ``conn`` (a psycopg connection)."""
    from psycopg.rows import tuple_row

    # Rows as tuples whatever the connection's row factory (LangGraph's own is dict_row).
    conn = _TupleRows(conn, tuple_row)
    if thread_ids is None:
        found = conn.execute("SELECT DISTINCT thread_id FROM checkpoints ORDER BY thread_id")
    else:
        found = conn.execute(
            "SELECT DISTINCT thread_id FROM checkpoints WHERE thread_id = ANY(%s) "
            "ORDER BY thread_id",
            (list(thread_ids),),
        )
    for (thread_id,) in found.fetchall():
        yield _postgres_thread(conn, decoder, thread_id)


class _TupleRows:
    """A connection's ``execute`` on a cursor that yields tuples."""

    def __init__(self, conn: Any, factory: Any) -> None:
        self.conn = conn
        self.factory = factory

    def execute(self, query: str, params: Sequence[Any] = ()) -> Any:
        cursor = self.conn.cursor(row_factory=self.factory)
        return cursor.execute(query, params)


def _postgres_thread(conn: Any, decoder: LangGraphDecoder, thread_id: str) -> list[LangGraphRow]:
    blobs: dict[tuple[str, str, str], tuple[str, Any]] = {}
    for ns, channel, version, tag, blob in conn.execute(
        "SELECT checkpoint_ns, channel, version, type, blob FROM checkpoint_blobs "
        "WHERE thread_id = %s",
        (thread_id,),
    ):
        blobs[(ns, channel, version)] = (tag, blob)
    writes = _writes(
        decoder,
        thread_id,
        conn.execute(
            "SELECT checkpoint_ns, checkpoint_id, task_id, task_path, idx, channel, type, blob "
            "FROM checkpoint_writes WHERE thread_id = %s "
            "ORDER BY checkpoint_ns, checkpoint_id, task_path, task_id, idx",
            (thread_id,),
        ).fetchall(),
    )
    rows = []
    for ns, cid, parent, checkpoint, metadata in conn.execute(
        "SELECT checkpoint_ns, checkpoint_id, parent_checkpoint_id, checkpoint, metadata "
        "FROM checkpoints WHERE thread_id = %s ORDER BY checkpoint_ns, checkpoint_id",
        (thread_id,),
    ):
        values = dict(checkpoint.get("channel_values") or {})
        for channel, version in (checkpoint.get("channel_versions") or {}).items():
            stored = blobs.get((ns, channel, str(version)))
            if stored is not None and stored[0] != "empty":
                where = _where(thread_id, ns, cid, channel)
                values[channel] = _decoded(decoder, stored[0], stored[1], where)
        rows.append(
            LangGraphRow(
                thread_id=thread_id,
                ns=ns,
                checkpoint_id=cid,
                parent_id=parent,
                checkpoint={**checkpoint, "channel_values": values},
                metadata=metadata or {},
                writes=tuple(writes.get((ns, cid), ())),
            )
        )
    return rows
