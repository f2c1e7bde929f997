"""``SqliteStore``: the long-term Store in a SQLite file (or ``:memory:``).

Invariants:

- Every batch is one transaction on the store's one connection, under a
  lock, so many threads may share a store: ``BEGIN IMMEDIATE`` around its
  statements, or a lone statement (a lone put, say) in autocommit. A file
  runs in WAL mode, so other processes read while one writes.
- Durability, as the SQLite saver's: with ``synchronous="NORMAL"`` (the
  default) a put that returned survives the process being killed at any
  instant; power loss may lose the last puts but never corrupts the file.
  ``synchronous="FULL"`` survives power loss too, at the cost of an fsync
  per batch.
- Values are sealed (``store/_codec.py``): a changed byte is a
  :class:`CorruptDataError` naming the namespace and key, never wrong data.
- Semantic search ranks with sqlite-vec's ``vec_distance_cosine`` when the
  extension loads into this Python's ``sqlite3`` (``vector_search ==
  "sqlite-vec"``), else in Python (``"python"``); both give the same order.
- The tables are ``cairn_store_*``, beside the checkpoint saver's: one file
  may hold both.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any, Literal

from cairngraph.checkpoint.postgres._statements import Call, Op, Stepper
from cairngraph.checkpoint.serde.base import SerializerProtocol
from cairngraph.errors import CorruptDataError, InvalidConfigError, StorageError
from cairngraph.store._sqlstore import SqlStore
from cairngraph.store._ttl import ThreadSweeper
from cairngraph.store.base import IndexConfig, TTLConfig
from cairngraph.store.sqlite import _schema

__all__ = ["SqliteStore"]

Synchronous = Literal["NORMAL", "FULL"]
"""How a store file waits for the disk: see the module's invariants."""


@cache
def _sqlite_sql(sql: str) -> str:
    return sql.replace("%s", "?")


def _load_vec(conn: sqlite3.Connection) -> bool:
    """Load sqlite-vec into ``conn`` when this Python's sqlite3 allows extensions."""
    enable = getattr(conn, "enable_load_extension", None)
    if enable is None:
        return False  # this Python's sqlite3 was built without extension loading
    try:
        import sqlite_vec
    except ImportError:
        return False
    try:
        enable(True)
        sqlite_vec.load(conn)
    except sqlite3.OperationalError:
        return False
    finally:
        enable(False)
    return True


