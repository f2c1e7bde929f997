"""A cache in a SQLite file (or ``":memory:"``), kept across restarts.

Invariants:

- One table, ``cairn_cache``, so the file can be shared with other tools'
  tables (LangGraph's ``cache`` table included) or with a cairngraph saver.
  The namespace is stored as a JSON array of its parts, so ``("a,b",)`` and
  ``("a", "b")`` never collide.
- SQL is parameterized; identifiers are constants. One connection per cache,
  used under a lock, so a cache may be shared by threads; a file in WAL mode
  with a busy timeout may be shared by processes.
- A ``set`` is one transaction: all its entries are stored, or none.
- Expiry times are wall-clock seconds (the cache's ``clock``), so they hold
  after a reopen. An expired entry is deleted when a ``get`` meets it, only if
  it is still the expired one.
- A file that is not a SQLite database, or whose ``cairn_cache`` table has
  other columns, raises :class:`~cairngraph.errors.StorageError` on open; the
  file is not changed.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable
from types import TracebackType
from typing import TypeVar

from cairngraph.cache.base import BaseCache, FullKey, Namespace, Stored, ValueT
from cairngraph.checkpoint.serde.base import SerializerProtocol
from cairngraph.errors import StorageError

__all__ = ["SqliteCache"]

_R = TypeVar("_R")

_COLUMNS = ("namespace", "key", "type_tag", "payload", "expires_at")
_CREATE = """
CREATE TABLE IF NOT EXISTS cairn_cache (
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    type_tag TEXT NOT NULL,
    payload BLOB NOT NULL,
    expires_at REAL,
    PRIMARY KEY (namespace, key)
)
"""
_SELECT = "SELECT type_tag, payload, expires_at FROM cairn_cache WHERE namespace = ? AND key = ?"
_UPSERT = (
    "INSERT OR REPLACE INTO cairn_cache (namespace, key, type_tag, payload, expires_at) "
    "VALUES (?, ?, ?, ?, ?)"
)
_DELETE_EXPIRED = (
    "DELETE FROM cairn_cache WHERE namespace = ? AND key = ? AND expires_at IS NOT NULL "
    "AND expires_at <= ?"
)
_DELETE_NAMESPACE = "DELETE FROM cairn_cache WHERE namespace = ?"
_DELETE_ALL = "DELETE FROM cairn_cache"


class SqliteCache(BaseCache[ValueT]):
    """Entries in a SQLite file; thread-safe, kept across reopen.

    Example::

        with SqliteCache("cache.db") as cache:       # or SqliteCache(path=":memory:")
            cache.set({(("ns",), "k"): ({"rows": 3}, 3600)})
            cache.get([(("ns",), "k")])              # {(("ns",), "k"): {"rows": 3}}
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        serde: SerializerProtocol | None = None,
        clock: Callable[[], float] | None = None,
        timeout: float = 5.0,
    ) -> None:
        super().__init__(serde=serde, clock=clock)
        self.path = os.fspath(path)
        self._lock = threading.Lock()
        self._closed = False
        try:
            self._conn = sqlite3.connect(self.path, timeout=timeout, check_same_thread=False)
        except sqlite3.Error as error:
            raise StorageError(f"cannot open the cache file {self.path!r}: {error}") from error
        try:
            self._run(_prepare)
            if self.path != ":memory:" and self.path:
                self._run(_share_between_processes)
        except StorageError:
            self._conn.close()
            raise

    def close(self) -> None:
        """Close the connection; later operations raise :class:`StorageError`."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()

    def __enter__(self) -> SqliteCache[ValueT]:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def _read(self, keys: list[FullKey], now: float) -> dict[FullKey, Stored]:
        def read(conn: sqlite3.Connection) -> dict[FullKey, Stored]:
            found: dict[FullKey, Stored] = {}
            expired: list[tuple[str, str, float]] = []
            for namespace, key in keys:
                stored_namespace = _stored(namespace)
                row = conn.execute(_SELECT, (stored_namespace, key)).fetchone()
                if row is None:
                    continue
                stored = Stored(row[0], bytes(row[1]), row[2])
                if stored.live(now):
                    found[(namespace, key)] = stored
                else:
                    expired.append((stored_namespace, key, now))
            if expired:
                conn.executemany(_DELETE_EXPIRED, expired)
            return found

        return self._run(read)

    def _write(self, entries: dict[FullKey, Stored]) -> None:
        rows = [
            (_stored(namespace), key, s.type_tag, s.payload, s.expires_at)
            for (namespace, key), s in entries.items()
        ]
        self._run(lambda conn: conn.executemany(_UPSERT, rows))

    def _remove(self, namespaces: list[Namespace] | None) -> None:
        if namespaces is None:
            self._run(lambda conn: conn.execute(_DELETE_ALL))
            return
        rows = [(_stored(namespace),) for namespace in namespaces]
        self._run(lambda conn: conn.executemany(_DELETE_NAMESPACE, rows))

    def _run(self, work: Callable[[sqlite3.Connection], _R]) -> _R:
        """Run ``work`` in one transaction, under the lock; SQLite errors become StorageError."""
        with self._lock:
            if self._closed:
                raise StorageError(f"the cache {self.path!r} is closed")
            try:
                with self._conn:
                    return work(self._conn)
            except sqlite3.Error as error:
                raise StorageError(
                    f"the cache file {self.path!r} cannot be used: {error}. Is it a SQLite "
                    "database that another program left locked or damaged?"
                ) from error


def _prepare(conn: sqlite3.Connection) -> None:
    """Check an existing ``cairn_cache`` table, or create it; change nothing else."""
    columns = tuple(row[1] for row in conn.execute("PRAGMA table_info(cairn_cache)"))
    if columns and columns != _COLUMNS:
        raise StorageError(
            f"the table cairn_cache in this file has columns {columns}, not {_COLUMNS}: it "
            "was not made by this version of cairngraph's SqliteCache; use another file"
        )
    if not columns:
        conn.execute(_CREATE)


def _share_between_processes(conn: sqlite3.Connection) -> None:
    """WAL: readers never wait for a writer; NORMAL sync is safe in WAL (a crash loses no file)."""
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")


def _stored(namespace: Namespace) -> str:
    """The namespace as stored: a JSON array of its parts."""
    return json.dumps(list(namespace), ensure_ascii=False, separators=(",", ":"))
