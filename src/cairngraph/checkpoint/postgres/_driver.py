"""How both PostgreSQL savers run an operation, take a thread and let it go: written once.

The savers' control flow (which connection an operation runs on, retrying
once on a dead pooled connection, the error rules, the thread lock's tries
and pauses, and letting the lock go) is a generator of :data:`Command`
values. The sync saver (``__init__.py``) and the async saver (``aio.py``)
each carry out those commands with a few lines of their own (:func:`drive`
and :func:`adrive` walk the generator): checking a connection out and back,
executing an operation's statements, sleeping, taking a guard. They differ
in nothing else.

Invariants:

- An operation's refs are learned (:class:`RefsCache`) only once its
  connection has no transaction open: on a connection inside a caller's
  transaction they may still roll back.
- Letting a thread go always releases its claim in this process, closes the
  run's cursor and returns its connection, whatever fails on the way (a dead
  connection, an error unlocking, an error closing the cursor).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from cairngraph.checkpoint._format import Known
from cairngraph.checkpoint._refs import Key, RefsCache
from cairngraph.checkpoint.postgres import _ops
from cairngraph.checkpoint.postgres._common import (
    LocalClaims,
    LockRequest,
    missing_tables,
    pauses,
    unavailable,
)
from cairngraph.checkpoint.postgres._statements import Learned, Op
from cairngraph.errors import StorageUnavailableError

__all__ = [
    "HELD",
    "CheckPool",
    "CloseCursor",
    "Command",
    "Control",
    "Drive",
    "Enter",
    "Flow",
    "GetConn",
    "Learned",
    "Leave",
    "OpenCursor",
    "PutConn",
    "CommittedRefs",
    "Run",
    "Sleep",
    "adrive",
    "drive",
]

T = TypeVar("T")

_IDLE = 0
"""libpq's ``PQTRANS_IDLE`` (``psycopg.pq.TransactionStatus.IDLE``): no transaction open."""


class CommittedRefs(RefsCache):
    """The saver's :class:`RefsCache`, learning only what a connection has committed."""

    def learn_if_committed(self, conn: Any, learned: Mapping[Key, Known] | None) -> None:
        """Learn ``learned`` when ``conn`` has no transaction open: its rows are committed."""
        if learned and conn.info.transaction_status == _IDLE:
            self.learn(learned)


# -- the commands a driver carries out ------------------------------------------------


@dataclass(frozen=True, slots=True)
class GetConn:
    """Check a connection out of the pool."""


@dataclass(frozen=True, slots=True)
class PutConn:
    conn: Any


@dataclass(frozen=True, slots=True)
class CheckPool:
    """Have the pool drop its dead connections."""


@dataclass(frozen=True, slots=True)
class Drive:
    """Run an operation's statements on ``conn`` (through ``cursor`` if given)."""

    conn: Any
    operation: Op
    cursor: Any = None


@dataclass(frozen=True, slots=True)
class Sleep:
    seconds: float


@dataclass(frozen=True, slots=True)
class Enter:
    """Take a guard (one statement at a time on a connection)."""

    guard: Any


@dataclass(frozen=True, slots=True)
class Leave:
    guard: Any


@dataclass(frozen=True, slots=True)
class OpenCursor:
    conn: Any


@dataclass(frozen=True, slots=True)
class CloseCursor:
    cursor: Any


Command = GetConn | PutConn | CheckPool | Drive | Sleep | Enter | Leave | OpenCursor | CloseCursor
Flow = Generator[Command, Any, T]
"""A piece of control flow: yields commands, receives their results (or their errors)."""


@dataclass(frozen=True, slots=True)
class Run:
    """The saver, connection, guard and cursor of the run a context belongs to."""

    control: Control
    conn: Any
    guard: Any
    cursor: Any


HELD: ContextVar[Run | None] = ContextVar("cairngraph_postgres_run", default=None)


