"""``AsyncPostgresSaver``: the PostgreSQL saver on psycopg's async connections.

It runs the very same operations as :class:`PostgresSaver` (``_ops.py``)
through an async driver. Its sync methods work from threads other than the
event loop's (they hand the work to the loop); called on the loop itself they
raise, since blocking there would stall every other run.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
from typing import Any

from cairngraph.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    RunnableConfig,
    StepSave,
    TaskWrites,
    config_checkpoint_id,
)
from cairngraph.checkpoint.postgres import _ops
from cairngraph.checkpoint.postgres._common import LOCK_POLL, busy, describe, lock_key, unavailable
from cairngraph.checkpoint.serde.base import SerializerProtocol
from cairngraph.errors import InvalidConfigError

__all__ = ["AsyncPostgresSaver"]


class AsyncPostgresSaver(BaseCheckpointSaver):
    """Example::

    async with AsyncPostgresSaver.from_conn_string(uri) as saver:
        await saver.setup()
        app = graph.compile(checkpointer=saver)
        await app.ainvoke(inputs, config)
    """

    def __init__(self, conn: Any, *, serde: SerializerProtocol | None = None) -> None:
        super().__init__(serde=serde)
        import psycopg_pool

        self.conn = conn
        self._is_pool = isinstance(conn, psycopg_pool.AsyncConnectionPool)
        self._guard = asyncio.Lock()
        self._where = describe(conn)
        try:
            self.loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            self.loop = None

    @classmethod
    @asynccontextmanager
    async def from_conn_string(
        cls, conn_string: str, *, serde: SerializerProtocol | None = None, max_size: int = 10
    ) -> AsyncIterator[AsyncPostgresSaver]:
        from psycopg_pool import AsyncConnectionPool

        pool = AsyncConnectionPool(
            conn_string,
            min_size=1,
            max_size=max_size,
            kwargs={"autocommit": True},
            check=AsyncConnectionPool.check_connection,
            open=False,
        )
        try:
            await pool.open(wait=True, timeout=30)
        except Exception as error:  # psycopg_pool raises PoolTimeout and others
            await pool.close()
            raise unavailable(describe(pool), error) from error
        try:
            yield cls(pool, serde=serde)
        finally:
            await pool.close()

    async def _run(self, operation: _ops.Op) -> Any:
        import psycopg

        held = _HELD.get()
        try:
            if held is not None and held[0] is self:
                # Inside a run that holds its thread: use the run's own connection.
                async with held[2]:
                    return await _drive(held[1], operation)
            if self._is_pool:
                async with self.conn.connection() as conn:
                    return await _drive(conn, operation)
            async with self._guard:
                return await _drive(self.conn, operation)
        except psycopg.OperationalError as error:
            raise unavailable(self._where, error) from error

    async def setup(self) -> None:
        """Create or upgrade cairngraph's tables (idempotent, safe from many processes)."""
        await self._run(_ops.setup())

    # -- async contract --------------------------------------------------------------

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return await self._run(_ops.get_tuple(self.serde, config))  # type: ignore[no-any-return]

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: Mapping[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        for item in await self._run(_ops.list_page(self.serde, config, filter, before, limit)):
            yield item

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return await self.aput_step(config, (), checkpoint, metadata, new_versions)

    async def aput_step(
        self,
        config: RunnableConfig,
        task_writes: Sequence[TaskWrites],
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        operation = _ops.put_step(
            self.serde, config, task_writes, checkpoint, metadata, new_versions
        )
        return await self._run(operation)  # type: ignore[no-any-return]

    async def aput_steps(self, steps: Sequence[StepSave]) -> list[RunnableConfig]:
        return await self._run(_ops.put_steps(self.serde, steps))  # type: ignore[no-any-return]

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        if config_checkpoint_id(config) is None:
            raise InvalidConfigError("put_writes needs a config that names a checkpoint_id")
        await self._run(_ops.put_writes(self.serde, config, writes, task_id, task_path))

    async def adelete_thread(self, thread_id: str) -> None:
        await self._run(_ops.delete_thread(str(thread_id)))

    def athread_lock(self, thread_id: str, timeout: float) -> AbstractAsyncContextManager[None]:
        return self._ahold(thread_id, timeout)

    @asynccontextmanager
    async def _ahold(self, thread_id: str, timeout: float) -> AsyncIterator[None]:
        key = lock_key(thread_id)
        deadline = time.monotonic() + timeout
        if not self._is_pool:
            raise InvalidConfigError(
                "AsyncPostgresSaver needs a connection pool to lock threads; use "
                "AsyncPostgresSaver.from_conn_string(uri) or pass an AsyncConnectionPool"
            )
        conn = await self.conn.getconn()
        try:
            while not await _scalar(conn, "SELECT pg_try_advisory_lock(%s)", key):
                if time.monotonic() >= deadline:
                    raise busy(thread_id, timeout)
                await asyncio.sleep(LOCK_POLL)
            token = _HELD.set((self, conn, asyncio.Lock()))
            try:
                yield
            finally:
                _HELD.reset(token)
                await _scalar(conn, "SELECT pg_advisory_unlock(%s)", key)
        finally:
            await self.conn.putconn(conn)

    # -- sync methods, from other threads only ----------------------------------------

    def _sync(self, coroutine: Any) -> Any:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if self.loop is None or running is self.loop:
            coroutine.close()
            raise InvalidConfigError(
                "AsyncPostgresSaver's sync methods cannot run on its event loop; use the async "
                "API (ainvoke, aget_state, ...) or PostgresSaver"
            )
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return self._sync(self.aget_tuple(config))  # type: ignore[no-any-return]

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: Mapping[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        operation = _ops.list_page(self.serde, config, filter, before, limit)
        yield from self._sync(self._run(operation))

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return self._sync(self.aput(config, checkpoint, metadata, new_versions))  # type: ignore[no-any-return]

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        self._sync(self.aput_writes(config, writes, task_id, task_path))

    def delete_thread(self, thread_id: str) -> None:
        self._sync(self.adelete_thread(thread_id))


_HELD: ContextVar[tuple[AsyncPostgresSaver, Any, asyncio.Lock] | None] = ContextVar(
    "cairngraph_async_postgres_run", default=None
)
"""The saver, connection and lock of the run this task belongs to."""


async def _scalar(conn: Any, sql: str, *params: Any) -> Any:
    async with conn.transaction(), conn.cursor() as cursor:
        await cursor.execute(sql, params)
        row = await cursor.fetchone()
        return None if row is None else row[0]


async def _drive(conn: Any, operation: _ops.Op) -> Any:
    """The async twin of the sync saver's ``_drive`` (same transaction rules)."""
    first = next(operation)
    if isinstance(first, _ops.Atomic) or not conn.autocommit:
        async with conn.transaction():
            return await _steps(conn, operation, None if isinstance(first, _ops.Atomic) else first)
    return await _steps(conn, operation, first)


async def _steps(conn: Any, operation: _ops.Op, step: Any) -> Any:
    reply: Any = None
    while True:
        if step is None:
            try:
                step = operation.send(reply)
            except StopIteration as stop:
                return stop.value
        if isinstance(step, _ops.Batch):
            await conn.cursor().executemany(step.sql, step.rows)
            reply = None
        else:
            cursor = await conn.execute(step.sql, step.params or None)
            if step.fetch == "one":
                reply = await cursor.fetchone()
            elif step.fetch == "all":
                reply = await cursor.fetchall()
            else:
                reply = None
        step = None
