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

import asyncio
import builtins
import os
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any, Literal

from cairngraph.checkpoint._blobs import BLOB_THRESHOLD, Blobs, collect
from cairngraph.checkpoint._config import ListQuery, page_limit
from cairngraph.checkpoint._lifecycle import Chooser
from cairngraph.checkpoint._retention import Entry, admission
from cairngraph.checkpoint.base import (
    BaseCheckpointSaver,
    CheckpointTuple,
    RunnableConfig,
    StepSave,
    ThreadInfo,
    VerifyReport,
    config_checkpoint_id,
    config_namespace,
    config_thread_id,
)
from cairngraph.checkpoint.blobs import BlobStore
from cairngraph.checkpoint.serde.base import SerializerProtocol
from cairngraph.checkpoint.sqlite import _connect, _locks, _retention
from cairngraph.checkpoint.sqlite._reader import Reader
from cairngraph.checkpoint.sqlite._store import Store
from cairngraph.checkpoint.sqlite._wal import WalCheckpointer
from cairngraph.errors import (
    CorruptDataError,
    InvalidConfigError,
    ReadOnlyStorageError,
    StorageError,
)

__all__ = ["SqliteSaver"]

_EAGER_LIMIT = 50
"""``list(limit=...)`` up to this opens its rows at once: one statement, not two."""

