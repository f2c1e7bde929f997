"""``PostgresSaver``: the shared store for many worker processes and machines.

Built on psycopg 3: give it a connection, a ``psycopg_pool.ConnectionPool``,
or use ``PostgresSaver.from_conn_string(uri)``. Call :meth:`setup` once (it
is idempotent and safe to call from many processes at once).

Invariants:

- Every operation is written once (``_ops.py``, ``_save.py``); this class only drives it
  on a connection (the async saver drives the same operations).
- A step's writes and checkpoint commit together, in one statement.
- A run holds its thread with a session advisory lock on a connection kept
  for the whole run, which also carries the run's statements; the server
  releases the lock by itself when the holding process dies.
- A broken connection surfaces as :class:`StorageUnavailableError`. Outside
  a run, an operation that met a dead pooled connection has the pool checked
  and is tried once more (operations are idempotent); inside a run it is not,
  since the thread's lock died with that connection.
"""

from __future__ import annotations

import builtins
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
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
from cairngraph.checkpoint.postgres._statements import Op, Stepper
from cairngraph.checkpoint.serde.base import SerializerProtocol
from cairngraph.errors import InvalidConfigError, StorageUnavailableError

__all__ = ["PostgresSaver"]

T = TypeVar("T")


class PostgresSaver(BaseCheckpointSaver):
    """A checkpointer on PostgreSQL, for many processes sharing threads.

    Example::

        from cairngraph.checkpoint.postgres import PostgresSaver

        with PostgresSaver.from_conn_string("postgresql://postgres@localhost/app") as saver:
            saver.setup()
            workflow = graph.compile(checkpointer=saver)
            workflow.invoke({"topic": "x"}, {"configurable": {"thread_id": "1"}})
    """

    def __init__(self, conn: Any, *, serde: SerializerProtocol | None = None) -> None:
        super().__init__(serde=serde)
        import psycopg_pool

        self.conn = conn
        self._is_pool = isinstance(conn, psycopg_pool.ConnectionPool)
        self._guard = threading.RLock()  # one statement at a time on a plain connection
        self._where = describe(conn)
        self._claims = LocalClaims()
        self._bases = _save.KnownBases()

    @classmethod
    @contextmanager
    def from_conn_string(
        cls,
        conn_string: str,
        *,
        serde: SerializerProtocol | None = None,
        max_size: int = 10,
        timeout: float = 30.0,
    ) -> Iterator[PostgresSaver]:
        """A saver over a small connection pool to ``conn_string``, closed afterwards.

        A run holds one pooled connection for its whole duration, so
        ``max_size`` bounds how many runs this saver serves at once; an
        operation waits up to ``timeout`` seconds for a connection (say, while
        the server restarts) before it raises :class:`StorageUnavailableError`.
        """
        from psycopg_pool import ConnectionPool

        pool = ConnectionPool(
            conn_string,
            min_size=1,
            max_size=max_size,
            kwargs={"autocommit": True},
            timeout=timeout,
            open=False,
        )
        try:
            pool.open(wait=True, timeout=timeout)
        except Exception as error:  # PoolTimeout, or a bad connection string
            pool.close()
            raise unavailable(describe(pool), error) from error
        try:
            yield cls(pool, serde=serde)
        finally:
            pool.close()

    def setup(self) -> None:
        """Create or upgrade cairngraph's tables (idempotent, safe from many processes).

        Raises :class:`SchemaVersionError` when a newer cairngraph set the database up.
        """
        self._run(_schema.setup)

    # -- the contract ---------------------------------------------------------------

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return self._run(lambda: _ops.get_tuple(self.serde, config))  # type: ignore[no-any-return]

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: Mapping[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        yield from self._run(lambda: _ops.list_page(self.serde, config, filter, before, limit))

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
        return self._run(  # type: ignore[no-any-return]
            lambda: _save.put_step(self.serde, step, self._bases, learned), learned
        )

    def put_steps(self, steps: Sequence[StepSave]) -> builtins.list[RunnableConfig]:
        learned: _save.Learned = {}
        return self._run(  # type: ignore[no-any-return]
            lambda: _save.put_steps(self.serde, steps, self._bases, learned), learned
        )

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        if config_checkpoint_id(config) is None:
            raise InvalidConfigError("put_writes needs a config that names a checkpoint_id")
        self._run(lambda: _save.put_writes(self.serde, config, writes, task_id, task_path))

    def delete_thread(self, thread_id: str) -> None:
        self._run(lambda: _ops.delete_thread(str(thread_id)))
        self._bases.forget(str(thread_id))

    def thread_lock(self, thread_id: str, timeout: float) -> AbstractContextManager[None]:
        """Hold ``thread_id`` for a run, across processes and machines.

        Raises :class:`ThreadBusyError` naming the thread when another run
        keeps it longer than ``timeout`` seconds.
        """
        return self._hold(str(thread_id), timeout)

    # -- driving operations ------------------------------------------------------------

    def _run(self, make: Callable[[], Op], learned: _save.Learned | None = None) -> Any:
        held = _HELD.get()
        if held is not None and held.saver is self:
            # Inside a run: its own connection (N concurrent runs need N connections).
            with held.guard:
                return self._attempt(held.conn, make(), held.cursor, learned)
        if not self._is_pool:
            with self._guard:
                return self._attempt(self.conn, make(), None, learned)
        conn, result = self._checkout(lambda conn: self._attempt(conn, make(), None, learned))
        self.conn.putconn(conn)
        return result

    def _attempt(
        self, conn: Any, operation: Op, cursor: Any = None, learned: _save.Learned | None = None
    ) -> Any:
        """Drive ``operation``; once it committed, remember the delta bases it ``learned``."""
        import psycopg

        try:
            result = _drive(operation, conn, cursor)
            self._bases.learn_if_committed(conn, learned)
            return result
        except psycopg.OperationalError as error:
            raise unavailable(self._where, error) from error
        except psycopg.errors.UndefinedTable as error:
            raise missing_tables(self._where, error) from error

    def _checkout(self, first_use: Callable[[Any], T]) -> tuple[Any, T]:
        """A pooled connection on which ``first_use`` succeeded, and its result.

        A connection found dead (the server restarted since it was opened) is
        dropped, the pool checked, and ``first_use`` tried once more.
        """
        import psycopg

        for attempt in (1, 2):
            try:
                conn = self.conn.getconn()
            except psycopg.OperationalError as error:  # PoolTimeout: no server
                raise unavailable(self._where, error) from error
            try:
                return conn, first_use(conn)
            except StorageUnavailableError:
                self.conn.putconn(conn)
                if attempt == 2 or not conn.broken:
                    raise
            except BaseException:
                self.conn.putconn(conn)
                raise
            self.conn.check()
        raise AssertionError("unreachable")

    # -- locking -----------------------------------------------------------------------

    @contextmanager
    def _hold(self, thread_id: str, timeout: float) -> Iterator[None]:
        request = LockRequest.make(thread_id, timeout)
        if self._is_pool:
            guard: Any = threading.RLock()  # the run's parallel tasks share its connection
            conn, _ = self._checkout(lambda conn: self._acquire(conn, guard, request))
        else:
            guard, conn = self._guard, self.conn
            self._acquire(conn, guard, request)
        # One cursor for all the run's statements: making one per statement costs more
        # than the rest of the client's work on a step.
        run = _Run(self, conn, guard, conn.cursor())
        token = _HELD.set(run)
        try:
            yield
        finally:
            _HELD.reset(token)
            try:
                run.cursor.close()
                self._release(conn, guard, request.key)
            finally:
                if self._is_pool:
                    self.conn.putconn(conn)

    def _acquire(self, conn: Any, guard: Any, request: LockRequest) -> None:
        waits = pauses(request)
        while not self._try_lock(conn, guard, request.key):
            time.sleep(next(waits))

    def _try_lock(self, conn: Any, guard: Any, key: int) -> bool:
        if not self._claims.claim(key):
            return False
        try:
            with guard:
                held = bool(self._attempt(conn, _ops.advisory("lock", key)))
        except BaseException:
            self._claims.release(key)
            raise
        if not held:
            self._claims.release(key)
        return held

    def _release(self, conn: Any, guard: Any, key: int) -> None:
        try:
            if not conn.closed:
                with guard:
                    self._attempt(conn, _ops.advisory("unlock", key))
        except StorageUnavailableError:
            if not conn.closed:
                raise
            # The session died, and the server released its locks with it.
        finally:
            self._claims.release(key)


@dataclass(frozen=True, slots=True)
class _Run:
    """The saver, connection, guard and cursor of the run a context belongs to."""

    saver: PostgresSaver
    conn: Any
    guard: Any
    cursor: Any


_HELD: ContextVar[_Run | None] = ContextVar("cairngraph_postgres_run", default=None)


def _drive(operation: Op, conn: Any, cursor: Any = None) -> Any:
    """Run ``operation``'s statements on ``conn``, through ``cursor`` if given.

    ``_statements.py`` says when the statements share one transaction.
    """
    stepper = Stepper(operation)
    on = conn if cursor is None else cursor  # both have execute() returning a cursor
    if stepper.atomic:
        # Pipelined: statements whose rows nobody reads go out without waiting for
        # the server, so a batch of steps costs one round trip, not one per step.
        with conn.transaction(), conn.pipeline() if pipelines() else nullcontext():
            return _steps(stepper, on)
    if not conn.autocommit:
        with conn.transaction():
            return _steps(stepper, on)
    return _steps(stepper, on)


def _steps(stepper: Stepper, on: Any) -> Any:
    while (statement := stepper.statement) is not None:
        # Rows come back in binary: bytea travels as is, not as hex text twice its size.
        binary = statement.fetch != "none"
        cursor = on.execute(statement.sql, statement.params or None, binary=binary)
        if statement.fetch == "one":
            stepper.reply(cursor.fetchone())
        else:
            stepper.reply(cursor.fetchall() if statement.fetch == "all" else None)
    return stepper.result
