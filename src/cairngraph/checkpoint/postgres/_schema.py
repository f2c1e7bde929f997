"""cairngraph's tables in PostgreSQL and the migrations that make them.

Invariants:

- :data:`MIGRATIONS` is append-only: a released migration is never edited or
  removed; a change to the tables is a new entry with the next number.
- ``cairn_schema`` holds one row per applied migration, so its greatest
  ``version`` is the schema version of the database.
- :func:`setup` applies the missing migrations in one transaction, after
  taking a transaction-scoped advisory lock: many processes may call it at
  once, and exactly one of them applies each migration.
- A database whose schema version is greater than :data:`LATEST` (written by
  a newer cairngraph) is refused with :class:`SchemaVersionError` and left
  untouched.
"""

from __future__ import annotations

from cairngraph.checkpoint._migration import Migration, refuse_newer
from cairngraph.checkpoint.postgres._statements import Atomic, Op, Query

__all__ = ["LATEST", "MIGRATIONS", "Migration", "setup"]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "checkpoints, channel blobs with deltas, per-task writes",
        (
            # A checkpoint: its versions as a small msgpack record, its metadata
            # through the saver's serializer (exact round trip) and as JSON (to
            # filter with @>; NULL when the serializer encrypts or the metadata is
            # not JSON). The primary key serves "latest" and history pages.
            """CREATE TABLE cairn_checkpoints (
                thread_id text NOT NULL,
                ns text NOT NULL,
                checkpoint_id text NOT NULL,
                parent_id text,
                record bytea NOT NULL,
                meta_type text NOT NULL,
                meta bytea NOT NULL,
                meta_json jsonb,
                PRIMARY KEY (thread_id, ns, checkpoint_id)
            )""",
            "CREATE INDEX cairn_checkpoints_newest ON cairn_checkpoints (checkpoint_id DESC)",
            # One value per (thread, ns, channel, version); a delta stores only the
            # appended items and links to its base, within a chain from root_version.
            """CREATE TABLE cairn_blobs (
                thread_id text NOT NULL,
                ns text NOT NULL,
                channel text NOT NULL,
                version bigint NOT NULL,
                type text NOT NULL,
                payload bytea NOT NULL,
                base_version bigint,
                kept integer,
                root_version bigint NOT NULL,
                depth integer NOT NULL,
                delta_bytes integer NOT NULL,
                full_bytes integer NOT NULL,
                PRIMARY KEY (thread_id, ns, channel, version)
            )""",
            "CREATE INDEX cairn_blobs_root ON cairn_blobs (thread_id, ns, channel, root_version)",
            """CREATE TABLE cairn_writes (
                thread_id text NOT NULL,
                ns text NOT NULL,
                checkpoint_id text NOT NULL,
                task_id text NOT NULL,
                idx integer NOT NULL,
                channel text NOT NULL,
                type text NOT NULL,
                payload bytea NOT NULL,
                task_path text NOT NULL,
                PRIMARY KEY (thread_id, ns, checkpoint_id, task_id, idx)
            )""",
        ),
    ),
    Migration(
        2,
        "storage format 2: sealed checkpoint, writes and content-addressed value rows",
        (
            # Format 1's tables are kept, renamed and unread (nothing converts them:
            # format 1 was never released). Their indexes are renamed or dropped, so
            # that format 2's tables can take the names.
            "ALTER TABLE cairn_checkpoints RENAME TO cairn_v1_checkpoints",
            "ALTER TABLE cairn_blobs RENAME TO cairn_v1_blobs",
            "ALTER TABLE cairn_writes RENAME TO cairn_v1_writes",
            "ALTER INDEX cairn_checkpoints_pkey RENAME TO cairn_v1_checkpoints_pkey",
            "ALTER INDEX cairn_blobs_pkey RENAME TO cairn_v1_blobs_pkey",
            "ALTER INDEX cairn_writes_pkey RENAME TO cairn_v1_writes_pkey",
            "DROP INDEX cairn_checkpoints_newest",
            "DROP INDEX cairn_blobs_root",
            # Keys collate as "C" (byte order, as SQLite compares them), so list()
            # orders the same on every backend and the primary keys serve it.
            """CREATE TABLE cairn_checkpoints (
                thread_id text COLLATE "C" NOT NULL,
                ns text COLLATE "C" NOT NULL,
                checkpoint_id text COLLATE "C" NOT NULL,
                parent_id text COLLATE "C",
                body bytea NOT NULL,
                PRIMARY KEY (thread_id, ns, checkpoint_id)
            )""",
            """CREATE TABLE cairn_writes (
                thread_id text COLLATE "C" NOT NULL,
                ns text COLLATE "C" NOT NULL,
                checkpoint_id text COLLATE "C" NOT NULL,
                task_id text COLLATE "C" NOT NULL,
                slot integer NOT NULL,
                body bytea NOT NULL,
                PRIMARY KEY (thread_id, ns, checkpoint_id, task_id, slot)
            )""",
            """CREATE TABLE cairn_values (
                address bytea PRIMARY KEY,
                base bytea,
                body bytea NOT NULL
            )""",
            """CREATE TABLE cairn_refs (
                address bytea NOT NULL,
                thread_id text COLLATE "C" NOT NULL,
                PRIMARY KEY (address, thread_id)
            )""",
            "CREATE INDEX cairn_refs_thread ON cairn_refs (thread_id)",
            # A database that never held a format-1 row (a new one) keeps no empty
            # cairn_v1_* tables.
            """DO $$ BEGIN
                IF NOT EXISTS (SELECT 1 FROM cairn_v1_checkpoints)
                   AND NOT EXISTS (SELECT 1 FROM cairn_v1_blobs)
                   AND NOT EXISTS (SELECT 1 FROM cairn_v1_writes) THEN
                    DROP TABLE cairn_v1_checkpoints, cairn_v1_blobs, cairn_v1_writes;
                END IF;
            END $$""",
        ),
    ),
    Migration(
        3,
        "tombstones of deleted threads, so that a late save cannot bring one back",
        (
            """CREATE TABLE cairn_deleted (
                thread_id text COLLATE "C" PRIMARY KEY,
                deleted_at timestamptz NOT NULL DEFAULT now()
            )""",
            # Inside every insert of a checkpoint or writes row (no statement of its own
            # on the step path): take the thread's save guard shared (a deletion takes it
            # exclusively), then refuse a thread with a tombstone. See _retention.py.
            """CREATE FUNCTION cairn_refuse_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_advisory_xact_lock_shared(
                    hashtextextended('cairngraph-save:' || NEW.thread_id, 0));
                IF EXISTS (SELECT 1 FROM cairn_deleted WHERE thread_id = NEW.thread_id) THEN
                    RAISE EXCEPTION USING MESSAGE = 'cairn_deleted ' || NEW.thread_id;
                END IF;
                RETURN NEW;
            END $$""",
            """CREATE TRIGGER cairn_deleted_checkpoints BEFORE INSERT ON cairn_checkpoints
            FOR EACH ROW EXECUTE FUNCTION cairn_refuse_deleted()""",
            """CREATE TRIGGER cairn_deleted_writes BEFORE INSERT ON cairn_writes
            FOR EACH ROW EXECUTE FUNCTION cairn_refuse_deleted()""",
        ),
    ),
    Migration(
        4,
        "cairn_threads: each thread's latest root checkpoint, kept by statement triggers in "
        "the transaction of every insert and delete, so a page of threads() is an index range",
        (
            """CREATE TABLE cairn_threads (
                thread_id text COLLATE "C" PRIMARY KEY,
                checkpoint_id text COLLATE "C" NOT NULL
            )""",
            "CREATE INDEX cairn_threads_newest ON cairn_threads (checkpoint_id, thread_id)",
            "INSERT INTO cairn_threads (thread_id, checkpoint_id) SELECT thread_id, "
            "max(checkpoint_id) FROM cairn_checkpoints WHERE ns = '' GROUP BY thread_id",
            # Threads in key order, so that two statements never lock them crosswise. A row
            # older than the thread's latest (a copy, an import) leaves it as it is.
            """CREATE FUNCTION cairn_threads_saved() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO cairn_threads (thread_id, checkpoint_id)
                SELECT thread_id, max(checkpoint_id) FROM cairn_saved_rows WHERE ns = ''
                GROUP BY thread_id ORDER BY thread_id
                ON CONFLICT (thread_id) DO UPDATE SET checkpoint_id = EXCLUDED.checkpoint_id
                WHERE EXCLUDED.checkpoint_id > cairn_threads.checkpoint_id;
                RETURN NULL;
            END $$""",
            """CREATE TRIGGER cairn_threads_saved AFTER INSERT ON cairn_checkpoints
            REFERENCING NEW TABLE AS cairn_saved_rows
            FOR EACH STATEMENT EXECUTE FUNCTION cairn_threads_saved()""",
            # Deleting a thread's latest root row hands it to its next latest, if any.
            """CREATE FUNCTION cairn_threads_removed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                DELETE FROM cairn_threads t USING cairn_removed_rows r
                WHERE r.ns = '' AND t.thread_id = r.thread_id
                AND t.checkpoint_id = r.checkpoint_id;
                INSERT INTO cairn_threads (thread_id, checkpoint_id)
                SELECT c.thread_id, max(c.checkpoint_id) FROM cairn_checkpoints c
                WHERE c.ns = '' AND c.thread_id IN (
                    SELECT r.thread_id FROM cairn_removed_rows r WHERE r.ns = '')
                AND NOT EXISTS (SELECT 1 FROM cairn_threads t WHERE t.thread_id = c.thread_id)
                GROUP BY c.thread_id ORDER BY c.thread_id;
                RETURN NULL;
            END $$""",
            """CREATE TRIGGER cairn_threads_removed AFTER DELETE ON cairn_checkpoints
            REFERENCING OLD TABLE AS cairn_removed_rows
            FOR EACH STATEMENT EXECUTE FUNCTION cairn_threads_removed()""",
        ),
    ),
)
LATEST = MIGRATIONS[-1].version
"""The schema version this cairngraph writes and reads."""

SETUP_LOCK = 0x6361_6972_6E67_7270
"""Advisory lock key ("cairngrp") that serializes concurrent :func:`setup` calls."""


def setup() -> Op:
    """Apply the missing migrations; refuse a database from a newer cairngraph."""
    yield Atomic()
    yield Query("SELECT pg_advisory_xact_lock(%s)", (SETUP_LOCK,))
    yield Query(
        "CREATE TABLE IF NOT EXISTS cairn_schema (version integer PRIMARY KEY, name text NOT "
        "NULL, applied_at timestamptz NOT NULL DEFAULT now())"
    )
    row = yield Query("SELECT coalesce(max(version), 0) FROM cairn_schema", fetch="one")
    current = int(row[0])
    refuse_newer(
        current,
        LATEST,
        "the database",
        "Upgrade cairngraph, or point this program at another database",
    )
    for migration in MIGRATIONS:
        if migration.version > current:
            for statement in migration.statements:
                yield Query(statement)
            yield Query(
                "INSERT INTO cairn_schema (version, name) VALUES (%s, %s)",
                (migration.version, migration.name),
            )