Synchronous = Literal["OFF", "NORMAL", "FULL"]


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
        blobs: BlobStore | None = None,
        blob_threshold: int = BLOB_THRESHOLD,
    ) -> None:
        super().__init__(serde=serde)
        self._owned = False
        offload = Blobs.of(blobs, blob_threshold)
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
        self._read_guard = _Reading(self._lock, where)
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
        self._store = Store(self.conn, self.serde, offload)
        self._write_guard = _Writing(self)
        self._reader = Reader(self.conn, self._store, self._reading)
        self._wal = (
            WalCheckpointer(self.conn, self.path) if self.path and not self.read_only else None
        )

    @classmethod
    @contextmanager
    def from_conn_string(
        cls,
        conn_string: str | os.PathLike[str],
        *,
        serde: SerializerProtocol | None = None,
        synchronous: Synchronous = "NORMAL",
        read_only: bool = False,
        blobs: BlobStore | None = None,
        blob_threshold: int = BLOB_THRESHOLD,
    ) -> Iterator[SqliteSaver]:
        """Open ``conn_string`` (a path, ``":memory:"`` or a ``file:`` URI) for the ``with`` block.

        Example::

            with SqliteSaver.from_conn_string(":memory:") as checkpointer:
                graph = builder.compile(checkpointer=checkpointer)
        """
        saver = cls(
            conn_string,
            serde=serde,
            synchronous=synchronous,
            read_only=read_only,
            blobs=blobs,
            blob_threshold=blob_threshold,
        )
        try:
            yield saver
        finally:
            saver.close()

    def close(self) -> None:
        """Stop the background WAL checkpoints; close the connection if this saver opened it."""
        wal = getattr(self, "_wal", None)
        if wal is not None:
            wal.close()
        if self._owned:
            self.conn.close()

    def _refuse_write(self, action: str) -> ReadOnlyStorageError:
        return ReadOnlyStorageError(
            f"checkpoint database {self._where} was opened read-only ({self.read_only}), so "
            f"it cannot {action}; reading (get_tuple, list, get_state, get_state_history) "
            "works. To save, open it writable: without read_only=True or mode=ro, with write "
            "permission on the file and its directory."
        )

    def _reading(self) -> _Reading:
        return self._read_guard

    def _transaction(self) -> _Writing:
        if self.read_only:
            raise self._refuse_write("save checkpoints, writes or deletions")
        return self._write_guard

    def _committed(self) -> None:
        if self._wal is not None:
            self._wal.committed()
        self._store.committed()  # blobs freed by the transaction go only now

    def _roll_back(self, error: BaseException) -> None:
        self.conn.execute("ROLLBACK")
        try:
            self._store.rolled_back()
        except StorageError as failed:  # the blobs stay for the collector (sweep)
            error.add_note(f"and the blobs it had put could not be deleted: {failed}")

    # -- writing -----------------------------------------------------------------

    def put_steps(self, steps: Sequence[StepSave]) -> builtins.list[RunnableConfig]:
        """Several consecutive steps in one transaction (``durability="async"`` batches)."""
        admitted = admission(steps)
        # try/except rather than ``refusals()``: this runs once a step.
        try:
            with self._transaction() as store:
                _retention.admit(self.conn, admitted)
                rows = store.save(steps)
        except StorageError as error:
            _retention.refuse(self.conn, self._lock, admitted.checked, "save a step", error)
            raise
        store.refs.learn(rows.learned)  # committed: safe to build on
        return rows.made

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
        with (
            _retention.refusals(self.conn, self._lock, (thread_id,), "save a task's writes"),
            self._transaction() as store,
        ):
            store.put_writes(
                thread_id, config_namespace(config), checkpoint_id, task_id, task_path, writes
            )

    def delete_thread(self, thread_id: str) -> None:
        """Delete the thread's checkpoints and writes, and every value no other thread uses.

        Leaves a tombstone: a late save continuing the thread is refused. The
        freed pages go back to the file system (``auto_vacuum=INCREMENTAL``).
        """
        with self._transaction() as store:
            store.delete_thread(str(thread_id))
            _retention.tombstone(self.conn, str(thread_id))
        self._reclaim()

    # -- lifecycle primitives (``checkpoint/_lifecycle.py``) -----------------------

    def _index(self, thread_ids: Sequence[str] | None) -> builtins.list[Entry]:
        with self._reading():
            return _retention.index(self._store, thread_ids)

    def _retain(self, thread_id: str, choose: Chooser) -> int:
        return self._retain_held([thread_id], choose)

    def _retain_held(self, thread_ids: Sequence[str], choose: Chooser) -> int:
        with self._transaction() as store:
            return _retention.retain(store, thread_ids, choose)

    def _copy(self, source_thread_id: str, target_thread_id: str) -> None:
        with self._transaction() as store:
            _retention.copy(store, source_thread_id, target_thread_id)

    def _collect(self, cutoff: datetime) -> int:
        def bodies(addresses: builtins.list[bytes]) -> dict[bytes, bytes]:
            with self._reading():
                return self._store.bodies(addresses)

        return collect(self._store.blobs, bodies, cutoff)

    def _reclaim(self) -> None:
        if self.read_only:
            return
        with self._reading():
            _retention.reclaim(self.conn)

    def vacuum(self) -> None:
        """Rebuild the file once with ``auto_vacuum = INCREMENTAL``, giving all free space back.

        Files made by this cairngraph already have it, and prunes give space back
        as they go; a file made before keeps freed pages for new rows until this
        runs. It rewrites the whole file (needs as much free disk again) and
        blocks other writers meanwhile: run it in a quiet moment.

        Example::

            SqliteSaver("checkpoints.db").vacuum()
        """
        if self.read_only:
            raise self._refuse_write("vacuum")
        with self._reading():
            self.conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
            self.conn.execute("VACUUM")

    # -- reading -----------------------------------------------------------------

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return self._reader.get_tuple(config)

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: Mapping[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        """The checkpoints ``config`` names, newest first.

        Without a filter, and unless ``limit`` is small, they are
        ``ListedTuple`` rows (``checkpoint/_listed.py``): each page of them is
        checked and decoded when one of its tuples is first read, so a scan of
        configs, parents or metadata decodes no value. :meth:`list_eager`
        opens every row before yielding it.
        """
        query = ListQuery.of(config, filter=filter, before=before, limit=limit)
        return self._reader.listing(query, lazy=query.limit is None or query.limit > _EAGER_LIMIT)

    def list_eager(
        self,
        config: RunnableConfig | None,
        *,
        filter: Mapping[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        query = ListQuery.of(config, filter=filter, before=before, limit=limit)
        return self._reader.listing(query, lazy=False)

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: Mapping[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        """Async twin of :meth:`list`: rows opened in the worker thread, never on the loop."""
        query = ListQuery.of(config, filter=filter, before=before, limit=limit)
        read = lambda: builtins.list(self._reader.listing(query, lazy=False))  # noqa: E731
        for item in await asyncio.to_thread(read):
            yield item

    def threads(
        self,
        *,
        search: str | None = None,
        filter: Mapping[str, Any] | None = None,
        before: str | None = None,
        limit: int | None = None,
    ) -> Iterator[ThreadInfo]:
        """Threads, the most recently saved first (see the base class), from ``cairn_threads``."""
        return self._reader.threads(search, filter, before, page_limit("threads", limit))

    # -- checking and sealing ------------------------------------------------------

    def verify(self) -> VerifyReport:
        """Open and check every stored row; report every bad one (see :class:`VerifyReport`).

        Example::

            report = SqliteSaver("checkpoints.db", read_only=True).verify()
            print(report.checked, "rows checked;", len(report.problems), "bad")
        """
        with self._reading():
            return self._store.verify()

    def reseal(self) -> int:
        """Rewrite every stored payload with this saver's serializer; return the rows rewritten.

        Encrypts a store written before encryption was switched on (open it with
        ``EncryptedSerializer(..., allow_plaintext=True)``), or moves every
        payload to the active key after a rotation (keep the old key among the
        keys while resealing). One transaction: all or nothing.
        """
        with self._transaction() as store:
            count = store.reseal()
        return count

    async def areseal(self) -> int:
        """Async twin of :meth:`reseal`."""
        return await asyncio.to_thread(self.reseal)

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


class _Writing:
    """The saver's write transaction: its lock held, ``BEGIN IMMEDIATE`` ... ``COMMIT``
    (rolled back on any error), SQLite's errors turned into cairngraph's.

    A class rather than a generator context manager, for the reason of
    :class:`_Reading`: every step enters one. It holds no state of its own.
    """

    __slots__ = ("_saver",)

    def __init__(self, saver: SqliteSaver) -> None:
        self._saver = saver

    def __enter__(self) -> Store:
        saver = self._saver
        saver._lock.acquire()
        try:
            saver.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            saver._lock.release()
            raise _connect.storage_error(saver._where, error) from error
        except BaseException:
            saver._lock.release()
            raise
        return saver._store

    def __exit__(self, kind: object, error: BaseException | None, trace: object) -> None:
        saver = self._saver
        try:
            if error is None:
                try:
                    saver.conn.execute("COMMIT")
                except BaseException as failed:  # noqa: BLE001 - rolled back, then raised
                    error = failed
                else:
                    saver._committed()
                    return
            saver._roll_back(error)
            if isinstance(error, sqlite3.Error):
                raise _connect.storage_error(saver._where, error) from error
            if error is not None and kind is None:  # COMMIT itself failed otherwise
                raise error
        finally:
            saver._lock.release()


class _Reading:
    """The saver's lock held for a read, SQLite's errors turned into cairngraph's.

    A class rather than a generator context manager: every read enters one, and
    this costs a third as much. It holds no state of its own, so one serves every
    (nested) read of the saver.
    """

    __slots__ = ("_lock", "_where")

    def __init__(self, lock: threading.RLock, where: str) -> None:
        self._lock = lock
        self._where = where

    def __enter__(self) -> None:
        self._lock.acquire()

    def __exit__(self, kind: object, error: BaseException | None, trace: object) -> None:
        try:
            if isinstance(error, sqlite3.Error):
                if "decode to UTF-8" in str(error):
                    raise CorruptDataError(
                        f"stored data is unreadable in {self._where}: a text column of a "
                        f"row does not decode ({str(error).split(' with text')[0]}). Nothing "
                        "was changed; saver.verify() lists every bad row."
                    ) from None
                raise _connect.storage_error(self._where, error) from error
        finally:
            self._lock.release()


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
