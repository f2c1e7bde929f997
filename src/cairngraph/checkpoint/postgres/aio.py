"""``AsyncPostgresSaver``: the PostgreSQL saver on psycopg's async connections.

It runs the very same operations as :class:`PostgresSaver` (``_ops.py``, ``_save.py``)
through an async driver, with the same locking and error rules.

Invariants:

- The saver's connection or pool belongs to one event loop, its *home*: the
  loop it was created on, else the first loop that uses it. Every statement
  runs there. Awaited from another loop (``asyncio.run`` in a thread, a
  second loop in a test), an operation is handed to the home loop and
  awaited from afar; the run's context (which thread it holds) goes with it.
- Sync methods work from threads other than the home loop's (they hand the
  work to it); called on the home loop itself they raise, since blocking
  there would stall every other run it serves.
"""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import (
    AbstractAsyncContextManager,
    AbstractContextManager,
    asynccontextmanager,
    contextmanager,
    nullcontext,
)
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

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
from cairngraph.checkpoint.postgres import _ops, _save, _schema
from cairngraph.checkpoint.postgres._common import (
    LocalClaims,
    LockRequest,
    describe,
    missing_tables,
    pauses,
    pipelines,
    unavailable,
)
from cairngraph.checkpoint.postgres._home import HomeLoop
from cairngraph.checkpoint.postgres._statements import Op, Stepper
from cairngraph.checkpoint.serde.base import SerializerProtocol
from cairngraph.errors import InvalidConfigError, StorageUnavailableError

__all__ = ["AsyncPostgresSaver"]

T = TypeVar("T")


