"""Per-thread locks within one process, for savers that live in one process (memory)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from cairngraph.errors import ThreadBusyError

__all__ = ["LocalThreadLocks", "busy"]


@dataclass(slots=True)
class LocalThreadLocks:
    """In-process, per-thread locks: enough for savers that live in one process."""

    guard: threading.Lock = field(default_factory=threading.Lock)
    locks: dict[str, threading.Lock] = field(default_factory=dict)

    def get(self, thread_id: str) -> threading.Lock:
        with self.guard:
            lock = self.locks.get(thread_id)
            if lock is None:
                lock = self.locks[thread_id] = threading.Lock()
            return lock


def busy(thread_id: str, timeout: float) -> ThreadBusyError:
    """The error for a thread another caller of this process held past ``timeout``."""
    return ThreadBusyError(
        f"thread {thread_id!r} is being run by another caller and was not released within "
        f"{timeout:g}s. Wait for that run to finish, use another thread_id, or raise "
        'config["configurable"]["lock_timeout"].'
    )
