"""WAL checkpoints off the step path: a background thread copies the log into the file.

SQLite's automatic WAL checkpoint runs inside the COMMIT that crosses its
threshold, so one step in a few hundred paid for copying the log and its
fsyncs. Here the saver's connection has ``wal_autocheckpoint`` off, and a
daemon thread with a connection of its own runs ``wal_checkpoint(PASSIVE)``
after every :data:`EVERY` commits, or once a second while commits arrive.

Durability is unchanged: a step is in the WAL when its COMMIT returns (with
``synchronous=NORMAL`` that survives a killed process; ``FULL`` survives
power loss), and SQLite recovers the WAL on the next open whether or not it
was checkpointed. A PASSIVE checkpoint never blocks a writer or a reader.
If the thread falls behind, the log only grows until the next checkpoint;
past :data:`LIMIT` pages the committing thread checkpoints itself.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref

__all__ = ["EVERY", "LIMIT", "WalCheckpointer"]

EVERY = 200
"""Commits between two background checkpoints (also run once a second)."""
LIMIT = 20_000
"""WAL pages (about 80 MB) past which a commit checkpoints inline rather than wait."""


class WalCheckpointer:
    """Runs PASSIVE checkpoints of one database file in a background thread."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        self._conn = conn
        self._path = path
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._pending = 0
        self._thread = threading.Thread(
            target=_run, args=(path, self._wake, self._stop), name="cairn-wal", daemon=True
        )
        self._thread.start()
        self._finalizer = weakref.finalize(self, _stop_thread, self._wake, self._stop)

    def committed(self) -> None:
        """Count a commit; wake the thread every :data:`EVERY` of them."""
        self._pending += 1
        if self._pending % EVERY == 0:
            self._wake.set()
            if self._pending % (EVERY * 10) == 0:
                self._inline_if_behind()

    def _inline_if_behind(self) -> None:
        row = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if row is not None and row[1] - row[2] > LIMIT:
            self._conn.execute("PRAGMA wal_checkpoint(RESTART)")

    def close(self) -> None:
        self._finalizer()
        self._thread.join(timeout=5)


def _stop_thread(wake: threading.Event, stop: threading.Event) -> None:
    stop.set()
    wake.set()


def _run(path: str, wake: threading.Event, stop: threading.Event) -> None:
    conn: sqlite3.Connection | None = None
    try:
        while not stop.is_set():
            wake.wait(timeout=1.0)
            wake.clear()
            if stop.is_set():
                break
            if conn is None:
                conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    except sqlite3.Error:
        pass  # the file went away or is locked for good: the saver checkpoints inline
    finally:
        if conn is not None:
            conn.close()
