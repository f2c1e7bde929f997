"""Group commit: batches of puts that wait at once are written as one, in one commit.

A put on PostgreSQL costs one round trip and one commit, and the commit (the
server's WAL flush) is most of it. Batches of puts alone that callers make
at the same time (coroutines of one event loop: :class:`AsyncGroupCommit`;
threads: :class:`GroupCommit`) are merged (``_write.merge``: the last write
of an item wins, as if the batches ran in turn) and written by one
statement, in one commit.

Invariants:

- A caller returns only once its rows are committed, or raises: durability
  is that of a batch of its own.
- Each caller's rows are sealed by the caller before they are queued: a
  value that cannot be serialized fails its own caller, never the group.
- While a group is being written, the batches that arrive wait and form
  the next group: a lone caller is written at once, never delayed.
- When a group fails with an error that may be one caller's (a trigger or a
  constraint refusing a row: ``alone``), each caller's batch is written
  again on its own, so that the error reaches exactly the callers whose
  rows it refuses and the others' rows are committed. Any other error (the
  server is down) reaches every caller of the group.
- A batch that reads is never grouped: its reads must see the store before
  its own puts, and no one else's.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from cairngraph.store._write import Row, merge

__all__ = ["AsyncGroupCommit", "GroupCommit"]

Alone = Callable[[BaseException], bool]
"""Whether a group's error may concern only some of its callers (then each is retried alone)."""


@dataclass(slots=True)
class _Waiting:
    """One caller's batch in the queue, and how its write ended."""

    rows: list[Row]
    done: bool = False
    error: BaseException | None = None


class GroupCommit:
    """Group commit for threads: the first waiting thread writes everyone's batch.

    Example::

        group = GroupCommit(lambda rows: store_write(rows), alone=is_refusal)
        group.put(rows)  # from many threads at once: they share commits
    """

    def __init__(self, write: Callable[[list[Row]], None], alone: Alone) -> None:
        self._write, self._alone = write, alone
        self._changed = threading.Condition(threading.Lock())
        self._queue: list[_Waiting] = []
        self._writing = False

    def put(self, rows: list[Row]) -> None:
        """Write ``rows``, with the batches of the threads waiting now; return once committed."""
        me = _Waiting(rows)
        group: list[_Waiting] = []
        with self._changed:
            self._queue.append(me)
            while self._writing and not me.done:
                self._changed.wait()
            if not me.done:  # this thread writes the queue, its own batch among them
                self._writing = True
                group, self._queue = self._queue, []
        if group:
            try:
                _write_group(group, self._write, self._alone)
            finally:
                with self._changed:
                    self._writing = False
                    self._changed.notify_all()
        if me.error is not None:
            raise me.error


def _write_group(group: list[_Waiting], write: Callable[[list[Row]], None], alone: Alone) -> None:
    try:
        write(merge([waiting.rows for waiting in group]))
    except Exception as error:  # noqa: BLE001 - handed to the callers it concerns
        if len(group) == 1 or not alone(error):
            _end(group, error)
            return
        for waiting in group:
            try:
                write(waiting.rows)
            except Exception as own:  # noqa: BLE001 - this caller's error
                _end([waiting], own)
            else:
                _end([waiting], None)
        return
    except BaseException as error:  # KeyboardInterrupt in the writing thread: no one committed
        _end(group, error)
        raise
    _end(group, None)


def _end(group: list[_Waiting], error: BaseException | None) -> None:
    for waiting in group:
        waiting.done, waiting.error = True, error


class AsyncGroupCommit:
    """Group commit for coroutines of one event loop: a task writes the queue, group by group.

    Every batch queued before the task runs (all the puts a ``gather`` starts, say) is
    in its first group. Example::

        group = AsyncGroupCommit(write_rows, alone=is_refusal)
        await asyncio.gather(*(group.put(rows) for rows in batches))  # one commit
    """

    def __init__(self, write: Callable[[list[Row]], Awaitable[None]], alone: Alone) -> None:
        self._write, self._alone = write, alone
        self._queue: list[tuple[list[Row], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def put(self, rows: list[Row]) -> None:
        """Write ``rows`` (from the loop this group belongs to); return once committed."""
        future = asyncio.get_running_loop().create_future()
        self._queue.append((rows, future))
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._drain())
        # A cancelled caller stops waiting; its rows are written unless the group had not
        # been taken yet (they are skipped then, see _drain).
        await future

    async def _drain(self) -> None:
        try:
            while self._queue:
                group, self._queue = self._queue, []
                group = [(rows, future) for rows, future in group if not future.done()]
                if group:
                    await self._write_group(group)
        finally:
            self._writer = None
            for _, future in self._queue:  # only when this task itself was cancelled
                future.cancel()
            self._queue = []

    async def _write_group(self, group: list[tuple[list[Row], asyncio.Future[None]]]) -> None:
        try:
            await self._write(merge([rows for rows, _ in group]))
        except Exception as error:  # noqa: BLE001 - handed to the callers it concerns
            if len(group) == 1 or not self._alone(error):
                for _, future in group:
                    _settle(future, error)
                return
            for rows, future in group:
                try:
                    await self._write(rows)
                except Exception as own:  # noqa: BLE001 - this caller's error
                    _settle(future, own)
                else:
                    _settle(future, None)
            return
        except BaseException:
            for _, future in group:
                future.cancel()
            raise
        for _, future in group:
            _settle(future, None)


def _settle(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():  # its caller was cancelled meanwhile
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)
