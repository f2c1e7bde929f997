"""Per-thread run locks that hold across processes and die with their holder.

One byte of a side file (``<database>.locks``) per thread id, locked with
``fcntl.lockf``: the kernel releases it when the holding process exits, even
by SIGKILL, so a crashed worker never leaves a thread locked. POSIX record
locks belong to a process, not to a file descriptor or a Python thread, so an
in-process lock keyed by (file, thread) is taken first, and the side file
stays open for the life of the process (closing any descriptor of it would
drop every lock this process holds on it).

An in-memory database lives in one process, so it needs no side file: a
private one (``:memory:``) uses its saver's own locks, and a shared one
(``file:name?mode=memory&cache=shared``) the locks of its name
(:func:`memory_locks`), common to every saver on it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from cairngraph.checkpoint._local_locks import LocalThreadLocks
from cairngraph.errors import StorageError, ThreadBusyError

__all__ = ["hold", "memory_locks"]

_guard = threading.Lock()
_files: dict[str, int] = {}
_local: dict[tuple[str, str], threading.Lock] = {}
_memory: dict[str, LocalThreadLocks] = {}
_POLL = 0.005


def _offset(thread_id: str) -> int:
    digest = hashlib.blake2b(thread_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 2  # fits a signed 64-bit off_t


def _descriptor(path: str) -> int:
    with _guard:
        fd = _files.get(path)
        if fd is None:
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as error:
                raise StorageError(
                    f"cannot open the lock file {path}: {error.strerror}. The directory of the "
                    "database must be writable."
                ) from error
            _files[path] = fd
        return fd


def memory_locks(name: str) -> LocalThreadLocks:
    """The thread locks of the shared in-memory database ``name``, in this process."""
    with _guard:
        return _memory.setdefault(name, LocalThreadLocks())


def _local_lock(path: str, thread_id: str) -> threading.Lock:
    with _guard:
        return _local.setdefault((path, thread_id), threading.Lock())


def busy(thread_id: str, timeout: float) -> ThreadBusyError:
    return ThreadBusyError(
        f"thread {thread_id!r} is being run by another caller (maybe another process) and was "
        f"not released within {timeout:g}s. Wait for that run to finish, use another "
        'thread_id, or raise config["configurable"]["lock_timeout"].'
    )


@contextmanager
def hold(path: str, thread_id: str, timeout: float) -> Iterator[None]:
    """Hold ``thread_id`` against every other holder, in this process or another."""
    deadline = time.monotonic() + timeout
    local = _local_lock(path, thread_id)
    if not local.acquire(timeout=max(timeout, 0)):
        raise busy(thread_id, timeout)
    try:
        fd = _descriptor(path)
        offset = _offset(thread_id)
        while True:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, offset)
                break
            except OSError:
                if time.monotonic() >= deadline:
                    raise busy(thread_id, timeout) from None
                time.sleep(_POLL)
        try:
            yield
        finally:
            fcntl.lockf(fd, fcntl.LOCK_UN, 1, offset)
    finally:
        local.release()
