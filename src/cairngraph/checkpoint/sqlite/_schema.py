"""Our tables in a SQLite file, and the append-only list of migrations that made them.

Invariants:

- A migration is never edited once released: a change is a new entry at the
  end. Migrations change tables, indexes and triggers, and fill a new table
  from the rows it summarizes; rows a store needs (its version) are written
  by :func:`migrate` itself.
- A file whose version is newer than this code is refused before anything in
  it changes (:func:`refuse_newer`, called before the saver switches the file
  to WAL or migrates it).
- A file with no cairngraph tables (version 0: new, empty, or another tool's
  such as LangGraph's ``checkpoints`` and ``writes``) gets the tables the whole
  list makes (without the ``cairn_v1_*`` tables an older format left
  behind), read from a scratch in-memory database where the list ran, so it
  never collides with another tool's tables of an old name of ours. A file
  at an older version runs the missing entries. Either way in one transaction.
"""

from __future__ import annotations

import sqlite3
from functools import cache

from cairngraph.checkpoint import _migration
from cairngraph.checkpoint._migration import Migration
from cairngraph.errors import StaleSchemaError

__all__ = [
    "LATEST",
    "MIGRATIONS",
    "migrate",
    "prepare_new",
    "refuse_newer",
    "require_latest",
    "version",
]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "checkpoints, channel blobs with deltas, per-task writes",
        (
            """CREATE TABLE cairn_meta (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            ) WITHOUT ROWID""",
            """CREATE TABLE checkpoints (
                thread_id TEXT NOT NULL,
                ns TEXT NOT NULL,
                checkpoint_id TEXT NOT NULL,
                parent_id TEXT,
                record BLOB NOT NULL,
                meta_type TEXT NOT NULL,
                meta BLOB NOT NULL,
                meta_json TEXT,
                PRIMARY KEY (thread_id, ns, checkpoint_id)
            ) WITHOUT ROWID""",
            "CREATE INDEX checkpoints_newest ON checkpoints (checkpoint_id)",
            """CREATE TABLE blobs (
                thread_id TEXT NOT NULL,
                ns TEXT NOT NULL,
                channel TEXT NOT NULL,
                version INTEGER NOT NULL,
                type TEXT NOT NULL,
                payload BLOB NOT NULL,
                base_version INTEGER,
                kept INTEGER,
                root_version INTEGER NOT NULL,
                depth INTEGER NOT NULL,
                delta_bytes INTEGER NOT NULL,
                full_bytes INTEGER NOT NULL,
                PRIMARY KEY (thread_id, ns, channel, version)
            ) WITHOUT ROWID""",
            "CREATE INDEX blobs_by_root ON blobs (thread_id, ns, channel, root_version)",
            """CREATE TABLE writes (
                thread_id TEXT NOT NULL,
                ns TEXT NOT NULL,
                checkpoint_id TEXT NOT NULL,
                task_id TEXT NOT NULL,
                idx INTEGER NOT NULL,
                channel TEXT NOT NULL,
                type TEXT NOT NULL,
                payload BLOB NOT NULL,
                task_path TEXT NOT NULL,
                PRIMARY KEY (thread_id, ns, checkpoint_id, task_id, idx)
            ) WITHOUT ROWID""",
        ),
    ),
    Migration(
        2,
        "the cairn_ prefix on every table, as in PostgreSQL, beside other tools' tables",
        (
            "ALTER TABLE checkpoints RENAME TO cairn_checkpoints",
            "ALTER TABLE blobs RENAME TO cairn_blobs",
            "ALTER TABLE writes RENAME TO cairn_writes",
            "DROP INDEX checkpoints_newest",
            "CREATE INDEX cairn_checkpoints_newest ON cairn_checkpoints (checkpoint_id)",
            "DROP INDEX blobs_by_root",
            "CREATE INDEX cairn_blobs_by_root ON cairn_blobs "
            "(thread_id, ns, channel, root_version)",
        ),
    ),
    Migration(
        3,
        "storage format 2 (see checkpoint/_format.py): sealed checkpoint rows with inline "
        "small values, one writes row per task and slot, content-addressed values stored "
        "once with a ref row per thread; format-1 tables kept, unread, as cairn_v1_*",
        (
            "ALTER TABLE cairn_checkpoints RENAME TO cairn_v1_checkpoints",
            "ALTER TABLE cairn_blobs RENAME TO cairn_v1_blobs",
            "ALTER TABLE cairn_writes RENAME TO cairn_v1_writes",
            "DROP INDEX cairn_checkpoints_newest",
            "DROP INDEX cairn_blobs_by_root",
            """CREATE TABLE cairn_checkpoints (
                thread_id TEXT NOT NULL,
                ns TEXT NOT NULL,
                checkpoint_id TEXT NOT NULL,
                parent_id TEXT,
                body BLOB NOT NULL,
                PRIMARY KEY (thread_id, ns, checkpoint_id)
            ) WITHOUT ROWID""",
            """CREATE TABLE cairn_writes (
                thread_id TEXT NOT NULL,
                ns TEXT NOT NULL,
                checkpoint_id TEXT NOT NULL,
                task_id TEXT NOT NULL,
                slot INTEGER NOT NULL,
                body BLOB NOT NULL,
                PRIMARY KEY (thread_id, ns, checkpoint_id, task_id, slot)
            ) WITHOUT ROWID""",
            """CREATE TABLE cairn_values (
                address BLOB PRIMARY KEY,
                base BLOB,
                body BLOB NOT NULL
            ) WITHOUT ROWID""",
            """CREATE TABLE cairn_refs (
                address BLOB NOT NULL,
                thread_id TEXT NOT NULL,
                PRIMARY KEY (address, thread_id)
            ) WITHOUT ROWID""",
            "CREATE INDEX cairn_refs_by_thread ON cairn_refs (thread_id)",
        ),
    ),
    Migration(
        4,
        "tombstones of deleted threads, so that a late save cannot bring one back",
        (
            """CREATE TABLE cairn_deleted (
                thread_id TEXT PRIMARY KEY,
                deleted_at TEXT NOT NULL
            ) WITHOUT ROWID""",
            # The check is inside every insert (no statement of its own on the step path):
            # a row of a tombstoned thread aborts the statement, and the saver says why.
            """CREATE TRIGGER cairn_deleted_checkpoints BEFORE INSERT ON cairn_checkpoints
            WHEN EXISTS (SELECT 1 FROM cairn_deleted WHERE thread_id = NEW.thread_id)
            BEGIN SELECT RAISE(ABORT, 'cairn_deleted'); END""",
            """CREATE TRIGGER cairn_deleted_writes BEFORE INSERT ON cairn_writes
            WHEN EXISTS (SELECT 1 FROM cairn_deleted WHERE thread_id = NEW.thread_id)
            BEGIN SELECT RAISE(ABORT, 'cairn_deleted'); END""",
        ),
    ),
    Migration(
        5,
        "cairn_threads: each thread's latest root checkpoint, kept by triggers in the "
        "transaction of every insert and delete, so a page of threads() is an index range",
        (
            """CREATE TABLE cairn_threads (
                thread_id TEXT PRIMARY KEY,
                checkpoint_id TEXT NOT NULL
            ) WITHOUT ROWID""",
            "CREATE INDEX cairn_threads_newest ON cairn_threads (checkpoint_id, thread_id)",
            "INSERT INTO cairn_threads (thread_id, checkpoint_id) SELECT thread_id, "
            "MAX(checkpoint_id) FROM cairn_checkpoints WHERE ns = '' GROUP BY thread_id",
            # No conflict clause in the bodies: an outer INSERT OR REPLACE would override it.
            # A row older than the thread's latest (a copy, an import) leaves it as it is.
            """CREATE TRIGGER cairn_threads_saved AFTER INSERT ON cairn_checkpoints
            WHEN NEW.ns = ''
            BEGIN
                UPDATE cairn_threads SET checkpoint_id = NEW.checkpoint_id
                WHERE thread_id = NEW.thread_id AND checkpoint_id < NEW.checkpoint_id;
                INSERT INTO cairn_threads (thread_id, checkpoint_id)
                SELECT NEW.thread_id, NEW.checkpoint_id
                WHERE NOT EXISTS (SELECT 1 FROM cairn_threads WHERE thread_id = NEW.thread_id);
            END""",
            # Deleting the latest root row hands the thread to its next latest, if any.
            """CREATE TRIGGER cairn_threads_removed AFTER DELETE ON cairn_checkpoints
            WHEN OLD.ns = ''
            BEGIN
                DELETE FROM cairn_threads
                WHERE thread_id = OLD.thread_id AND checkpoint_id = OLD.checkpoint_id;
                INSERT INTO cairn_threads (thread_id, checkpoint_id)
                SELECT thread_id, MAX(checkpoint_id) FROM cairn_checkpoints
                WHERE thread_id = OLD.thread_id AND ns = ''
                AND NOT EXISTS (SELECT 1 FROM cairn_threads WHERE thread_id = OLD.thread_id)
                GROUP BY thread_id;
            END""",
        ),
    ),
    Migration(
        6,
        "cairn_threads as one B-tree keyed (checkpoint_id, thread_id): a step changes one "
        "page of it, not a row and its index; a thread's current row is found through "
        "its latest root checkpoint",
        (
            "DROP TRIGGER cairn_threads_saved",
            "DROP TRIGGER cairn_threads_removed",
            "DROP TABLE cairn_threads",
            """CREATE TABLE cairn_threads (
                checkpoint_id TEXT NOT NULL,
                thread_id TEXT NOT NULL,
                PRIMARY KEY (checkpoint_id, thread_id)
            ) WITHOUT ROWID""",
            "INSERT INTO cairn_threads (checkpoint_id, thread_id) SELECT MAX(checkpoint_id), "
            "thread_id FROM cairn_checkpoints WHERE ns = '' GROUP BY thread_id",
            # Invariant: one row per thread with root checkpoints, its latest one's id. So
            # the row to replace is found from cairn_checkpoints (a primary-key range).
            # No conflict clause in the bodies: an outer INSERT OR REPLACE would override
            # it. A row older than the thread's latest (a copy, an import) changes nothing.
            """CREATE TRIGGER cairn_threads_saved AFTER INSERT ON cairn_checkpoints
            WHEN NEW.ns = '' AND NOT EXISTS (
                SELECT 1 FROM cairn_checkpoints WHERE thread_id = NEW.thread_id AND ns = ''
                AND checkpoint_id > NEW.checkpoint_id)
            BEGIN
                DELETE FROM cairn_threads WHERE thread_id = NEW.thread_id AND checkpoint_id = (
                    SELECT MAX(checkpoint_id) FROM cairn_checkpoints
                    WHERE thread_id = NEW.thread_id AND ns = ''
                    AND checkpoint_id < NEW.checkpoint_id);
                INSERT INTO cairn_threads (checkpoint_id, thread_id)
                VALUES (NEW.checkpoint_id, NEW.thread_id);
            END""",
            # Deleting the latest root row hands the thread to its next latest, if any.
            """CREATE TRIGGER cairn_threads_removed AFTER DELETE ON cairn_checkpoints
            WHEN OLD.ns = '' AND NOT EXISTS (
                SELECT 1 FROM cairn_checkpoints WHERE thread_id = OLD.thread_id AND ns = ''
                AND checkpoint_id > OLD.checkpoint_id)
            BEGIN
                DELETE FROM cairn_threads
                WHERE checkpoint_id = OLD.checkpoint_id AND thread_id = OLD.thread_id;
                INSERT INTO cairn_threads (checkpoint_id, thread_id)
                SELECT MAX(checkpoint_id), thread_id FROM cairn_checkpoints
                WHERE thread_id = OLD.thread_id AND ns = '' GROUP BY thread_id;
            END""",
        ),
    ),
)

