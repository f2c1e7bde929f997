"""``AsyncPostgresSaver``: the PostgreSQL saver on psycopg's async connections.

It runs the very same operations as :class:`PostgresSaver` (``_ops.py``, ``_save.py``,
``_load.py``) and the very same control flow around them (``_driver.py``: connections,
retries, the thread lock, the error rules); only carrying out their commands differs
(psycopg's async API here).

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
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import (
    AbstractAsyncContextManager,
    AbstractContextManager,
    asynccontextmanager,
    contextmanager,
    nullcontext,
)
from datetime import datetime
from typing import Any

from cairngraph.checkpoint._blobs import BLOB_THRESHOLD, Blobs, collect
from cairngraph.checkpoint._config import ListQuery, page_limit
from cairngraph.checkpoint._format import Format
from cairngraph.checkpoint._lifecycle import Chooser, Retained
from cairngraph.checkpoint._retention import Entry
from cairngraph.checkpoint._threads import opener, walk
from cairngraph.checkpoint.base import (
    BaseCheckpointSaver,
    CheckpointTuple,
    RunnableConfig,
    StepSave,
    ThreadInfo,
    VerifyReport,
    config_checkpoint_id,
)
from cairngraph.checkpoint.blobs import BlobStore
from cairngraph.checkpoint.postgres import _driver, _load, _ops, _retention, _save, _schema
from cairngraph.checkpoint.postgres._common import LockRequest, describe, pipelines, unavailable
from cairngraph.checkpoint.postgres._home import HomeLoop
from cairngraph.checkpoint.postgres._statements import Call, Learned, Op, Stepper
from cairngraph.checkpoint.serde.base import SerializerProtocol
from cairngraph.errors import InvalidConfigError

__all__ = ["AsyncPostgresSaver"]

Make = Callable[[], Op]


class AsyncPostgresSaver(BaseCheckpointSaver):
    """A checkpointer on PostgreSQL for asyncio programs, shared by many processes.

    Example::

        async with AsyncPostgresSaver.from_conn_string(uri) as saver:
            await saver.setup()
            app = graph.compile(checkpointer=saver)
            await app.ainvoke(inputs, {"configurable": {"thread_id": "1"}})
    """

    def __init__(
        self,
        conn: Any,
        *,
        serde: SerializerProtocol | None = None,
        blobs: BlobStore | None = None,
        blob_threshold: int = BLOB_THRESHOLD,
    ) -> None:
        super().__init__(serde=serde)
        import psycopg_pool

        self.conn = conn
        self._fmt = Format(self.serde, Blobs.of(blobs, blob_threshold))
        self._control = _driver.Control(
            conn,
            isinstance(conn, psycopg_pool.AsyncConnectionPool),
            describe(conn),
            asyncio.Lock(),  # one statement at a time on a plain connection
            asyncio.Lock,  # a run's parallel tasks share its connection
        )
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
        blobs: BlobStore | None = None,
        blob_threshold: int = BLOB_THRESHOLD,
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
            yield cls(pool, serde=serde, blobs=blobs, blob_threshold=blob_threshold)
        finally:
            await pool.close()

    async def setup(self) -> None:
        """Create or upgrade cairngraph's tables (idempotent, safe from many processes)."""
        await self._run(_schema.setup)

    # -- operations, built once for both contracts -------------------------------------

    def _getter(self, config: RunnableConfig) -> tuple[Make, Learned]:
        learned: Learned = {}
        return lambda: _retention.unraced(
            lambda: _load.get_tuple(self._fmt, config, learned)
        ), learned

    def _lister(
        self,
        config: RunnableConfig | None,
        filter: Mapping[str, Any] | None,
        before: RunnableConfig | None,
        limit: int | None,
    ) -> tuple[Make, Learned]:
        query = ListQuery.of(config, filter=filter, before=before, limit=limit)
        learned: Learned = {}
        return lambda: _retention.unraced(
            lambda: _load.list_checkpoints(self._fmt, query, learned)
        ), learned

    def _threads_lister(
        self,
        search: str | None,
        filter: Mapping[str, Any] | None,
        before: str | None,
        limit: int | None,
    ) -> tuple[Make, None]:
        limit = page_limit("threads", limit)
        opened = opener(self._fmt)
        return lambda: _load.threads(
            walk(opened, search=search, filter=filter, before=before, limit=limit)
        ), None

    def _saver(self, steps: Sequence[StepSave]) -> tuple[Make, Learned]:
        learned: Learned = {}
        refs = self._control.refs
        return lambda: _retention.saving(
            steps, _save.put_steps(self._fmt, steps, refs, learned)
        ), learned

    def _writer(
        self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str, path: str
    ) -> tuple[Make, None]:
        if config_checkpoint_id(config) is None:
            raise InvalidConfigError("put_writes needs a config that names a checkpoint_id")
        # The tombstone trigger checks the insert (under refusals).
        return lambda: _save.put_writes(self._fmt, config, writes, task_id, path), None

    def _deleter(
        self, thread_id: str, doomed: builtins.list[str]
    ) -> tuple[Make, None, builtins.list[str]]:
        def make() -> Op:
            return _retention.tombstone(thread_id, _ops.delete_thread(thread_id, doomed))

        return make, None, doomed

    # -- the async contract -------------------------------------------------------------

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return await self._run(*self._getter(config))  # type: ignore[no-any-return]

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: Mapping[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        for item in await self._run(*self._lister(config, filter, before, limit)):
            yield item

    async def athreads(
        self,
        *,
        search: str | None = None,
        filter: Mapping[str, Any] | None = None,
        before: str | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[ThreadInfo]:
        """Threads, the most recently saved first (see the base class), from ``cairn_threads``."""
        for info in await self._run(*self._threads_lister(search, filter, before, limit)):
            yield info

    async def aput_steps(self, steps: Sequence[StepSave]) -> builtins.list[RunnableConfig]:
        with _retention.refusals("save a step"):
            return await self._run(*self._saver(steps))  # type: ignore[no-any-return]

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        with _retention.refusals("save a task's writes"):
            await self._run(*self._writer(config, writes, task_id, task_path))

    async def adelete_thread(self, thread_id: str) -> None:
        """Delete the thread's checkpoints and writes, and every value no other thread uses."""
        doomed: builtins.list[str] = []
        await self._run(*self._deleter(str(thread_id), doomed))
        self._control.refs.forget(str(thread_id))
        await asyncio.to_thread(self._fmt.blobs.delete, doomed)

    async def averify(self) -> VerifyReport:
        """Async twin of :meth:`PostgresSaver.verify`."""
        return await self._run(lambda: _ops.verify(self._fmt))  # type: ignore[no-any-return]

    async def areseal(self) -> int:
        """Async twin of :meth:`PostgresSaver.reseal`."""
        doomed: builtins.list[str] = []
        try:
            count: int = await self._run(lambda: _ops.reseal(self._fmt, doomed), None, doomed)
        finally:
            self._control.refs.forget()
        await asyncio.to_thread(self._fmt.blobs.delete, doomed)
        return count

    def athread_lock(self, thread_id: str, timeout: float) -> AbstractAsyncContextManager[None]:
        """Hold ``thread_id`` for a run, across processes (as ``PostgresSaver.thread_lock``)."""
        return self._ahold(str(thread_id), timeout)

    # -- the sync contract, from threads other than the home loop's -----------------------

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return self._sync(*self._getter(config))  # type: ignore[no-any-return]

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: Mapping[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        yield from self._sync(*self._lister(config, filter, before, limit))

    def threads(
        self,
        *,
        search: str | None = None,
        filter: Mapping[str, Any] | None = None,
        before: str | None = None,
        limit: int | None = None,
    ) -> Iterator[ThreadInfo]:
        """Sync twin of :meth:`athreads`, from threads other than the home loop's."""
        yield from self._sync(*self._threads_lister(search, filter, before, limit))

    def put_steps(self, steps: Sequence[StepSave]) -> builtins.list[RunnableConfig]:
        with _retention.refusals("save a step"):
            return self._sync(*self._saver(steps))  # type: ignore[no-any-return]

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        with _retention.refusals("save a task's writes"):
            self._sync(*self._writer(config, writes, task_id, task_path))

    def delete_thread(self, thread_id: str) -> None:
        doomed: builtins.list[str] = []
        self._sync(*self._deleter(str(thread_id), doomed))
        self._control.refs.forget(str(thread_id))
        self._fmt.blobs.delete(doomed)

    # -- lifecycle primitives (``checkpoint/_lifecycle.py``), from other threads ----

    def _index(self, thread_ids: Sequence[str] | None) -> builtins.list[Entry]:
        return self._sync(lambda: _retention.index(self._fmt, thread_ids))  # type: ignore[no-any-return]

    def _retain(self, thread_id: str, choose: Chooser) -> int:
        return _retention.retain_forgetting(
            self._sync, self._fmt, self._control, [thread_id], choose, tried=False
        ).removed

    def _retain_many(self, thread_ids: Sequence[str], choose: Chooser) -> Retained:
        return _retention.retain_forgetting(
            self._sync, self._fmt, self._control, thread_ids, choose, tried=True
        )

    def _copy(self, source_thread_id: str, target_thread_id: str) -> None:
        self._sync(lambda: _retention.copy(self._fmt, source_thread_id, target_thread_id))

    def _collect(self, cutoff: datetime) -> int:
        return collect(
            self._fmt.blobs, lambda found: self._sync(lambda: _ops.bodies(found)), cutoff
        )

    def verify(self) -> VerifyReport:
        """Sync twin of :meth:`averify`, from threads other than the home loop's."""
        return self._sync(lambda: _ops.verify(self._fmt))  # type: ignore[no-any-return]

    def reseal(self) -> int:
        """Sync twin of :meth:`areseal`, from threads other than the home loop's."""
        doomed: builtins.list[str] = []
        try:
            count: int = self._sync(lambda: _ops.reseal(self._fmt, doomed), None, doomed)
        finally:
            self._control.refs.forget()
        self._fmt.blobs.delete(doomed)
        return count

    def thread_lock(self, thread_id: str, timeout: float) -> AbstractContextManager[None]:
        """Sync twin of :meth:`athread_lock`, from threads other than the home loop's."""
        return self._hold(str(thread_id), timeout)

    # -- the home loop ---------------------------------------------------------------

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The event loop this saver's connections belong to (None until first used)."""
        return self._home.loop

    async def _run(
        self, make: Make, learned: Learned | None = None, doomed: builtins.list[str] | None = None
    ) -> Any:
        # The run this task belongs to is read here, in the caller's context.
        flow = self._control.run(make, _driver.HELD.get(), learned, doomed)
        return await self._home.run(_driver.adrive(flow, self._do))

    def _sync(
        self, make: Make, learned: Learned | None = None, doomed: builtins.list[str] | None = None
    ) -> Any:
        flow = self._control.run(make, _driver.HELD.get(), learned, doomed)
        return self._home.block_on(_driver.adrive(flow, self._do))

    @asynccontextmanager
    async def _ahold(self, thread_id: str, timeout: float) -> AsyncIterator[None]:
        request = LockRequest.make(thread_id, timeout)
        run = await self._home.run(_driver.adrive(self._control.acquire(request), self._do))
        token = _driver.HELD.set(run)
        try:
            yield
        finally:
            _driver.HELD.reset(token)
            release = self._control.release(run, request.key)
            await self._home.run(_driver.adrive(release, self._do))

    @contextmanager
    def _hold(self, thread_id: str, timeout: float) -> Iterator[None]:
        request = LockRequest.make(thread_id, timeout)
        run = self._home.block_on(_driver.adrive(self._control.acquire(request), self._do))
        token = _driver.HELD.set(run)
        try:
            yield
        finally:
            _driver.HELD.reset(token)
            release = self._control.release(run, request.key)
            self._home.block_on(_driver.adrive(release, self._do))

    # -- the driver: carrying out _driver's commands with psycopg's async API -----------

    async def _do(self, command: _driver.Command) -> Any:
        if isinstance(command, _driver.Drive):
            return await _drive(command.operation, command.conn, command.cursor)
        if isinstance(command, _driver.Enter):
            return await command.guard.acquire()
        if isinstance(command, _driver.Leave):
            return command.guard.release()
        if isinstance(command, _driver.GetConn):
            return await self.conn.getconn()
        if isinstance(command, _driver.PutConn):
            return await self.conn.putconn(command.conn)
        if isinstance(command, _driver.OpenCursor):
            return command.conn.cursor()
        if isinstance(command, _driver.CloseCursor):
            return await command.cursor.close()
        if isinstance(command, _driver.Sleep):
            return await asyncio.sleep(command.seconds)
        return await self.conn.check()  # CheckPool


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
        if isinstance(statement, Call):  # a blob store's I/O: off the event loop
            stepper.reply(await asyncio.to_thread(statement.function))
            continue
        # Rows come back in binary: bytea travels as is, not as hex text twice its size.
        binary = statement.fetch != "none"
        cursor = await on.execute(statement.sql, statement.params or None, binary=binary)
        if statement.fetch == "one":
            stepper.reply(await cursor.fetchone())
        else:
            stepper.reply(await cursor.fetchall() if statement.fetch == "all" else None)
    return stepper.result
