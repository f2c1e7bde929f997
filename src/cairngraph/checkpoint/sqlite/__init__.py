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

Opening (see ``_connect.py``): paths, ``file:`` URIs, ``:memory:`` and
caller-made connections; in-memory databases keep their journal mode and
their locks stay in the process; a database that cannot be written opens
read-only, and its saver refuses every write with ReadOnlyStorageError.
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
from cairngraph.checkpoint.sqlite import _connect, _locks
from cairngraph.checkpoint.sqlite._store import Store
from cairngraph.errors import InvalidConfigError, ReadOnlyStorageError, StorageError

__all__ = ["SqliteSaver"]

Synchronous = Literal["OFF", "NORMAL", "FULL"]
_COLUMNS = "thread_id, ns, checkpoint_id, parent_id, record, meta_type, meta"


class SqliteSaver(BaseCheckpointSaver):
    """Saves every step to a SQLite file; the embedded, durable default.

    ``conn`` is a path, ``":memory:"``, a SQLite ``file:`` URI
    (``"file:jobs.db?mode=ro"``, ``"file:scratch?mode=memory&cache=shared"``)
    or a ``sqlite3.Connection`` opened with ``check_same_thread=False``.
    ``read_only=True`` (or ``mode=ro``, or a file that cannot be written) opens
    it for reading only: every read works, and a write raises
    :class:`~cairngraph.errors.ReadOnlyStorageError`. ``saver.read_only``
    says why it is read-only (``"read_only=True"``, ``"mode=ro"``, ...), and is
    ``""`` when it can write.

    Example::

        from cairngraph.checkpoint.sqlite import SqliteSaver
        workflow = graph.compile(checkpointer=SqliteSaver("checkpoints.db"))

        with SqliteSaver.from_conn_string(":memory:") as saver:
            workflow = graph.compile(checkpointer=saver)

        archive = SqliteSaver("checkpoints.db", read_only=True)
        archive.get_tuple({"configurable": {"thread_id": "1"}})
    """

    def __init__(
        self,
        conn: sqlite3.Connection | str | os.PathLike[str],
        *,
        serde: SerializerProtocol | None = None,
        synchronous: Synchronous = "NORMAL",
        read_only: bool = False,
    ) -> None:
        super().__init__(serde=serde)
        self._owned = False
        if synchronous not in ("OFF", "NORMAL", "FULL"):
            raise InvalidConfigError(f"synchronous={synchronous!r}: use 'NORMAL' or 'FULL'")
        if isinstance(conn, sqlite3.Connection):
            self.conn = conn
            self.path = _connect.path_of(conn)
            where = self.path or "the in-memory SQLite connection"
            asked = "read_only=True" if read_only else ""
        elif isinstance(conn, str | os.PathLike):
            target = _connect.target_of(conn, read_only)
            self.conn = _connect.connect(target)
            self._owned = True
            self.path, where, asked = target.path, target.where, target.read_only
            if target.shared:
                self._local_locks = _locks.memory_locks(target.shared)
        else:
            raise _wrong_connection(type(self).__name__, conn)
        self._where = where
        self.conn.isolation_level = None
        self._lock = threading.RLock()
        try:
            with self._lock:
                self.read_only = _connect.prepare(
                    self.conn,
                    where,
                    memory=not self.path,
                    read_only=asked,
                    synchronous=synchronous,
                )
        except sqlite3.Error as error:
            self.close()
            raise _connect.storage_error(where, error) from error
        except BaseException:
            self.close()
            raise
        self._store = Store(self.conn, self.serde)

    @classmethod
    @contextmanager
    def from_conn_string(
        cls,
        conn_string: str | os.PathLike[str],
        *,
        serde: SerializerProtocol | None = None,
        synchronous: Synchronous = "NORMAL",
        read_only: bool = False,
    ) -> Iterator[SqliteSaver]:
        """Open ``conn_string`` (a path, ``":memory:"`` or a ``file:`` URI) for the ``with`` block.

        Example::

            with SqliteSaver.from_conn_string(":memory:") as checkpointer:
                graph = builder.compile(checkpointer=checkpointer)
        """
        saver = cls(conn_string, serde=serde, synchronous=synchronous, read_only=read_only)
        try:
            yield saver
        finally:
            saver.close()

    def close(self) -> None:
        """Close the connection if this saver opened it."""
        if self._owned:
            self.conn.close()

    def _refuse_write(self, action: str) -> ReadOnlyStorageError:
        return ReadOnlyStorageError(
            f"checkpoint database {self._where} was opened read-only ({self.read_only}), so "
            f"it cannot {action}; reading (get_tuple, list, get_state, get_state_history) "
            "works. To save, open it writable: without read_only=True or mode=ro, with write "
            "permission on the file and its directory."
        )

    @contextmanager
    def _reading(self) -> Iterator[None]:
        with self._lock:
            try:
                yield
            except sqlite3.Error as error:
                raise _connect.storage_error(self._where, error) from error

    @contextmanager
    def _transaction(self) -> Iterator[Store]:
        if self.read_only:
            raise self._refuse_write("save checkpoints, writes or deletions")
        with self._lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise _connect.storage_error(self._where, error) from error
            try:
                yield self._store
                self.conn.execute("COMMIT")
            except sqlite3.Error as error:
                self.conn.execute("ROLLBACK")
                raise _connect.storage_error(self._where, error) from error
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
            self.conn.execute(
                "DELETE FROM cairn_checkpoints WHERE thread_id = ?", (str(thread_id),)
            )
            self.conn.execute("DELETE FROM cairn_blobs WHERE thread_id = ?", (str(thread_id),))
            self.conn.execute("DELETE FROM cairn_writes WHERE thread_id = ?", (str(thread_id),))

    # -- reading -----------------------------------------------------------------

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        thread_id = config_thread_id(config)
        ns = config_namespace(config)
        checkpoint_id = config_checkpoint_id(config)
        with self._reading():
            if checkpoint_id is None:
                row = self.conn.execute(
                    "SELECT thread_id, ns, checkpoint_id, parent_id, record, meta_type, meta "
                    "FROM cairn_checkpoints WHERE thread_id = ? AND ns = ? "
                    "ORDER BY checkpoint_id DESC LIMIT 1",
                    (thread_id, ns),
                ).fetchone()
            else:
                row = self.conn.execute(
                    "SELECT thread_id, ns, checkpoint_id, parent_id, record, meta_type, meta "
                    "FROM cairn_checkpoints WHERE thread_id = ? AND ns = ? AND checkpoint_id = ?",
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
        query = "SELECT " + _COLUMNS + " FROM cairn_checkpoints"  # noqa: S608
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
        with self._reading():
            rows = self.conn.execute(query, params).fetchall()
        cache: dict[tuple[str, str, str, int], Any] = {}
        count = 0
        for start in range(0, len(rows), 100):
            with self._reading():
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
        """Hold ``thread_id`` across every process using this file (see ``_locks.py``).

        An in-memory database lives in this process: its locks do too.
        """
        if self.read_only:
            raise self._refuse_write(f"run or update thread {thread_id!r}")
        if not self.path:
            return super().thread_lock(thread_id, timeout)
        return _locks.hold(os.path.abspath(self.path) + ".locks", thread_id, timeout)


def _wrong_connection(saver: str, conn: object) -> StorageError:
    kind = type(conn)
    name = f"{kind.__module__}.{kind.__qualname__}"
    accepted = (
        f"{saver} takes a path, ':memory:', a SQLite 'file:' URI or a sqlite3.Connection "
        "(opened with check_same_thread=False)"
    )
    if kind.__module__.split(".")[0] == "aiosqlite":
        return StorageError(
            f"{accepted}, not an aiosqlite connection: it runs its SQLite calls in worker "
            f"threads itself, so it needs no aiosqlite. Write {saver}.from_conn_string(path) "
            f"or {saver}(path) instead."
        )
    return StorageError(f"{accepted}, not {name} ({conn!r}).")