class Control:
    """One saver's control flow: its connection or pool, guards, claims and refs."""

    def __init__(
        self, conn: Any, is_pool: bool, where: str, guard: Any, new_guard: Callable[[], Any]
    ) -> None:
        self.conn, self.is_pool, self.where = conn, is_pool, where
        self.guard, self.new_guard = guard, new_guard
        self.claims = LocalClaims()
        self.refs = CommittedRefs()

    def run(
        self,
        make: Callable[[], Op],
        held: Run | None,
        learned: Learned | None,
        doomed: list[str] | None = None,
    ) -> Flow[Any]:
        """Run the operation ``make`` builds, on the run's connection when inside a run.

        ``doomed`` (blobs the operation freed) is emptied unless the operation committed.
        """
        if held is not None and held.control is self:
            # Inside a run: its own connection (N concurrent runs need N connections).
            return (
                yield from self._guarded(held.guard, held.conn, make, held.cursor, learned, doomed)
            )
        if not self.is_pool:
            return (yield from self._guarded(self.guard, self.conn, make, None, learned, doomed))
        conn, result = yield from self._checkout(
            lambda conn: self._attempt(conn, make(), None, learned, doomed)
        )
        yield PutConn(conn)
        return result

    def _guarded(
        self,
        guard: Any,
        conn: Any,
        make: Callable[[], Op],
        cursor: Any,
        learned: Learned | None,
        doomed: list[str] | None = None,
    ) -> Flow[Any]:
        yield Enter(guard)
        try:
            return (yield from self._attempt(conn, make(), cursor, learned, doomed))
        finally:
            yield Leave(guard)

    def _attempt(
        self,
        conn: Any,
        operation: Op,
        cursor: Any,
        learned: Learned | None,
        doomed: list[str] | None = None,
    ) -> Flow[Any]:
        """Drive ``operation``; once it committed, remember the refs it ``learned``.

        Inside a caller's transaction nothing is committed yet: the blobs in ``doomed``
        are kept (the collector deletes them once their rows are gone for good).
        """
        import psycopg

        try:
            result = yield Drive(conn, operation, cursor)
        except psycopg.OperationalError as error:
            raise unavailable(self.where, error) from error
        except psycopg.errors.UndefinedTable as error:
            raise missing_tables(self.where, error) from error
        self.refs.learn_if_committed(conn, learned)
        if doomed and conn.info.transaction_status != _IDLE:
            doomed.clear()
        return result

    def _checkout(self, first_use: Callable[[Any], Flow[T]]) -> Flow[tuple[Any, T]]:
        """A pooled connection on which ``first_use`` succeeded, and its result.

        A connection found dead (the server restarted since it was opened) is
        dropped, the pool checked, and ``first_use`` tried once more.
        """
        import psycopg

        for attempt in (1, 2):
            try:
                conn = yield GetConn()
            except psycopg.OperationalError as error:  # PoolTimeout: no server
                raise unavailable(self.where, error) from error
            try:
                return conn, (yield from first_use(conn))
            except StorageUnavailableError:
                yield PutConn(conn)
                if attempt == 2 or not conn.broken:
                    raise
            except BaseException:
                yield PutConn(conn)
                raise
            yield CheckPool()
        raise AssertionError("unreachable")

    # -- the thread lock ---------------------------------------------------------------

    def acquire(self, request: LockRequest) -> Flow[Run]:
        """Take ``request``'s thread: a connection of its own (pooled), locked, with a cursor."""
        if self.is_pool:
            guard = self.new_guard()  # the run's parallel tasks share its connection
            conn, _ = yield from self._checkout(lambda conn: self._wait(conn, guard, request))
        else:
            guard, conn = self.guard, self.conn
            yield from self._wait(conn, guard, request)
        try:
            # One cursor for all the run's statements: making one per statement costs
            # more than the rest of the client's work on a step.
            cursor = yield OpenCursor(conn)
        except BaseException:
            yield from self._let_go(conn, guard, None, request.key)
            raise
        return Run(self, conn, guard, cursor)

    def _wait(self, conn: Any, guard: Any, request: LockRequest) -> Flow[None]:
        waits = pauses(request)
        while not (yield from self._try_lock(conn, guard, request.key)):
            yield Sleep(next(waits))

    def _try_lock(self, conn: Any, guard: Any, key: int) -> Flow[bool]:
        if not self.claims.claim(key):
            return False
        held = False
        try:
            held = bool(
                (
                    yield from self._guarded(
                        guard, conn, lambda: _ops.advisory("lock", key), None, None
                    )
                )
            )
        finally:
            if not held:
                self.claims.release(key)
        return held

    def release(self, run: Run, key: int) -> Flow[None]:
        """Let the run's thread go (see the module's invariants)."""
        return (yield from self._let_go(run.conn, run.guard, run.cursor, key))

    def _let_go(self, conn: Any, guard: Any, cursor: Any, key: int) -> Flow[None]:
        try:
            if not conn.closed:
                yield from self._guarded(
                    guard, conn, lambda: _ops.advisory("unlock", key), cursor, None
                )
        except StorageUnavailableError:
            if not conn.closed:
                raise
            # The session died, and the server released its locks with it.
        finally:
            try:
                if cursor is not None:
                    yield CloseCursor(cursor)
            except Exception:  # noqa: BLE001 - a cursor that is never used again
                pass
            finally:
                self.claims.release(key)
                if self.is_pool:
                    yield PutConn(conn)


def drive(flow: Flow[T], do: Callable[[Command], Any]) -> T:
    """Walk ``flow``, carrying out each command with ``do``; its errors go back into the flow."""
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            command = flow.send(value) if error is None else flow.throw(error)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        try:
            value, error = do(command), None
        except BaseException as raised:  # noqa: BLE001 - handed to the flow, which decides
            value, error = None, raised


async def adrive(flow: Flow[T], do: Callable[[Command], Awaitable[Any]]) -> T:
    """The async twin of :func:`drive`."""
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            command = flow.send(value) if error is None else flow.throw(error)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        try:
            value, error = await do(command), None
        except BaseException as raised:  # noqa: BLE001 - handed to the flow, which decides
            value, error = None, raised
