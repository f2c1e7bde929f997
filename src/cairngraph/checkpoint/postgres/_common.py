"""What the sync and async PostgreSQL savers share besides the operations."""

from __future__ import annotations

import hashlib
from typing import Any

from cairngraph.errors import StorageError, ThreadBusyError

LOCK_POLL = 0.01


def lock_key(thread_id: str) -> int:
    """A stable signed 64-bit advisory lock key for a thread id."""
    digest = hashlib.blake2b(b"cairngraph-thread:" + thread_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def describe(conn_or_pool: Any) -> str:
    """``host:port/db`` of the server, without credentials."""
    info = getattr(conn_or_pool, "info", None)
    if info is None and hasattr(conn_or_pool, "conninfo"):
        import psycopg

        params = psycopg.conninfo.conninfo_to_dict(conn_or_pool.conninfo)
        host, port = params.get("host", "localhost"), params.get("port", 5432)
        return f"{host}:{port}/{params.get('dbname', '')}"
    if info is not None:
        return f"{info.host}:{info.port}/{info.dbname}"
    return "PostgreSQL"


def unavailable(where: str, error: BaseException) -> StorageError:
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return StorageError(
        f"PostgreSQL at {where} is unavailable: {first}. Every step committed before this is "
        "safe; when the server is back, continue the run with invoke(None, config)."
    )


def busy(thread_id: str, timeout: float) -> ThreadBusyError:
    return ThreadBusyError(
        f"thread {thread_id!r} is being run by another worker and was not released within "
        f"{timeout:g}s. Wait for that run to finish, use another thread_id, or raise "
        'config["configurable"]["lock_timeout"].'
    )
