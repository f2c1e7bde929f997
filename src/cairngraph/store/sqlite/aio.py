"""``AsyncSqliteStore``: the SQLite store for async programs.

It is the SQLite store with async ``setup``, ``sweep_ttl`` and TTL sweeper
(an asyncio task), as LangGraph's ``AsyncSqliteStore``. Its statements run
in a worker thread through the one sync driver (SQLite calls are short and
release the GIL); an async embed function is awaited on the caller's loop.
It takes a path, ``":memory:"`` or a ``sqlite3.Connection``, not an
``aiosqlite`` connection: it needs no second thread of its own.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from cairngraph.checkpoint.serde.base import SerializerProtocol
from cairngraph.store._ttl import AsyncSweeper
from cairngraph.store.base import IndexConfig, TTLConfig
from cairngraph.store.sqlite import Synchronous, _SqliteBase

__all__ = ["AsyncSqliteStore"]


class AsyncSqliteStore(AsyncSweeper, _SqliteBase):
    """Example::

    async with AsyncSqliteStore.from_conn_string("memories.db") as store:
        await store.setup()
        await store.aput(("users", "ann"), "prefs", {"theme": "dark"})
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
        AsyncSweeper.__init__(self)

    @classmethod
    @asynccontextmanager
    async def from_conn_string(
        cls,
        conn_string: str | os.PathLike[str],
        *,
        serde: SerializerProtocol | None = None,
        index: IndexConfig | None = None,
        ttl: TTLConfig | None = None,
        synchronous: Synchronous = "NORMAL",
    ) -> AsyncIterator[AsyncSqliteStore]:
        """A store on ``conn_string`` (a path or ``":memory:"``) for the ``async with`` block."""
        store = cls(conn_string, serde=serde, index=index, ttl=ttl, synchronous=synchronous)
        try:
            yield store
        finally:
            await store.stop_ttl_sweeper(timeout=5)
            store.close()

    async def setup(self) -> None:
        """Create or upgrade the store's tables (idempotent)."""
        await asyncio.to_thread(self._setup)

    async def sweep_ttl(self) -> int:
        """Delete every expired item now; return how many."""
        return await self._sweep_once()

    async def _sweep_once(self) -> int:
        return await self._arun(self._sweep())  # type: ignore[no-any-return]
