"""``AsyncSqliteSaver``: the SQLite saver for ``ainvoke``/``astream``.

It is :class:`~cairngraph.checkpoint.sqlite.SqliteSaver` with an async
``from_conn_string``: SQLite calls are short and release the GIL, so the
async methods run the one sync implementation in a worker thread (the base
class's default) instead of keeping a second copy of every query.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from cairngraph.checkpoint.serde.base import SerializerProtocol
from cairngraph.checkpoint.sqlite import SqliteSaver

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
        cls, conn_string: str, *, serde: SerializerProtocol | None = None
    ) -> AsyncIterator[AsyncSqliteSaver]:
        saver = cls(conn_string, serde=serde)
        try:
            yield saver
        finally:
            saver.close()