class AsyncPostgresSaver(BaseCheckpointSaver):
    """A checkpointer on PostgreSQL for asyncio programs, shared by many processes.

    Example::

        async with AsyncPostgresSaver.from_conn_string(uri) as saver:
            await saver.setup()
            app = graph.compile(checkpointer=saver)
            await app.ainvoke(inputs, {"configurable": {"thread_id": "1"}})
    """

    def __init__(self, conn: Any, *, serde: SerializerProtocol | None = None) -> None:
        super().__init__(serde=serde)
        import psycopg_pool

        self.conn = conn
        self._is_pool = isinstance(conn, psycopg_pool.AsyncConnectionPool)
        self._guard = asyncio.Lock()  # one statement at a time on a plain connection
        self._where = describe(conn)
        self._claims = LocalClaims()
        self._bases = _save.KnownBases()
        self._home = HomeLoop()

    @classmethod
    @asynccontextmanager
    async def from_conn_string(
        cls,
        conn_string: str,
        *,
        serde: SerializerProtocol | None = None,
        max_size: int = 10,
        timeout: float = 30.0,
    ) -> AsyncIterator[AsyncPostgresSaver]:
        """A saver over a small async pool to ``conn_string``, closed afterwards.

        ``max_size`` and ``timeout`` as in :meth:`PostgresSaver.from_conn_string`.
        """
        from psycopg_pool import AsyncConnectionPool

        pool = AsyncConnectionPool(
            conn_string,
            min_size=1,
            max_size=max_size,
            kwargs={"autocommit": True},
            timeout=timeout,
            open=False,
        )
        try:
            await pool.open(wait=True, timeout=timeout)
        except Exception as error:  # PoolTimeout, or a bad connection string
            await pool.close()
            raise unavailable(describe(pool), error) from error
        try:
            yield cls(pool, serde=serde)
        finally:
            await pool.close()

    async def setup(self) -> None:
        """Create or upgrade cairngraph's tables (idempotent, safe from many processes)."""
        await self._run(_schema.setup)

    # -- the async contract -------------------------------------------------------------

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return await self._run(lambda: _ops.get_tuple(self.serde, config))  # type: ignore[no-any-return]

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: Mapping[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        for item in await self._run(self._lister(config, filter, before, limit)):
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
        step = StepSave.of(config, task_writes, checkpoint, metadata, new_versions)
        learned: _save.Learned = {}
        return await self._run(self._stepper(step, learned), learned)  # type: ignore[no-any-return]

    async def aput_steps(self, steps: Sequence[StepSave]) -> builtins.list[RunnableConfig]:
        learned: _save.Learned = {}
        return await self._run(  # type: ignore[no-any-return]
            lambda: _save.put_steps(self.serde, steps, self._bases, learned), learned
        )

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        await self._run(self._writer(config, writes, task_id, task_path))

    async def adelete_thread(self, thread_id: str) -> None:
        await self._run(lambda: _ops.delete_thread(str(thread_id)))
        self._bases.forget(str(thread_id))

    def athread_lock(self, thread_id: str, timeout: float) -> AbstractAsyncContextManager[None]:
        """Hold ``thread_id`` for a run, across processes (as ``PostgresSaver.thread_lock``)."""
        return self._ahold(str(thread_id), timeout)

    # -- the sync contract, from threads other than the home loop's -----------------------

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return self._sync(lambda: _ops.get_tuple(self.serde, config))  # type: ignore[no-any-return]

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: Mapping[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        yield from self._sync(self._lister(config, filter, before, limit))

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return self.put_step(config, (), checkpoint, metadata, new_versions)

    def put_step(
        self,
        config: RunnableConfig,
        task_writes: Sequence[TaskWrites],
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        step = StepSave.of(config, task_writes, checkpoint, metadata, new_versions)
        learned: _save.Learned = {}
        return self._sync(self._stepper(step, learned), learned)  # type: ignore[no-any-return]

    def put_steps(self, steps: Sequence[StepSave]) -> builtins.list[RunnableConfig]:
        learned: _save.Learned = {}
        return self._sync(  # type: ignore[no-any-return]
            lambda: _save.put_steps(self.serde, steps, self._bases, learned), learned
        )

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        self._sync(self._writer(config, writes, task_id, task_path))

    def delete_thread(self, thread_id: str) -> None:
        self._sync(lambda: _ops.delete_thread(str(thread_id)))
        self._bases.forget(str(thread_id))

    def thread_lock(self, thread_id: str, timeout: float) -> AbstractContextManager[None]:
        """Sync twin of :meth:`athread_lock`, from threads other than the home loop's."""
        return self._hold(str(thread_id), timeout)

    # -- operations, built once for both contracts -------------------------------------

    def _lister(
        self,
        config: RunnableConfig | None,
        filter: Mapping[str, Any] | None,
        before: RunnableConfig | None,
        limit: int | None,
    ) -> Callable[[], Op]:
        return lambda: _ops.list_page(self.serde, config, filter, before, limit)

    def _stepper(self, step: StepSave, learned: _save.Learned) -> Callable[[], Op]:
        return lambda: _save.put_step(self.serde, step, self._bases, learned)

    def _writer(
        self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str, path: str
    ) -> Callable[[], Op]:
        if config_checkpoint_id(config) is None:
            raise InvalidConfigError("put_writes needs a config that names a checkpoint_id")
        return lambda: _save.put_writes(self.serde, config, writes, task_id, path)

    # -- the home loop ---------------------------------------------------------------

    async def _run(self, make: Callable[[], Op], learned: _save.Learned | None = None) -> Any:
        # The run this task belongs to is read here, in the caller's context.
        return await self._home.run(self._execute(make, _HELD.get(), learned))

    def _sync(self, make: Callable[[], Op], learned: _save.Learned | None = None) -> Any:
        return self._home.block_on(self._execute(make, _HELD.get(), learned))

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The event loop this saver's connections belong to (None until first used)."""
        return self._home.loop

    # -- driving operations, on the home loop ------------------------------------------

    async def _execute(
        self, make: Callable[[], Op], held: _Run | None, learned: _save.Learned | None
    ) -> Any:
        if held is not None and held.saver is self:
            # Inside a run: its own connection (N concurrent runs need N connections).
            async with held.guard:
                return await self._attempt(held.conn, make(), held.cursor, learned)
        if not self._is_pool:
            async with self._guard:
                return await self._attempt(self.conn, make(), None, learned)
        conn, result = await self._checkout(lambda conn: self._attempt(conn, make(), None, learned))
        await self.conn.putconn(conn)
        return result

    async def _attempt(
        self, conn: Any, operation: Op, cursor: Any = None, learned: _save.Learned | None = None
    ) -> Any:
        """Drive ``operation``; once it committed, remember the delta bases it ``learned``."""
        import psycopg

        try:
            result = await _drive(operation, conn, cursor)
            self._bases.learn_if_committed(conn, learned)
            return result
        except psycopg.OperationalError as error:
            raise unavailable(self._where, error) from error
        except psycopg.errors.UndefinedTable as error:
            raise missing_tables(self._where, error) from error

    async def _checkout(self, first_use: Callable[[Any], Awaitable[T]]) -> tuple[Any, T]:
        """A pooled connection on which ``first_use`` succeeded (see the sync twin)."""
        import psycopg

        for attempt in (1, 2):
            try:
                conn = await self.conn.getconn()
            except psycopg.OperationalError as error:  # PoolTimeout: no server
                raise unavailable(self._where, error) from error
            try:
                return conn, await first_use(conn)
            except StorageUnavailableError:
                await self.conn.putconn(conn)
                if attempt == 2 or not conn.broken:
                    raise
            except BaseException:
                await self.conn.putconn(conn)
                raise
            await self.conn.check()
        raise AssertionError("unreachable")

    # -- locking -----------------------------------------------------------------------

    @asynccontextmanager
    async def _ahold(self, thread_id: str, timeout: float) -> AsyncIterator[None]:
        request = LockRequest.make(thread_id, timeout)
        run = await self._home.run(self._acquire(request))
        token = _HELD.set(run)
        try:
            yield
        finally:
            _HELD.reset(token)
            await self._home.run(self._release(run, request.key))

    @contextmanager
    def _hold(self, thread_id: str, timeout: float) -> Iterator[None]:
        request = LockRequest.make(thread_id, timeout)
        run = self._home.block_on(self._acquire(request))
        token = _HELD.set(run)
        try:
            yield
        finally:
            _HELD.reset(token)
            self._home.block_on(self._release(run, request.key))

    async def _acquire(self, request: LockRequest) -> _Run:
        if not self._is_pool:
            await self._wait_for_lock(self.conn, self._guard, request)
            return _Run(self, self.conn, self._guard, self.conn.cursor())
        guard = asyncio.Lock()  # the run's parallel tasks share its connection
        conn, _ = await self._checkout(lambda conn: self._wait_for_lock(conn, guard, request))
        return _Run(self, conn, guard, conn.cursor())  # one cursor for the run's statements

    async def _wait_for_lock(self, conn: Any, guard: asyncio.Lock, request: LockRequest) -> None:
        waits = pauses(request)
        while not await self._try_lock(conn, guard, request.key):
            await asyncio.sleep(next(waits))

    async def _try_lock(self, conn: Any, guard: asyncio.Lock, key: int) -> bool:
        if not self._claims.claim(key):
            return False
        try:
            async with guard:
                held = bool(await self._attempt(conn, _ops.advisory("lock", key)))
        except BaseException:
            self._claims.release(key)
            raise
        if not held:
            self._claims.release(key)
        return held

    async def _release(self, run: _Run, key: int) -> None:
        try:
            if not run.conn.closed:
                async with run.guard:
                    await self._attempt(run.conn, _ops.advisory("unlock", key))
        except StorageUnavailableError:
            if not run.conn.closed:
                raise
            # The session died, and the server released its locks with it.
        finally:
            await run.cursor.close()
            self._claims.release(key)
            if self._is_pool:
                await self.conn.putconn(run.conn)


@dataclass(frozen=True, slots=True)
class _Run:
    """The saver, connection, guard and cursor of the run a task belongs to."""

    saver: AsyncPostgresSaver
    conn: Any
    guard: asyncio.Lock
    cursor: Any


_HELD: ContextVar[_Run | None] = ContextVar("cairngraph_async_postgres_run", default=None)


async def _drive(operation: Op, conn: Any, cursor: Any = None) -> Any:
    """The async twin of the sync saver's ``_drive`` (same transaction rules)."""
    stepper = Stepper(operation)
    on = conn if cursor is None else cursor
    if stepper.atomic:
        async with conn.transaction(), conn.pipeline() if pipelines() else nullcontext():
            return await _steps(stepper, on)
    if not conn.autocommit:
        async with conn.transaction():
            return await _steps(stepper, on)
    return await _steps(stepper, on)


async def _steps(stepper: Stepper, on: Any) -> Any:
    while (statement := stepper.statement) is not None:
        # Rows come back in binary: bytea travels as is, not as hex text twice its size.
        binary = statement.fetch != "none"
        cursor = await on.execute(statement.sql, statement.params or None, binary=binary)
        if statement.fetch == "one":
            stepper.reply(await cursor.fetchone())
        else:
            stepper.reply(await cursor.fetchall() if statement.fetch == "all" else None)
    return stepper.result
