"""``PostgresSaver``: the shared store for many worker processes and machines.

Built on psycopg 3: give it a connection, a ``psycopg_pool.ConnectionPool``,
or use ``PostgresSaver.from_conn_string(uri)``. Call :meth:`setup` once (it
is idempotent and safe to call from many processes at once). Each operation
is one transaction; a step's writes and checkpoint commit together.
A run holds its thread with a session advisory lock, which the server
releases by itself when the holding process dies.
"""

from __future__ import annotations

import builtins
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
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

__all__ = ["PostgresSaver"]


class PostgresSaver(BaseCheckpointSaver):
    """Example::

    from cairngraph.checkpoint.postgres import PostgresSaver
    with PostgresSaver.from_conn_string("postgresql://postgres@localhost/app") as saver:
        saver.setup()
        workflow = graph.compile(checkpointer=saver)
    """

    def __init__(self, conn: Any, *, serde: SerializerProtocol | None = None) -> None:
        super().__init__(serde=serde)
        import psycopg_pool

        self.conn = conn
        self._is_pool = isinstance(conn, psycopg_pool.ConnectionPool)
        self._guard = threading.RLock()
        self._where = describe(conn)

    @classmethod
    @contextmanager
    def from_conn_string(
        cls, conn_string: str, *, serde: SerializerProtocol | None = None, max_size: int = 10
    ) -> Iterator[PostgresSaver]:
        """A saver over a small connection pool to ``conn_string``, closed afterwards."""
        from psycopg_pool import ConnectionPool

        pool = ConnectionPool(
            conn_string,
            min_size=1,
            max_size=max_size,
            kwargs={"autocommit": True},
            check=ConnectionPool.check_connection,
            open=False,
        )
        try:
            pool.open(wait=True, timeout=30)
        except Exception as error:  # psycopg_pool raises PoolTimeout and others
            pool.close()
            raise unavailable(describe(pool), error) from error
        try:
            yield cls(pool, serde=serde)
        finally:
            pool.close()

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        import psycopg

        held = _HELD.get()
        try:
            if held is not None and held[0] is self:
                # Inside a run that holds its thread: use the run's own connection,
                # so N concurrent runs need N connections, not 2N.
                with held[2]:
                    yield held[1]
            elif self._is_pool:
                with self.conn.connection() as conn:
                    yield conn
            else:
                with self._guard:
                    yield self.conn
        except psycopg.OperationalError as error:
            raise unavailable(self._where, error) from error

    def _run(self, operation: _ops.Op) -> Any:
        import psycopg

        with self._connection() as conn:
            try:
                return _drive(operation, conn)
            except psycopg.OperationalError as error:
                raise unavailable(self._where, error) from error

    def setup(self) -> None:
        """Create or upgrade cairngraph's tables (idempotent, safe from many processes)."""
        self._run(_ops.setup())

    # -- the contract ---------------------------------------------------------------

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return self._run(_ops.get_tuple(self.serde, config))  # type: ignore[no-any-return]

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: Mapping[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        yield from self._run(_ops.list_page(self.serde, config, filter, before, limit))

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
        operation = _ops.put_step(
            self.serde, config, task_writes, checkpoint, metadata, new_versions
        )
        return self._run(operation)  # type: ignore[no-any-return]

    def put_steps(self, steps: Sequence[StepSave]) -> builtins.list[RunnableConfig]:
        return self._run(_ops.put_steps(self.serde, steps))  # type: ignore[no-any-return]

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        if config_checkpoint_id(config) is None:
            raise InvalidConfigError("put_writes needs a config that names a checkpoint_id")
        self._run(_ops.put_writes(self.serde, config, writes, task_id, task_path))

    def delete_thread(self, thread_id: str) -> None:
        self._run(_ops.delete_thread(str(thread_id)))

    # -- locking ----------------------------------------------------------------------

    def thread_lock(self, thread_id: str, timeout: float) -> AbstractContextManager[None]:
        """Hold ``thread_id`` with a session advisory lock on a connection kept for the run."""
        return self._hold(thread_id, timeout)

    @contextmanager
    def _hold(self, thread_id: str, timeout: float) -> Iterator[None]:
        key = lock_key(thread_id)
        deadline = time.monotonic() + timeout
        with self._lock_connection() as conn:
            guard = self._guard if not self._is_pool else threading.RLock()
            while True:
                with guard:
                    if _scalar(conn, "SELECT pg_try_advisory_lock(%s)", key):
                        break
                if time.monotonic() >= deadline:
                    raise busy(thread_id, timeout)
                time.sleep(LOCK_POLL)
            token = _HELD.set((self, conn, guard))
            try:
                yield
            finally:
                _HELD.reset(token)
                with guard:
                    _scalar(conn, "SELECT pg_advisory_unlock(%s)", key)

    @contextmanager
    def _lock_connection(self) -> Iterator[Any]:
        import psycopg

        try:
            if self._is_pool:
                conn = self.conn.getconn()
                try:
                    yield conn
                finally:
                    self.conn.putconn(conn)
            else:
                yield self.conn
        except psycopg.OperationalError as error:
            raise unavailable(self._where, error) from error


_HELD: ContextVar[tuple[PostgresSaver, Any, Any] | None] = ContextVar(
    "cairngraph_postgres_run", default=None
)
"""The saver, connection and guard of the run this context belongs to."""


def _scalar(conn: Any, sql: str, *params: Any) -> Any:
    with conn.transaction(), conn.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        return None if row is None else row[0]


def _drive(operation: _ops.Op, conn: Any) -> Any:
    """Run ``operation``'s statements: in autocommit, each is its own transaction (most
    operations are one statement); an operation that starts with ``Atomic`` gets one
    transaction for all of them, as does any connection not in autocommit mode."""
    first = next(operation)
    if isinstance(first, _ops.Atomic) or not conn.autocommit:
        with conn.transaction():
            return _steps(operation, conn, None if isinstance(first, _ops.Atomic) else first)
    return _steps(operation, conn, first)


def _steps(operation: _ops.Op, conn: Any, step: Any) -> Any:
    reply: Any = None
    while True:
        if step is None:
            try:
                step = operation.send(reply)
            except StopIteration as stop:
                return stop.value
        if isinstance(step, _ops.Batch):
            conn.cursor().executemany(step.sql, step.rows)
            reply = None
        else:
            cursor = conn.execute(step.sql, step.params or None)
            if step.fetch == "one":
                reply = cursor.fetchone()
            elif step.fetch == "all":
                reply = cursor.fetchall()
            else:
                reply = None
        step = None
