"""``SqliteSaver``: checkpoints in one SQLite file, safe across crashes and processes.

Durability: WAL mode; each step's writes and checkpoint commit in one
transaction (``put_step``). With ``synchronous="NORMAL"`` (the default) a
committed step survives the process being killed at any instant; power loss
may lose the last steps but never corrupts the file. ``synchronous="FULL"``
survives power loss too, at the cost of an fsync per step.

Concurrency: one connection per saver, guarded by a lock, so one saver may
serve many Python threads. Other processes may open the same file; WAL lets
readers proceed while a writer commits. :meth:`SqliteSaver.thread_lock` holds
a thread id across processes (see ``_locks.py``).
"""

from __future__ import annotations

import builtins
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Literal

from cairngraph.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    RunnableConfig,
    StepSave,
    TaskWrites,
    checkpoint_config,
    config_checkpoint_id,
    config_namespace,
    config_thread_id,
    metadata_matches,
)
from cairngraph.checkpoint.serde.base import SerializerProtocol
from cairngraph.checkpoint.sqlite import _locks
from cairngraph.checkpoint.sqlite._schema import migrate
from cairngraph.checkpoint.sqlite._store import Store
from cairngraph.errors import InvalidConfigError, StorageError

__all__ = ["SqliteSaver"]

Synchronous = Literal["OFF", "NORMAL", "FULL"]
_COLUMNS = "thread_id, ns, checkpoint_id, parent_id, record, meta_type, meta"


def _open(path: str) -> sqlite3.Connection:
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise StorageError(
            f"cannot create checkpoint database {path}: directory {directory} does not exist. "
            "Create it first, or choose another path."
        )
    try:
        return sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    except sqlite3.Error as error:
        raise StorageError(f"cannot open checkpoint database {path}: {error}") from error


