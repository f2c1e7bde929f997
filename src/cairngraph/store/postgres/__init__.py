"""``PostgresStore``: the long-term Store in PostgreSQL, shared by many processes.

Built on psycopg 3: give it a connection (any row factory), a
``psycopg_pool.ConnectionPool``, or use ``PostgresStore.from_conn_string(uri)``.

Invariants:

- The statements of a batch (``store/_sql.py``) and the control flow around
  them (``checkpoint/postgres/_driver.py``: checking a pooled connection out,
  trying once more on a connection found dead, turning psycopg's errors into
  cairngraph's) are written once; this module and ``aio.py`` only carry out
  their commands, with psycopg's sync and async APIs.
- A batch that writes more than one thing is one transaction; a lone put is
  one statement (its vectors in data-modifying CTEs), in autocommit: one
  round trip.
- On one connection, batches of puts alone that threads make at the same
  time share one statement and one commit (``store/_group.py``); each
  returns once its own rows are committed. On a pool each thread writes on
  a connection of its own, at once: the server already merges the WAL
  flushes of concurrent commits, and one writer for the whole pool would
  only queue them. The server's refusals (a trigger, a constraint, a
  privilege) are cairngraph errors naming the items (``_refusals.py``).
- Vectors are ``bytea`` (unit float32) ranked in Python: this is correct
  with or without pgvector, which cairngraph does not use (see docs/store.md).
- Statements run on psycopg's raw cursors, their ``%s`` placeholders numbered
  once per statement text (:func:`numbered`): psycopg parses and caches only
  statements of at most 50 parameters, and parsing a batch's multi-row
  statement costs more than the server's work on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from cairngraph.checkpoint.postgres import _driver
from cairngraph.checkpoint.postgres._common import describe, unavailable
from cairngraph.checkpoint.postgres._statements import Call, Op, Stepper
from cairngraph.checkpoint.serde.base import SerializerProtocol
from cairngraph.errors import WriteRefusedError
from cairngraph.store._group import GroupCommit
from cairngraph.store._sqlstore import SqlStore
from cairngraph.store._ttl import ThreadSweeper
from cairngraph.store._write import Row
from cairngraph.store.base import IndexConfig, TTLConfig
from cairngraph.store.postgres import _refusals, _schema

__all__ = ["PostgresStore"]


def pool_options(pool_config: Mapping[str, Any] | None) -> dict[str, Any]:
    """``min_size``/``max_size``/``kwargs`` from LangGraph's ``pool_config``, checked."""
    config = dict(pool_config or {})
    unknown = set(config) - {"min_size", "max_size", "kwargs", "timeout"}
    if unknown:
        raise TypeError(f"pool_config has unknown keys {sorted(unknown)}")
    kwargs = {"autocommit": True, **dict(config.get("kwargs") or {})}
    return {
        "min_size": int(config.get("min_size", 1)),
        "max_size": int(config.get("max_size", 10)),
        "kwargs": kwargs,
        "timeout": float(config.get("timeout", 30.0)),
    }


class _PostgresBase(SqlStore):
    """What both PostgreSQL stores hold: the connection or pool and its control flow."""

    _one_statement_puts = True

    def __init__(
        self,
        conn: Any,
        *,
        serde: SerializerProtocol | None,
        index: IndexConfig | None,
        ttl: TTLConfig | None,
        is_pool: bool,
        guard: Any,
        new_guard: Callable[[], Any],
    ) -> None:
        super().__init__(serde=serde, index=index, ttl=ttl)
        self.conn = conn
        self.vector_search = "python" if self._index is not None else ""
        self._control = _driver.Control(conn, is_pool, describe(conn), guard, new_guard)

    def _refusals(self, keys: list[tuple[str, str]]) -> contextlib.AbstractContextManager[None]:
        return _refusals.refusals(self._control.where, keys)


def alone(error: BaseException) -> bool:
    """Whether a group's error may be some callers' only: then each is written alone."""
    return isinstance(error, WriteRefusedError)