LATEST = MIGRATIONS[-1].version


def version(conn: sqlite3.Connection) -> int:
    """The schema version of the file; 0 when it has no cairngraph tables. Reads only."""
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'cairn_meta'"
    ).fetchone()
    if found is None:
        return 0
    row = conn.execute("SELECT value FROM cairn_meta WHERE key = 'schema_version'").fetchone()
    return 0 if row is None else int(row[0])


def refuse_newer(current: int, where: str) -> None:
    """Raise :class:`SchemaVersionError` when the file is newer than this code."""
    _migration.refuse_newer(current, LATEST, where, "Upgrade cairngraph to open it")


def require_latest(current: int, where: str, reason: str) -> None:
    """A read-only file must already hold this version's tables: it cannot be migrated."""
    if current < LATEST:
        found = "no cairngraph tables" if current == 0 else f"schema version {current}"
        raise StaleSchemaError(
            f"{where} has {found} (this cairngraph reads version {LATEST}) and was opened "
            f"read-only ({reason}), so its tables cannot be created or upgraded. Open it "
            "writable once (without read_only=True or mode=ro, with write permission on the "
            "file and its directory), then read-only again."
        )


@cache
def _fresh() -> tuple[str, ...]:
    """The statements that create what the whole list makes, from a scratch database."""
    scratch = sqlite3.connect(":memory:")
    try:
        for migration in MIGRATIONS:
            for statement in migration.statements:
                scratch.execute(statement)
        rows = scratch.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
            "AND tbl_name NOT LIKE 'cairn_v1_%' ORDER BY type <> 'table', rowid"
        ).fetchall()
    finally:
        scratch.close()
    return tuple(str(sql) for (sql,) in rows)


def prepare_new(conn: sqlite3.Connection) -> None:
    """On a file with no table yet, ``auto_vacuum = INCREMENTAL``, so prunes give pages back.

    SQLite takes it only before the first table and before the switch to WAL; once
    anything touched the file (the writability probe did), only a VACUUM applies it,
    instant on a file with no table.
    """
    if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:
        conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
        if conn.execute("PRAGMA auto_vacuum").fetchone()[0] != 2:
            conn.execute("VACUUM")


def migrate(conn: sqlite3.Connection, where: str) -> None:
    """Bring the file's tables up to :data:`LATEST`, all or nothing."""
    if version(conn) == LATEST:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = version(conn)  # another process may have migrated it meanwhile
        refuse_newer(current, where)
        if current == 0:
            statements: tuple[str, ...] = _fresh()
        else:
            statements = tuple(
                statement
                for migration in MIGRATIONS
                if migration.version > current
                for statement in migration.statements
            )
        for statement in statements:
            conn.execute(statement)
        conn.execute(
            "INSERT OR REPLACE INTO cairn_meta (key, value) VALUES ('schema_version', ?)",
            (str(LATEST),),
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
