"""``AsyncPostgresStore``: the PostgreSQL store for asyncio programs.

It runs the very statements and control flow of :class:`PostgresStore`
(``store/_sql.py``, ``checkpoint/postgres/_driver.py``) with psycopg's async
API. Its sync methods (``get``, ``put``... as a sync node calls them) work
from another thread while the store's event loop runs, as the async saver's
do (``checkpoint/postgres/_home.py``).

Batches of puts alone made at the same time (coroutines on its loop, and
sync callers from other threads) share one statement and one commit
(``store/_group.py``); each caller returns once its own rows are committed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from cairngraph.checkpoint.postgres import _driver
from cairngraph.checkpoint.postgres._common import describe, unavailable
from cairngraph.checkpoint.postgres._home import HomeLoop
from cairngraph.checkpoint.postgres._statements import Call, Op, Stepper
from cairngraph.checkpoint.serde.base import SerializerProtocol
from cairngraph.store._group import AsyncGroupCommit
from cairngraph.store._ttl import AsyncSweeper
from cairngraph.store._write import Row
from cairngraph.store.base import IndexConfig, TTLConfig
from cairngraph.store.postgres import _PostgresBase, _schema, alone, numbered, pool_options

__all__ = ["AsyncPostgresStore"]


class AsyncPostgresStore(AsyncSweeper, _PostgresBase):
    """Example::

    async with AsyncPostgresStore.from_conn_string(uri) as store:
        await store.setup()
        await store.aput(("users", "ann"), "prefs", {"theme": "dark"})
        graph = builder.compile(store=store)
    """

    def __init__(
        self,
        conn: Any,
        *,
        serde: SerializerProtocol | None = None,
        index: IndexConfig | None = None,
        ttl: TTLConfig | None = None,
    ) -> None:
        import psycopg_pool

        _PostgresBase.__init__(
            self,
            conn,
            serde=serde,
            index=index,
            ttl=ttl,
            is_pool=isinstance(conn, psycopg_pool.AsyncConnectionPool),
            guard=asyncio.Lock(),
            new_guard=asyncio.Lock,
        )
        AsyncSweeper.__init__(self)
        self._home = HomeLoop()
        self._group = AsyncGroupCommit(self._awrite_now, alone)

    @classmethod
    @asynccontextmanager
    async def from_conn_string(
        cls,
        conn_string: str,
        *,
        pipeline: bool = False,
        pool_config: Mapping[str, Any] | None = None,
        serde: SerializerProtocol | None = None,
        index: IndexConfig | None = None,
        ttl: TTLConfig | None = None,
    ) -> AsyncIterator[AsyncPostgresStore]:
        """A store over a small async pool to ``conn_string``, closed afterwards."""
        from psycopg_pool import AsyncConnectionPool

        del pipeline  # accepted for LangGraph programs; see PostgresStore.from_conn_string
        options = pool_options(pool_config)
        pool = AsyncConnectionPool(conn_string, open=False, **options)
        try:
            await pool.open(wait=True, timeout=options["timeout"])
        except Exception as error:  # PoolTimeout, or a bad connection string
            await pool.close()
            raise unavailable(describe(pool), error) from error
        try:
            store = cls(pool, serde=serde, index=index, ttl=ttl)
            try:
                yield store
            finally:
                await store.stop_ttl_sweeper(timeout=5)
        finally:
            await pool.close()

    async def setup(self) -> None:
        """Create or upgrade the store's tables (idempotent, safe from many processes)."""
        with self._refusals([]):
            await self._arun(_schema.setup)
        self._ready = True

    async def sweep_ttl(self) -> int:
        """Delete every expired item now; return how many."""
        return await self._sweep_once()

    async def _sweep_once(self) -> int:
        return await self._arun(self._sweep())  # type: ignore[no-any-return]

    def _prepare(self) -> None:
        self._home.block_on(self.setup())

    async def _aprepare(self) -> None:
        await self.setup()

    def _write(self, rows: list[Row]) -> None:
        self._home.block_on(self._group.put(rows))

    async def _awrite(self, rows: list[Row]) -> None:
        await self._home.run(self._group.put(rows))

    def _run(self, make: Callable[[], Op]) -> Any:
        return self._home.block_on(self._arun(make))

    async def _arun(self, make: Callable[[], Op]) -> Any:
        flow = self._control.run(make, None, None)
        return await self._home.run(_driver.adrive(flow, self._do))

    async def _do(self, command: _driver.Command) -> Any:
        if isinstance(command, _driver.Drive):
            return await execute(command.operation, command.conn)
        if isinstance(command, _driver.Enter):
            return await command.guard.acquire()
        if isinstance(command, _driver.Leave):
            return command.guard.release()
        if isinstance(command, _driver.GetConn):
            return await self.conn.getconn()
        if isinstance(command, _driver.PutConn):
            return await self.conn.putconn(command.conn)
        if isinstance(command, _driver.Sleep):
            return await asyncio.sleep(command.seconds)
        if isinstance(command, _driver.CheckPool):
            return await self.conn.check()
        raise TypeError(f"a store operation does not use {command!r}")


async def execute(operation: Op, conn: Any) -> Any:
    """The async twin of ``postgres.execute`` (same transaction rules)."""
    stepper = Stepper(operation)
    if not (stepper.atomic or not conn.autocommit):
        return await _steps(stepper, conn)
    async with conn.transaction():
        return await _steps(stepper, conn)


async def _steps(stepper: Stepper, conn: Any) -> Any:
    from psycopg import AsyncRawCursor
    from psycopg.rows import tuple_row

    while (statement := stepper.statement) is not None:
        if isinstance(statement, Call):
            stepper.reply(await asyncio.to_thread(statement.function))
            continue
        # Rows as tuples whatever the connection's row factory; bytea in binary.
        cursor = AsyncRawCursor(conn, row_factory=tuple_row)
        await cursor.execute(
            numbered(statement.sql), statement.params or None, binary=statement.fetch != "none"
        )
        if statement.fetch == "one":
            stepper.reply(await cursor.fetchone())
        else:
            stepper.reply(await cursor.fetchall() if statement.fetch == "all" else None)
    return stepper.result