class PostgresStore(ThreadSweeper, _PostgresBase):
    """The Store on PostgreSQL, for many worker processes sharing memories.

    Example::

        from cairngraph.store.postgres import PostgresStore

        with PostgresStore.from_conn_string("postgresql://postgres@localhost/app") as store:
            store.setup()
            store.put(("users", "ann"), "prefs", {"theme": "dark"})
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
            is_pool=isinstance(conn, psycopg_pool.ConnectionPool),
            guard=threading.RLock(),
            new_guard=threading.RLock,
        )
        ThreadSweeper.__init__(self)
        self._group = None if self._control.is_pool else GroupCommit(self._write_now, alone)

    @classmethod
    @contextmanager
    def from_conn_string(
        cls,
        conn_string: str,
        *,
        pipeline: bool = False,
        pool_config: Mapping[str, Any] | None = None,
        serde: SerializerProtocol | None = None,
        index: IndexConfig | None = None,
        ttl: TTLConfig | None = None,
    ) -> Iterator[PostgresStore]:
        """A store over a small connection pool to ``conn_string``, closed afterwards.

        ``pipeline`` is accepted for LangGraph programs and changes nothing:
        a lone put is already one round trip. ``pool_config`` takes ``min_size``, ``max_size``,
        ``kwargs`` and ``timeout``.
        """
        from psycopg_pool import ConnectionPool

        del pipeline  # see the docstring
        options = pool_options(pool_config)
        pool = ConnectionPool(conn_string, open=False, **options)
        try:
            pool.open(wait=True, timeout=options["timeout"])
        except Exception as error:  # PoolTimeout, or a bad connection string
            pool.close()
            raise unavailable(describe(pool), error) from error
        try:
            store = cls(pool, serde=serde, index=index, ttl=ttl)
            try:
                yield store
            finally:
                store.stop_ttl_sweeper(timeout=5)
        finally:
            pool.close()

    def setup(self) -> None:
        """Create or upgrade the store's tables (idempotent, safe from many processes)."""
        with self._refusals([]):
            self._run(_schema.setup)
        self._ready = True

    def sweep_ttl(self) -> int:
        """Delete every expired item now; return how many."""
        return self._run(self._sweep())  # type: ignore[no-any-return]

    def _prepare(self) -> None:
        self.setup()

    async def _aprepare(self) -> None:
        await asyncio.to_thread(self.setup)

    def _write(self, rows: list[Row]) -> None:
        if self._group is None:
            self._write_now(rows)
        else:
            self._group.put(rows)

    async def _awrite(self, rows: list[Row]) -> None:
        await asyncio.to_thread(self._write, rows)

    def _run(self, make: Callable[[], Op]) -> Any:
        return _driver.drive(self._control.run(make, None, None), self._do)

    async def _arun(self, make: Callable[[], Op]) -> Any:
        return await asyncio.to_thread(self._run, make)

    def _do(self, command: _driver.Command) -> Any:
        if isinstance(command, _driver.Drive):
            return execute(command.operation, command.conn)
        if isinstance(command, _driver.Enter):
            return command.guard.acquire()
        if isinstance(command, _driver.Leave):
            return command.guard.release()
        if isinstance(command, _driver.GetConn):
            return self.conn.getconn()
        if isinstance(command, _driver.PutConn):
            return self.conn.putconn(command.conn)
        if isinstance(command, _driver.Sleep):
            return time.sleep(command.seconds)
        if isinstance(command, _driver.CheckPool):
            return self.conn.check()
        raise TypeError(f"a store operation does not use {command!r}")


def execute(operation: Op, conn: Any) -> Any:
    """Run ``operation`` on ``conn``: in one transaction when it asks for one, rows as tuples."""
    stepper = Stepper(operation)
    if not (stepper.atomic or not conn.autocommit):
        return _steps(stepper, conn)
    # No pipeline: a batch is a few statements, and entering pipeline mode costs more
    # round trips than it saves for so few.
    with conn.transaction():
        return _steps(stepper, conn)


@functools.lru_cache(maxsize=512)
def numbered(sql: str) -> str:
    """``sql`` with its ``%s`` placeholders written ``$1``, ``$2``... (a raw cursor's form).

    Example: ``numbered("SELECT %s, %s") == "SELECT $1, $2"``.
    """
    parts = sql.split("%s")
    if any("%" in part for part in parts):
        raise ValueError(f"a store statement has a '%' that is not a placeholder: {sql[:80]!r}")
    pieces = [parts[0]]
    for at, part in enumerate(parts[1:], 1):
        pieces += ("$", str(at), part)
    return "".join(pieces)


def _steps(stepper: Stepper, conn: Any) -> Any:
    from psycopg import RawCursor
    from psycopg.rows import tuple_row

    while (statement := stepper.statement) is not None:
        if isinstance(statement, Call):
            stepper.reply(statement.function())
            continue
        # Rows as tuples whatever the connection's row factory; in binary, so bytea
        # travels as is, not as hex text.
        cursor = RawCursor(conn, row_factory=tuple_row)
        cursor.execute(
            numbered(statement.sql), statement.params or None, binary=statement.fetch != "none"
        )
        if statement.fetch == "one":
            stepper.reply(cursor.fetchone())
        else:
            stepper.reply(cursor.fetchall() if statement.fetch == "all" else None)
    return stepper.result
