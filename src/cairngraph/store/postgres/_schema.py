"""The Store's tables in PostgreSQL, and their append-only migrations.

The store keeps its own version table (``cairn_store_schema``), apart from
the checkpoint saver's ``cairn_schema``: one database may hold both, and each
migrates only its own tables.

Invariants:

- :data:`MIGRATIONS` is append-only: a released entry is never edited; a
  change is a new entry with the next number.
- :func:`setup` applies the missing entries in one transaction, after a
  transaction-scoped advisory lock: many processes may call it at once. Up
  to date tables are only read, so it works on a read-only server.
- A database whose store version is newer than :data:`LATEST` is refused
  with :class:`SchemaVersionError` and left untouched.
- Keys collate as ``"C"`` (byte order, as SQLite compares), so namespace
  prefix ranges and orderings agree on both backends.
"""

from __future__ import annotations

from cairngraph.checkpoint._migration import Migration, refuse_newer
from cairngraph.checkpoint.postgres._statements import Atomic, Op, Query

__all__ = ["LATEST", "MIGRATIONS", "setup"]

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "store items (sealed values, times in microseconds, TTLs) and their vectors",
        (
            """CREATE TABLE cairn_store_items (
                ns text COLLATE "C" NOT NULL,
                key text COLLATE "C" NOT NULL,
                body bytea NOT NULL,
                created_at bigint NOT NULL,
                updated_at bigint NOT NULL,
                expires_at bigint,
                ttl_minutes double precision,
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
                ns text COLLATE "C" NOT NULL,
                key text COLLATE "C" NOT NULL,
                name text COLLATE "C" NOT NULL,
                embedding bytea NOT NULL,
                PRIMARY KEY (ns, key, name)
            )""",
        ),
    ),
)
LATEST = MIGRATIONS[-1].version

SETUP_LOCK = 0x6361_6972_6E73_746F
"""Advisory lock key ("cairnsto") that serializes concurrent :func:`setup` calls."""


def setup() -> Op:
    """Apply the missing migrations; refuse a database from a newer cairngraph.

    Tables already at :data:`LATEST` are left without a write (nor the lock): a
    read-only server (a replica) serves a store set up on its primary.
    """
    yield Atomic()
    exists = yield Query("SELECT to_regclass('cairn_store_schema') IS NOT NULL", fetch="one")
    if exists[0]:
        row = yield Query("SELECT coalesce(max(version), 0) FROM cairn_store_schema", fetch="one")
        refuse_newer(int(row[0]), LATEST, "the database's store tables", "Upgrade cairngraph")
        if int(row[0]) == LATEST:
            return
    yield Query("SELECT pg_advisory_xact_lock(%s)", (SETUP_LOCK,))
    yield Query(
        "CREATE TABLE IF NOT EXISTS cairn_store_schema (version integer PRIMARY KEY, name text "
        "NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
    )
    row = yield Query("SELECT coalesce(max(version), 0) FROM cairn_store_schema", fetch="one")
    current = int(row[0])
    refuse_newer(current, LATEST, "the database's store tables", "Upgrade cairngraph")
    for migration in MIGRATIONS:
        if migration.version > current:
            for statement in migration.statements:
                yield Query(statement)
            yield Query(
                "INSERT INTO cairn_store_schema (version, name) VALUES (%s, %s)",
                (migration.version, migration.name),
            )