class _SqliteBase(SqlStore):
    """The SQLite stores' connection, lock and statement driver."""

    def __init__(
        self,
        conn: sqlite3.Connection | str | os.PathLike[str],
        *,
        serde: SerializerProtocol | None = None,
        index: IndexConfig | None = None,
        ttl: TTLConfig | None = None,
        synchronous: Synchronous = "NORMAL",
    ) -> None:
        super().__init__(serde=serde, index=index, ttl=ttl)
        if synchronous not in ("NORMAL", "FULL"):
            raise InvalidConfigError(
                f"synchronous={synchronous!r}: use 'NORMAL' (survives a killed process) or "
                "'FULL' (survives power loss too)"
            )
        self._synchronous = synchronous
        self._owned = not isinstance(conn, sqlite3.Connection)
        if isinstance(conn, sqlite3.Connection):
            self.conn = conn
            self._where = "the SQLite connection"
        elif isinstance(conn, str | os.PathLike):
            self._where = os.fspath(conn)
            try:
                self.conn = sqlite3.connect(
                    conn, isolation_level=None, check_same_thread=False, timeout=30
                )
            except sqlite3.Error as error:
                raise StorageError(f"cannot open store database {self._where}: {error}") from error
        else:
            raise StorageError(
                f"a SQLite store takes a path, ':memory:' or a sqlite3.Connection, not "
                f"{type(conn).__name__}"
            )
        self.conn.isolation_level = None  # the store opens and commits its transactions
        self._lock = threading.RLock()
        self.vector_search: Literal["sqlite-vec", "python", ""] = ""
        if self._index is not None:
            self.vector_search = "sqlite-vec" if _load_vec(self.conn) else "python"

    def _scores_in_sql(self) -> bool:
        return self.vector_search == "sqlite-vec"

    def _max_params(self) -> int:
        return self.conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)

    def close(self) -> None:
        """Close the connection if this store opened it."""
        if self._owned:
            self.conn.close()

    def _setup(self) -> None:
        with self._lock:
            try:
                if self.conn.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
                    self.conn.execute("PRAGMA journal_mode = WAL")
                    self.conn.execute(f"PRAGMA synchronous = {self._synchronous}")
                _schema.migrate(self.conn, self._where)
            except sqlite3.Error as error:
                raise StorageError(f"store database {self._where}: {error}") from error
        self._ready = True

    def _prepare(self) -> None:
        self._setup()

    async def _aprepare(self) -> None:
        await asyncio.to_thread(self._setup)

    def _run(self, make: Callable[[], Op]) -> Any:
        with self._lock, self._errors():
            stepper = Stepper(make())
            if not stepper.atomic:
                return self._steps(stepper)
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                result = self._steps(stepper)
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
            return result

    async def _arun(self, make: Callable[[], Op]) -> Any:
        # SQLite calls are short and release the GIL: one sync driver, in a thread.
        return await asyncio.to_thread(self._run, make)

    def _steps(self, stepper: Stepper) -> Any:
        execute = self.conn.execute
        while (statement := stepper.statement) is not None:
            if isinstance(statement, Call):
                stepper.reply(statement.function())
                continue
            cursor = execute(_sqlite_sql(statement.sql), statement.params)
            if statement.fetch == "one":
                stepper.reply(cursor.fetchone())
            else:
                stepper.reply(cursor.fetchall() if statement.fetch == "all" else None)
        return stepper.result

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as error:
            if "decode to UTF-8" in str(error):
                raise CorruptDataError(
                    f"store database {self._where}: a namespace or key of a row does not "
                    "decode as text; the row was changed outside cairngraph"
                ) from None
            raise StorageError(f"store database {self._where}: {error}") from error


class SqliteStore(ThreadSweeper, _SqliteBase):
    """The Store in SQLite: embedded, durable, shared by the threads of a process.

    ``conn`` is a path, ``":memory:"`` or a ``sqlite3.Connection``; ``serde``
    an ``EncryptedSerializer`` to encrypt values at rest; ``index`` turns on
    semantic search; ``ttl`` sets TTL defaults (minutes); ``synchronous="FULL"``
    makes each put survive power loss (the default survives a killed process).

    Example::

        from cairngraph.store.sqlite import SqliteStore

        with SqliteStore.from_conn_string("memories.db") as store:
            store.setup()
            store.put(("users", "ann"), "prefs", {"theme": "dark"})
            graph = builder.compile(store=store)
    """

    def __init__(
        self,
        conn: sqlite3.Connection | str | os.PathLike[str],
        *,
        serde: SerializerProtocol | None = None,
        index: IndexConfig | None = None,
        ttl: TTLConfig | None = None,
        synchronous: Synchronous = "NORMAL",
    ) -> None:
        _SqliteBase.__init__(self, conn, serde=serde, index=index, ttl=ttl, synchronous=synchronous)
        ThreadSweeper.__init__(self)

    @classmethod
    @contextmanager
    def from_conn_string(
        cls,
        conn_string: str | os.PathLike[str],
        *,
        serde: SerializerProtocol | None = None,
        index: IndexConfig | None = None,
        ttl: TTLConfig | None = None,
        synchronous: Synchronous = "NORMAL",
    ) -> Iterator[SqliteStore]:
        """A store on ``conn_string`` (a path or ``":memory:"``) for the ``with`` block.

        Example::

            with SqliteStore.from_conn_string(":memory:") as store:
                store.setup()
        """
        store = cls(conn_string, serde=serde, index=index, ttl=ttl, synchronous=synchronous)
        try:
            yield store
        finally:
            store.stop_ttl_sweeper(timeout=5)
            store.close()

    def setup(self) -> None:
        """Create or upgrade the store's tables (idempotent; safe from several processes)."""
        self._setup()

    def sweep_ttl(self) -> int:
        """Delete every expired item now; return how many."""
        return self._run(self._sweep())  # type: ignore[no-any-return]
