"""``PostgresSaver``: the shared store for many worker processes and machines.

Built on psycopg 3: give it a connection, a ``psycopg_pool.ConnectionPool``,
or use ``PostgresSaver.from_conn_string(uri)``. Call :meth:`setup` once (it
is idempotent and safe to call from many processes at once).

Invariants:

- Every operation (``_ops.py``, ``_save.py``, ``_load.py``) and the control flow
  around it (``_driver.py``: connections, retries, the thread lock) are written
  once; this class only carries out their commands with psycopg's sync API
  (the async saver carries out the very same ones with its async API).
- Rows are storage format 2 (``checkpoint/_format.py``), as on SQLite: every
  payload sealed and bound to its place; ``verify()`` and ``reseal()``.
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
from cairngraph.checkpoint.postgres._common import (
    LockRequest,
    describe,
    pipelines,
    unavailable,
)
from cairngraph.checkpoint.postgres._statements import Call, Learned, Op, Stepper
from cairngraph.checkpoint.serde.base import SerializerProtocol
from cairngraph.errors import InvalidConfigError

__all__ = ["PostgresSaver"]


class PostgresSaver(BaseCheckpointSaver):
    """A checkpointer on PostgreSQL, for many processes sharing threads.

    Example::

        from cairngraph.checkpoint.postgres import PostgresSaver

        with PostgresSaver.from_conn_string("postgresql://postgres@localhost/app") as saver:
            saver.setup()
            workflow = graph.compile(checkpointer=saver)
            workflow.invoke({"topic": "x"}, {"configurable": {"thread_id": "1"}})
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
            isinstance(conn, psycopg_pool.ConnectionPool),
            describe(conn),
            threading.RLock(),  # one statement at a time on a plain connection
            threading.RLock,  # a run's parallel tasks share its connection
        )

    @classmethod
    @contextmanager
    def from_conn_string(
        cls,
        conn_string: str,
        *,
        serde: SerializerProtocol | None = None,
        max_size: int = 10,
        timeout: float = 30.0,
        blobs: BlobStore | None = None,
        blob_threshold: int = BLOB_THRESHOLD,
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
            yield cls(pool, serde=serde, blobs=blobs, blob_threshold=blob_threshold)
        finally:
            pool.close()

    def setup(self) -> None:
        """Create or upgrade cairngraph's tables (idempotent, safe from many processes).

        Raises :class:`SchemaVersionError` when a newer cairngraph set the database up.
        """
        self._run(_schema.setup)

    # -- the contract ---------------------------------------------------------------

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        learned: Learned = {}
        found: CheckpointTuple | None = self._run(
            lambda: _retention.unraced(lambda: _load.get_tuple(self._fmt, config, learned)), learned
        )
        return found

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: Mapping[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        query = ListQuery.of(config, filter=filter, before=before, limit=limit)
        learned: Learned = {}
        yield from self._run(
            lambda: _retention.unraced(lambda: _load.list_checkpoints(self._fmt, query, learned)),
            learned,
        )

    def threads(
        self,
        *,
        search: str | None = None,
        filter: Mapping[str, Any] | None = None,
        before: str | None = None,
        limit: int | None = None,
    ) -> Iterator[ThreadInfo]:
        """Threads, the most recently saved first (see the base class), from ``cairn_threads``."""
        limit = page_limit("threads", limit)
        opened = opener(self._fmt)
        found = self._run(
            lambda: _load.threads(
                walk(opened, search=search, filter=filter, before=before, limit=limit)
            )
        )
        yield from found

    def put_steps(self, steps: Sequence[StepSave]) -> builtins.list[RunnableConfig]:
        """Several consecutive steps in one statement and one commit (``durability="async"``)."""
        learned: Learned = {}
        refs = self._control.refs
        with _retention.refusals("save a step"):
            made: builtins.list[RunnableConfig] = self._run(
                lambda: _retention.saving(steps, _save.put_steps(self._fmt, steps, refs, learned)),
                learned,
            )
        return made

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        if config_checkpoint_id(config) is None:
            raise InvalidConfigError("put_writes needs a config that names a checkpoint_id")
        with _retention.refusals("save a task's writes"):
            self._run(
                # The tombstone trigger checks the insert (under refusals).
                lambda: _save.put_writes(self._fmt, config, writes, task_id, task_path)
            )

    def delete_thread(self, thread_id: str) -> None:
        """Delete the thread's checkpoints and writes, and every value no other thread uses."""
        doomed: builtins.list[str] = []
        thread = str(thread_id)
        self._run(
            lambda: _retention.tombstone(thread, _ops.delete_thread(thread, doomed)), None, doomed
        )
        self._control.refs.forget(thread)
        self._fmt.blobs.delete(doomed)

    # -- lifecycle primitives (``checkpoint/_lifecycle.py``) -----------------------

    def _index(self, thread_ids: Sequence[str] | None) -> builtins.list[Entry]:
        return self._run(lambda: _retention.index(self._fmt, thread_ids))  # type: ignore[no-any-return]

    def _retain(self, thread_id: str, choose: Chooser) -> int:
        return _retention.retain_forgetting(
            self._run, self._fmt, self._control, [thread_id], choose, tried=False
        ).removed

    def _retain_many(self, thread_ids: Sequence[str], choose: Chooser) -> Retained:
        return _retention.retain_forgetting(
            self._run, self._fmt, self._control, thread_ids, choose, tried=True
        )

    def _copy(self, source_thread_id: str, target_thread_id: str) -> None:
        self._run(lambda: _retention.copy(self._fmt, source_thread_id, target_thread_id))

    def _collect(self, cutoff: datetime) -> int:
        return collect(self._fmt.blobs, lambda found: self._run(lambda: _ops.bodies(found)), cutoff)

    def thread_lock(self, thread_id: str, timeout: float) -> AbstractContextManager[None]:
        """Hold ``thread_id`` for a run, across processes and machines.

        Raises :class:`ThreadBusyError` naming the thread when another run
        keeps it longer than ``timeout`` seconds.
        """
        return self._hold(str(thread_id), timeout)

    # -- checking and sealing ------------------------------------------------------

    def verify(self) -> VerifyReport:
        """Open and check every stored row, in one snapshot; report every bad one.

        Example::

            report = saver.verify()
            print(report.checked, "rows checked;", len(report.problems), "bad")
        """
        return self._run(lambda: _ops.verify(self._fmt))  # type: ignore[no-any-return]

    def reseal(self) -> int:
        """Rewrite every stored payload with this saver's serializer; return the rows rewritten.

        As ``SqliteSaver.reseal``: encrypts a store written before encryption
        was switched on, or moves every payload to the active key. One
        transaction: all or nothing; writers wait for it, readers do not.
        """
        doomed: builtins.list[str] = []
        try:
            count: int = self._run(lambda: _ops.reseal(self._fmt, doomed), None, doomed)
        finally:
            self._control.refs.forget()
        self._fmt.blobs.delete(doomed)
        return count

    # -- the driver: carrying out _driver's commands with psycopg's sync API ------------

    def _run(
        self,
        make: Callable[[], Op],
        learned: Learned | None = None,
        doomed: builtins.list[str] | None = None,
    ) -> Any:
        flow = self._control.run(make, _driver.HELD.get(), learned, doomed)
        return _driver.drive(flow, self._do)

    @contextmanager
    def _hold(self, thread_id: str, timeout: float) -> Iterator[None]:
        request = LockRequest.make(thread_id, timeout)
        run = _driver.drive(self._control.acquire(request), self._do)
        token = _driver.HELD.set(run)
        try:
            yield
        finally:
            _driver.HELD.reset(token)
            _driver.drive(self._control.release(run, request.key), self._do)

    def _do(self, command: _driver.Command) -> Any:
        if isinstance(command, _driver.Drive):
            return _drive(command.operation, command.conn, command.cursor)
        if isinstance(command, _driver.Enter):
            return command.guard.acquire()
        if isinstance(command, _driver.Leave):
            return command.guard.release()
        if isinstance(command, _driver.GetConn):
            return self.conn.getconn()
        if isinstance(command, _driver.PutConn):
            return self.conn.putconn(command.conn)
        if isinstance(command, _driver.OpenCursor):
            return command.conn.cursor()
        if isinstance(command, _driver.CloseCursor):
            return command.cursor.close()
        if isinstance(command, _driver.Sleep):
            return time.sleep(command.seconds)
        return self.conn.check()  # CheckPool


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
        if isinstance(statement, Call):
            stepper.reply(statement.function())
            continue
        # Rows come back in binary: bytea travels as is, not as hex text twice its size.
        binary = statement.fetch != "none"
        cursor = on.execute(statement.sql, statement.params or None, binary=binary)
        if statement.fetch == "one":
            stepper.reply(cursor.fetchone())
        else:
            stepper.reply(cursor.fetchall() if statement.fetch == "all" else None)
    return stepper.result
