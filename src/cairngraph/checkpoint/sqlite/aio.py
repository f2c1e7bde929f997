"""``AsyncSqliteSaver``: the SQLite saver for ``ainvoke``/``astream``.

It is :class:`~cairngraph.checkpoint.sqlite.SqliteSaver` with an async
``from_conn_string``: SQLite calls are short and release the GIL, so the
async methods run the one sync implementation in a worker thread (the base
class's default) instead of keeping a second copy of every query.

It takes what ``SqliteSaver`` takes: a path, ``":memory:"``, a ``file:`` URI
or a ``sqlite3.Connection`` opened with ``check_same_thread=False``.
LangGraph's ``AsyncSqliteSaver(conn)`` takes an ``aiosqlite`` connection;
this one refuses it with a :class:`~cairngraph.errors.StorageError` that
says what to pass instead, because it needs no second thread of its own.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from cairngraph.checkpoint._blobs import BLOB_THRESHOLD
from cairngraph.checkpoint.blobs import BlobStore
from cairngraph.checkpoint.serde.base import SerializerProtocol
from cairngraph.checkpoint.sqlite import SqliteSaver, Synchronous

__all__ = ["AsyncSqliteSaver"]


class AsyncSqliteSaver(SqliteSaver):
    """Example::

    async with AsyncSqliteSaver.from_conn_string("checkpoints.db") as saver:
        app = graph.compile(checkpointer=saver)
        await app.ainvoke({"topic": "cats"}, config)
    """

    @classmethod
    @asynccontextmanager
    async def from_conn_string(  # type: ignore[override]
        cls,
        conn_string: str | os.PathLike[str],
        *,
        serde: SerializerProtocol | None = None,
        synchronous: Synchronous = "NORMAL",
        read_only: bool = False,
        blobs: BlobStore | None = None,
        blob_threshold: int = BLOB_THRESHOLD,
    ) -> AsyncIterator[AsyncSqliteSaver]:
        """Open ``conn_string`` (a path, ``":memory:"`` or a ``file:`` URI) for the block.

        Example::

            async with AsyncSqliteSaver.from_conn_string(":memory:") as checkpointer:
                app = builder.compile(checkpointer=checkpointer)
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
