"""What the sync and async PostgreSQL savers share besides their operations.

Invariants:

- A thread's advisory lock key is a stable 63-bit hash of its id (the same
  in every process and on every machine), in a key space of its own.
- Error messages name the server as ``host:port/database``, never with its
  password or other credentials.
- A statement the server cancelled (``statement_timeout``, ``lock_timeout``,
  ``pg_cancel_backend``) is a :class:`StorageError` saying so, never
  :class:`StorageUnavailableError`: the server is up, and retrying the same
  statement under the same limit fails the same way.
- Within one process, a thread is claimed in :class:`LocalClaims` before its
  advisory lock is asked for: PostgreSQL's session locks are re-entrant, so
  two runs sharing one connection would otherwise both get the lock.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from cairngraph.errors import StorageError, StorageUnavailableError, ThreadBusyError

__all__ = [
    "LocalClaims",
    "LockRequest",
    "busy",
    "cancelled",
    "describe",
    "lock_key",
    "missing_tables",
    "pauses",
    "pipelines",
    "unavailable",
]


def lock_key(thread_id: str) -> int:
    """A stable 63-bit advisory lock key for a thread id.

    Example::

        lock_key("thread-1") == lock_key("thread-1")  # in every process
    """
    digest = hashlib.blake2b(b"cairngraph-thread:" + thread_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


@dataclass(frozen=True, slots=True)
class LockRequest:
    """A run asking for its thread: the key to lock, and until when to keep trying."""

    thread_id: str
    timeout: float
    key: int
    deadline: float

    @classmethod
    def make(cls, thread_id: str, timeout: float) -> LockRequest:
        return cls(thread_id, timeout, lock_key(thread_id), time.monotonic() + timeout)


def pauses(request: LockRequest) -> Iterator[float]:
    """The pauses between tries for a busy thread: from 5 ms, doubling up to 100 ms.

    Raises :class:`ThreadBusyError` naming the thread once the deadline has passed.
    """
    delay = 0.0
    while True:
        remaining = request.deadline - time.monotonic()
        if remaining <= 0:
            raise busy(request.thread_id, request.timeout)
        delay = min(max(delay * 2, 0.005), 0.1)
        yield min(delay, remaining)


@cache
def pipelines() -> bool:
    """Whether psycopg's libpq has pipeline mode (libpq 14+, as in its binary wheels).

    Without it, a batch of statements still runs in one transaction, one
    round trip per statement.
    """
    import psycopg

    return bool(psycopg.Pipeline.is_supported())


def describe(conn_or_pool: Any) -> str:
    """``host:port/database`` of the server a connection or pool talks to, without credentials."""
    info = getattr(conn_or_pool, "info", None)
    if info is not None:
        return f"{info.host}:{info.port}/{info.dbname}"
    conninfo = getattr(conn_or_pool, "conninfo", None)
    if isinstance(conninfo, str):
        import psycopg

        params = psycopg.conninfo.conninfo_to_dict(conninfo)
        host, port = params.get("host", "localhost"), params.get("port", 5432)
        return f"{host}:{port}/{params.get('dbname', '')}"
    return "PostgreSQL"


def unavailable(where: str, error: BaseException) -> StorageError:
    """The error a caller sees when a statement failed for a reason outside the query.

    :class:`StorageUnavailableError` when the server cannot be reached or the
    connection broke; a :class:`StorageError` naming the limit when the server
    cancelled the statement (:func:`cancelled`).
    """
    import psycopg

    if isinstance(error, psycopg.errors.QueryCanceled | psycopg.errors.LockNotAvailable):
        return cancelled(where, error)
    text = str(error).strip()
    first = text.splitlines()[0] if text else type(error).__name__
    return StorageUnavailableError(
        f"PostgreSQL at {where} is unavailable: {first}. Every step committed before this is "
        "safe; when the server is back, continue the run with invoke(None, config)."
    )


def cancelled(where: str, error: BaseException) -> StorageError:
    """The error for a statement the server cancelled: a timeout, or someone's cancel request."""
    import psycopg

    text = str(error).strip()
    first = text.splitlines()[0] if text else type(error).__name__
    if isinstance(error, psycopg.errors.LockNotAvailable) or "lock timeout" in first:
        what = "waited for a lock longer than the server's lock_timeout allows"
        setting = "lock_timeout"
    elif "statement timeout" in first:
        what = "ran longer than the server's statement_timeout allows"
        setting = "statement_timeout"
    else:
        return StorageError(
            f"PostgreSQL at {where} cancelled a statement of cairngraph's ({first}), by a cancel "
            "request (pg_cancel_backend, an administrator or a client). Its transaction was "
            "rolled back; every step committed before it is safe. Continue the run with "
            "invoke(None, config)."
        )
    return StorageError(
        f"PostgreSQL at {where} cancelled a statement of cairngraph's: it {what} ({first}). "
        "The server is up; its transaction was rolled back, and every step committed before "
        f"it is safe. Raise {setting} for cairngraph's connections (for one role: ALTER ROLE "
        f"name SET {setting} = '30s'; in the connection string: options=-c{setting}%3D30s; "
        f"0 turns it off), then continue the run with invoke(None, config)."
    )


def missing_tables(where: str, error: BaseException) -> StorageError:
    """The error for a database where :meth:`setup` was never called."""
    return StorageError(
        f"cairngraph's tables are missing in PostgreSQL at {where} ({error}); call "
        "saver.setup() once before using the saver"
    )


def busy(thread_id: str, timeout: float) -> ThreadBusyError:
    """The error for a thread that another run did not release within ``timeout``."""
    return ThreadBusyError(
        f"thread {thread_id!r} is being run by another worker and was not released within "
        f"{timeout:g}s. Wait for that run to finish, use another thread_id, or raise "
        'config["configurable"]["lock_timeout"].'
    )


class LocalClaims:
    """The threads this saver is running right now, in this process."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._claimed: set[int] = set()

    def claim(self, key: int) -> bool:
        """Claim ``key``; False when a run of this process already holds it."""
        with self._mutex:
            if key in self._claimed:
                return False
            self._claimed.add(key)
            return True

    def release(self, key: int) -> None:
        with self._mutex:
            self._claimed.discard(key)