class SqliteSaver(BaseCheckpointSaver):
    """Saves every step to a SQLite file; the embedded, durable default.

    Example::

        from cairngraph.checkpoint.sqlite import SqliteSaver
        workflow = graph.compile(checkpointer=SqliteSaver("checkpoints.db"))

        with SqliteSaver.from_conn_string("data/jokes.db") as saver:
            workflow = graph.compile(checkpointer=saver)
    """

    def __init__(
        self,
        conn: sqlite3.Connection | str | os.PathLike[str],
        *,
        serde: SerializerProtocol | None = None,
        synchronous: Synchronous = "NORMAL",
    ) -> None:
        super().__init__(serde=serde)
        if synchronous not in ("OFF", "NORMAL", "FULL"):
            raise InvalidConfigError(f"synchronous={synchronous!r}: use 'NORMAL' or 'FULL'")
        if isinstance(conn, sqlite3.Connection):
            self.conn = conn
            self.path = _path_of(conn)
            self._owned = False
        else:
            self.path = os.fspath(conn)
            self.conn = _open(self.path)
            self._owned = True
        self.conn.isolation_level = None
        self._lock = threading.RLock()
        where = self.path or "the SQLite connection"
        try:
            with self._lock:
                self.conn.execute("PRAGMA busy_timeout = 30000")
                if self.path:
                    mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()
                    if mode is None or str(mode[0]).lower() != "wal":
                        raise StorageError(f"{where}: cannot switch to WAL mode (got {mode})")
                self.conn.execute(f"PRAGMA synchronous = {synchronous}")
                migrate(self.conn, where)
                # Fail now, not at the first step, when the file cannot be written.
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    self.conn.execute(
                        "INSERT OR REPLACE INTO cairn_meta (key, value) VALUES ('probe', '1')"
                    )
                finally:
                    self.conn.execute("ROLLBACK")
        except sqlite3.DatabaseError as error:
            self.close()
            raise _storage_error(where, error) from error
        except BaseException:
            self.close()
            raise
        self._store = Store(self.conn, self.serde)

    @classmethod
    @contextmanager
    def from_conn_string(
        cls, conn_string: str, *, serde: SerializerProtocol | None = None
    ) -> Iterator[SqliteSaver]:
        """Open ``conn_string`` (a path, or ``":memory:"``) for the ``with`` block."""
        saver = cls(conn_string, serde=serde)
        try:
            yield saver
        finally:
            saver.close()

    def close(self) -> None:
        """Close the connection if this saver opened it."""
        if getattr(self, "_owned", False):
            self.conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[Store]:
        with self._lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise _storage_error(self.path or "the SQLite connection", error) from error
            try:
                yield self._store
                self.conn.execute("COMMIT")
            except sqlite3.Error as error:
                self.conn.execute("ROLLBACK")
                raise _storage_error(self.path or "the SQLite connection", error) from error
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

    # -- writing -----------------------------------------------------------------

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return self.put_step(config, (), checkpoint, metadata, new_versions)

    def put_step(
        self,
        config: RunnableConfig,
        task_writes: Sequence[TaskWrites],
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        step = StepSave.of(config, task_writes, checkpoint, metadata, new_versions)
        return self.put_steps([step])[0]

    def put_steps(self, steps: Sequence[StepSave]) -> builtins.list[RunnableConfig]:
        """Several consecutive steps in one transaction (``durability="async"`` batches)."""
        made = []
        with self._transaction() as store:
            for step in steps:
                thread_id = config_thread_id(step.config)
                ns = config_namespace(step.config)
                parent_id = config_checkpoint_id(step.config)
                if parent_id is not None:
                    for item in step.task_writes:
                        store.put_writes(
                            thread_id, ns, parent_id, item.task_id, item.task_path, item.writes
                        )
                store.put_checkpoint(
                    thread_id, ns, parent_id, step.checkpoint, step.metadata, step.new_versions
                )
                made.append(checkpoint_config(thread_id, ns, step.checkpoint.id))
        return made

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        checkpoint_id = config_checkpoint_id(config)
        if checkpoint_id is None:
            raise InvalidConfigError("put_writes needs a config that names a checkpoint_id")
        thread_id = config_thread_id(config)
        with self._transaction() as store:
            store.put_writes(
                thread_id, config_namespace(config), checkpoint_id, task_id, task_path, writes
            )

    def delete_thread(self, thread_id: str) -> None:
        with self._transaction():
            self.conn.execute("DELETE FROM checkpoints WHERE thread_id = ?", (str(thread_id),))
            self.conn.execute("DELETE FROM blobs WHERE thread_id = ?", (str(thread_id),))
            self.conn.execute("DELETE FROM writes WHERE thread_id = ?", (str(thread_id),))

    # -- reading -----------------------------------------------------------------

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        thread_id = config_thread_id(config)
        ns = config_namespace(config)
        checkpoint_id = config_checkpoint_id(config)
        with self._lock:
            if checkpoint_id is None:
                row = self.conn.execute(
                    "SELECT thread_id, ns, checkpoint_id, parent_id, record, meta_type, meta "
                    "FROM checkpoints WHERE thread_id = ? AND ns = ? "
                    "ORDER BY checkpoint_id DESC LIMIT 1",
                    (thread_id, ns),
                ).fetchone()
            else:
                row = self.conn.execute(
                    "SELECT thread_id, ns, checkpoint_id, parent_id, record, meta_type, meta "
                    "FROM checkpoints WHERE thread_id = ? AND ns = ? AND checkpoint_id = ?",
                    (thread_id, ns, checkpoint_id),
                ).fetchone()
            if row is None:
                return None
            return self._store.load([row], {})[0]

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: Mapping[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        configurable = (config or {}).get("configurable") or {}
        clauses: builtins.list[str] = []
        params: builtins.list[Any] = []
        for column, key in (
            ("thread_id", "thread_id"),
            ("ns", "checkpoint_ns"),
            ("checkpoint_id", "checkpoint_id"),
        ):
            if configurable.get(key) is not None:
                clauses.append(column + " = ?")
                params.append(str(configurable[key]))
        before_id = None if before is None else config_checkpoint_id(before)
        if before_id is not None:
            clauses.append("checkpoint_id < ?")
            params.append(before_id)
        exact = True
        for key, value in (filter or {}).items():
            if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
                clauses.append("(meta_json IS NULL OR json_extract(meta_json, ?) = ?)")
                params.extend((f'$."{key}"', value))
            else:
                exact = False
        # Only constant fragments and ``?`` placeholders are joined here.
        query = "SELECT " + _COLUMNS + " FROM checkpoints"  # noqa: S608
        if clauses:
            query += " WHERE " + " AND ".join(clauses)
        query += " ORDER BY checkpoint_id DESC"
        if limit is not None and exact and not filter:
            query += " LIMIT ?"
            params.append(int(limit))
        yield from self._page(query, params, filter, limit)

    def _page(
        self,
        query: str,
        params: builtins.list[Any],
        filter: Mapping[str, Any] | None,
        limit: int | None,
    ) -> Iterator[CheckpointTuple]:
        with self._lock:
            rows = self.conn.execute(query, params).fetchall()
        cache: dict[tuple[str, str, str, int], Any] = {}
        count = 0
        for start in range(0, len(rows), 100):
            with self._lock:
                page = self._store.load(rows[start : start + 100], cache)
            for item in page:
                if limit is not None and count >= limit:
                    return
                if filter and not metadata_matches(item.metadata, filter):
                    continue
                count += 1
                yield item

    # -- locking -----------------------------------------------------------------

    def thread_lock(self, thread_id: str, timeout: float) -> AbstractContextManager[None]:
        """Hold ``thread_id`` across every process using this file (see ``_locks.py``)."""
        if not self.path:
            return super().thread_lock(thread_id, timeout)
        return _locks.hold(os.path.abspath(self.path) + ".locks", thread_id, timeout)


def _path_of(conn: sqlite3.Connection) -> str:
    """The file behind a connection; empty for in-memory databases."""
    for _seq, name, file in conn.execute("PRAGMA database_list"):
        if name == "main":
            return str(file or "")
    return ""


def _storage_error(where: str, error: sqlite3.Error) -> StorageError:
    text = str(error)
    if "not a database" in text:
        hint = "it is not a SQLite database (or is encrypted by another tool); pick another path"
    elif "readonly" in text or "read-only" in text:
        hint = "the file or its directory is read-only; make it writable or choose another path"
    elif "unable to open" in text:
        hint = "the file cannot be opened; check the path and permissions"
    else:
        hint = "check the file and try again"
    return StorageError(f"checkpoint database {where}: {text}: {hint}. Nothing was changed.")
