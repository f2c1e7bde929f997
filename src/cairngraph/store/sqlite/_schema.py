"""The Store's tables in a SQLite file, and their append-only migrations.

The store's tables (``cairn_store_*``) have their own version, kept in
``cairn_store_meta``, apart from the checkpoint saver's (``cairn_meta``): a
saver and a store may share one file, and each migrates only its own tables.

Invariants:

- :data:`MIGRATIONS` is append-only: a released entry is never edited; a
  change is a new entry with the next number.
- A file whose store version is newer than this code is refused before
  anything changes (:func:`refuse_newer`).
- :func:`migrate` applies the missing entries in one transaction
  (``BEGIN IMMEDIATE``: two processes setting up one file take turns).
"""

from __future__ import annotations

import sqlite3

from cairngraph.checkpoint._migration import Migration, refuse_newer

__all__ = ["LATEST", "MIGRATIONS", "migrate", "version"]

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "store items (sealed values, times in microseconds, TTLs) and their vectors",
        (
            """CREATE TABLE cairn_store_meta (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            ) WITHOUT ROWID""",
            """CREATE TABLE cairn_store_items (
                ns TEXT NOT NULL,
                key TEXT NOT NULL,
                body BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                expires_at INTEGER,
                ttl_minutes REAL,
                PRIMARY KEY (ns, key)
            )""",
            # "Newest first under a prefix" without reading the bodies: the newest
            # items of the whole store (_newest, backwards), else the prefix's range
            # (_by_ns) sorted; see _sql._newest.
            "CREATE INDEX cairn_store_items_by_ns ON cairn_store_items "
            "(ns, updated_at, key, expires_at)",
            "CREATE INDEX cairn_store_items_newest ON cairn_store_items "
            "(updated_at, ns, key, expires_at)",
            "CREATE INDEX cairn_store_items_expiry ON cairn_store_items (expires_at) "
            "WHERE expires_at IS NOT NULL",
            """CREATE TABLE cairn_store_vectors (
                ns TEXT NOT NULL,
                key TEXT NOT NULL,
                name TEXT NOT NULL,
                embedding BLOB NOT NULL,
                PRIMARY KEY (ns, key, name)
            ) WITHOUT ROWID""",
        ),
    ),
)
LATEST = MIGRATIONS[-1].version


def version(conn: sqlite3.Connection) -> int:
    """The store schema version of the file; 0 without store tables. Reads only."""
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'cairn_store_meta'"
    ).fetchone()
    if found is None:
        return 0
    row = conn.execute("SELECT value FROM cairn_store_meta WHERE key = 'schema_version'").fetchone()
    return 0 if row is None else int(row[0])


def migrate(conn: sqlite3.Connection, where: str) -> None:
    """Bring the store tables of the file up to :data:`LATEST`, all or nothing."""
    refuse_newer(version(conn), LATEST, where, "Upgrade cairngraph to open its store")
    if version(conn) == LATEST:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = version(conn)  # another process may have migrated it meanwhile
        refuse_newer(current, LATEST, where, "Upgrade cairngraph to open its store")
        for migration in MIGRATIONS:
            if migration.version > current:
                for statement in migration.statements:
                    conn.execute(statement)
        conn.execute(
            "INSERT OR REPLACE INTO cairn_store_meta (key, value) VALUES ('schema_version', ?)",
            (str(LATEST),),
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
