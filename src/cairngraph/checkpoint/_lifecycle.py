"""The lifecycle operations of every saver, written once: prune, copy, delete by run, sweep.

A backend supplies three primitives, each one transaction of its own:

- ``_index(thread_ids)``: the :class:`~cairngraph.checkpoint._retention.Entry`
  of every checkpoint of those threads (of every thread when None), read from
  the checkpoint rows alone, no channel value;
- ``_retain(thread_id, choose)``: in one transaction, read the thread's
  checkpoint and writes rows, ask ``choose`` (the entries → the keys to
  delete), delete those checkpoints and their pending writes, set the
  thread's refs to what remains names (every delta's bases included) and free
  the values nothing refers to any more;
- ``_copy(source, target)``: every checkpoint and write of ``source`` again
  under ``target``, sharing its stored values.

A backend may also supply ``_retain_many(thread_ids, choose)``: ``_retain``
for a batch of threads at once, in one transaction, for those of them no
run holds (each one's run lock tried, never waited for), naming the others
as busy. The default tries each thread's lock and calls ``_retain``; SQLite
and PostgreSQL do the batch with set-based statements (a prune of many
threads costs a few statements per batch, not per thread).

and ``_reclaim()``, which gives freed space back to the system where the
backend can (SQLite's incremental vacuum), and ``_collect(cutoff)``, which
deletes the blobs put before ``cutoff`` that no value row names
(``_blobs.py``); both do nothing by default.

Invariants:

- A partial removal (``prune(strategy="keep_latest")``, a policy, runs)
  holds the thread's run lock (``thread_lock``), so it never changes a thread
  under a run in progress. ``prune`` takes the threads a batch at a time
  without waiting, then waits for the busy ones (at most ``wait`` seconds in
  all) and raises :class:`~cairngraph.errors.ThreadBusyError` naming those
  still held, once every other thread is pruned (a sweep skips a busy thread
  and names it in its report). Other threads are never touched.
- ``delete_thread`` does not wait: a run in progress on the deleted thread
  meets :class:`~cairngraph.errors.ThreadDeletedError` at its next save.
- Async twins run the sync operation in a worker thread; the PostgreSQL
  async saver's sync methods hand each statement to its own async driver.
"""

from __future__ import annotations

import asyncio
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from cairngraph.checkpoint._retention import (
    Entry,
    Key,
    RetentionPolicy,
    SweepReport,
    by_thread,
    keep_latest,
    now_utc,
    of_runs,
)
from cairngraph.errors import InvalidConfigError, ThreadBusyError

__all__ = ["BATCH", "BLOB_GRACE", "Chooser", "Lifecycle", "Retained", "Sweeper"]

BLOB_GRACE = timedelta(hours=1)
"""How old a blob no row names must be before a sweep deletes it: far longer than
any save takes between putting a blob and committing the row that names it."""

BATCH = 200
"""Threads a prune changes in one transaction: few statements for many threads, yet a
transaction short enough not to keep other writers waiting long."""

Strategy = Literal["keep_latest", "delete"]
Chooser = Callable[[list[Entry]], Collection[Key]]
"""A thread's checkpoints → the keys of those to delete."""


@dataclass(frozen=True, slots=True)
class Retained:
    """What ``_retain_many`` did: checkpoints deleted, and the threads a run held (untouched)."""

    removed: int = 0
    busy: tuple[str, ...] = ()


class Lifecycle(ABC):
    """Retention and cleanup for :class:`~cairngraph.checkpoint.base.BaseCheckpointSaver`.

    Example::

        saver.prune(["thread-1"])  # the newest checkpoint of each namespace stays
        saver.copy_thread("thread-1", "thread-1-copy")
        saver.sweep(RetentionPolicy(keep_last=10, ttl=timedelta(days=30)))
    """

    retention: RetentionPolicy | None = None
    """The policy :meth:`sweep` applies when it is given none."""

    # -- what a backend supplies -------------------------------------------------

    @abstractmethod
    def _index(self, thread_ids: Sequence[str] | None) -> list[Entry]:
        """The checkpoints of ``thread_ids`` (of every thread when None), values unread."""

    @abstractmethod
    def _retain(self, thread_id: str, choose: Chooser) -> int:
        """Delete what ``choose`` picks among the thread's checkpoints; free what nothing uses.

        Returns how many checkpoints were deleted.
        """

    def _retain_many(self, thread_ids: Sequence[str], choose: Chooser) -> Retained:
        """``_retain`` for each of ``thread_ids`` no run holds (locks tried, not waited for)."""
        with self._try_hold(thread_ids) as held:
            removed = self._retain_held(held, choose) if held else 0
        taken = set(held)
        return Retained(removed, tuple(t for t in thread_ids if t not in taken))

    def _retain_held(self, thread_ids: Sequence[str], choose: Chooser) -> int:
        """``_retain`` of threads whose run locks the caller holds (one transaction, where
        the backend can); how many checkpoints were deleted."""
        return sum(self._retain(thread_id, choose) for thread_id in thread_ids)

    @contextmanager
    def _try_hold(self, thread_ids: Sequence[str]) -> Iterator[list[str]]:
        """The run locks of those of ``thread_ids`` no run holds now, held in the block."""
        held: list[str] = []
        with ExitStack() as stack:
            for thread_id in thread_ids:
                try:
                    stack.enter_context(self.thread_lock(thread_id, 0))
                except ThreadBusyError:
                    continue
                held.append(thread_id)
            yield held

    @abstractmethod
    def _copy(self, source_thread_id: str, target_thread_id: str) -> None:
        """Every checkpoint and write of the source again under the (empty) target."""

    def _reclaim(self) -> None:  # noqa: B027 - optional: most backends have nothing to do
        """Give freed space back where the backend can; nothing by default."""

    def _collect(self, cutoff: datetime) -> int:
        """Delete the blobs put before ``cutoff`` that no value row names; how many."""
        return 0

    @abstractmethod
    def delete_thread(self, thread_id: str) -> None: ...

    @abstractmethod
    def thread_lock(self, thread_id: str, timeout: float) -> AbstractContextManager[None]: ...

    # -- the operations --------------------------------------------------------------

    def prune(
        self, thread_ids: Sequence[str], *, strategy: Strategy = "keep_latest", wait: float = 5.0
    ) -> None:
        """Shrink threads: keep the newest checkpoint of each namespace, or delete them.

        ``strategy="keep_latest"`` keeps each namespace's newest checkpoint with
        its pending writes and every value it needs; it holds each thread's run
        lock while it prunes it. Threads a run holds are waited for (up to
        ``wait`` seconds in all, once every other thread is pruned); those still
        held then are left as they were and named in a :class:`ThreadBusyError`.
        ``"delete"`` is ``delete_thread`` for each. Space is given back (see
        ``docs/retention.md``).

        Example::

            saver.prune(["t1", "t2"])
            saver.prune(["t3"], strategy="delete")
        """
        if isinstance(thread_ids, str):
            raise TypeError(
                f"prune(thread_ids={thread_ids!r}): give a list of thread ids, not one string "
                "(a string would be read as one thread id per character)"
            )
        if strategy not in ("keep_latest", "delete"):
            raise InvalidConfigError(
                f"prune(strategy={strategy!r}): use 'keep_latest' or 'delete' (for keep-last-N "
                "or age rules, use sweep(RetentionPolicy(...)))"
            )
        unique = list(dict.fromkeys(str(thread) for thread in thread_ids))
        if strategy == "delete":
            for thread_id in unique:
                self.delete_thread(thread_id)
            self._reclaim()
            return
        _removed, refused = self._retain_all(unique, keep_latest, wait)
        self._reclaim()
        if refused:
            raise _still_busy("prune", refused, wait, len(unique), "pruned")

    def _retain_all(
        self, thread_ids: Sequence[str], choose: Chooser, wait: float
    ) -> tuple[int, list[str]]:
        """``_retain`` of every thread: a batch at a time, each thread a run holds skipped,
        then those waited for, one by one, within ``wait`` seconds in all. Returns how many
        checkpoints went, and the threads still held at the deadline (untouched)."""
        removed = 0
        busy: list[str] = []
        for start in range(0, len(thread_ids), BATCH):
            done = self._retain_many(thread_ids[start : start + BATCH], choose)
            removed += done.removed
            busy += done.busy
        deadline = time.monotonic() + wait
        refused: list[str] = []
        for thread_id in busy:
            try:
                with self.thread_lock(thread_id, max(deadline - time.monotonic(), 0.0)):
                    removed += self._retain(thread_id, choose)
            except ThreadBusyError:
                refused.append(thread_id)
        return removed, refused

    def copy_thread(
        self, source_thread_id: str, target_thread_id: str, *, wait: float = 5.0
    ) -> None:
        """Copy every checkpoint and write of one thread to a new thread id.

        The copy is independent (changing or deleting either leaves the other
        as it was) and costs no copy of stored values: they are shared. The
        target must hold no checkpoint; a deleted target id is used again.

        Example::

            saver.copy_thread("thread-1", "thread-1-experiment")
        """
        source, target = str(source_thread_id), str(target_thread_id)
        if source == target:
            raise InvalidConfigError(f"copy_thread({source!r}, {target!r}): pick another target")
        with self.thread_lock(target, wait):
            if self._index([target]):
                raise InvalidConfigError(
                    f"copy_thread: the target thread {target!r} already has checkpoints; "
                    "delete it first (delete_thread) or copy to another thread id"
                )
            self._copy(source, target)

    def delete_for_runs(self, run_ids: Sequence[str], *, wait: float = 5.0) -> None:
        """Delete the checkpoints (and their writes) whose metadata ``run_id`` is one of these.

        Values the remaining checkpoints use stay; the rest are freed. A thread a run
        holds is waited for as in :meth:`prune` (``wait`` seconds in all, then
        :class:`ThreadBusyError` naming it, every other thread done).

        Example::

            saver.delete_for_runs(["run-7"])
        """
        if isinstance(run_ids, str):
            raise TypeError(f"delete_for_runs(run_ids={run_ids!r}): give a list of run ids")
        wanted = [str(run_id) for run_id in run_ids]
        if not wanted:
            return
        found = by_thread(self._index(None))
        threads = [thread_id for thread_id, entries in found.items() if of_runs(entries, wanted)]
        _removed, refused = self._retain_all(threads, lambda rows: of_runs(rows, wanted), wait)
        self._reclaim()
        if refused:
            raise _still_busy(
                "delete_for_runs", refused, wait, len(threads), "cleared of those runs' checkpoints"
            )

    def sweep(
        self,
        policy: RetentionPolicy | None = None,
        *,
        now: datetime | None = None,
        wait: float = 0.0,
    ) -> SweepReport:
        """Apply a retention policy (``policy``, else ``saver.retention``) to every thread.

        Threads are trimmed a batch at a time; a thread a run holds is skipped,
        then waited for (``wait`` seconds in all) and, still held, named in the
        report's ``busy``. Run it on demand, from a scheduled job, or in
        the background with :class:`Sweeper`.

        Example::

            report = saver.sweep(RetentionPolicy(keep_last=5))
            print(report.checkpoints_deleted, "checkpoints removed")
        """
        chosen = policy if policy is not None else self.retention
        if chosen is None:
            raise InvalidConfigError(
                "sweep() needs a policy: pass sweep(RetentionPolicy(...)) or set "
                "saver.retention = RetentionPolicy(...)"
            )
        moment = now_utc(now)
        threads = removed = 0
        busy: list[str] = []
        expired: list[str] = []
        trimmed: list[str] = []
        for thread_id, entries in by_thread(self._index(None)).items():
            if chosen.expired(entries, moment):
                expired.append(thread_id)
            elif chosen.doomed(entries, moment):
                trimmed.append(thread_id)
        for thread_id in expired:
            try:
                with self.thread_lock(thread_id, wait):
                    # A run may have saved meanwhile: the TTL is judged again, under the lock.
                    current = self._index([thread_id])
                    if chosen.expired(current, moment):
                        self.delete_thread(thread_id)
                        threads += 1
                        removed += len(current)
                    else:
                        removed += self._retain(
                            thread_id, lambda found: chosen.doomed(found, moment)
                        )
            except ThreadBusyError:
                busy.append(thread_id)
        # Saves only add newer checkpoints: a thread not expired above cannot expire now.
        count, refused = self._retain_all(trimmed, lambda found: chosen.doomed(found, moment), wait)
        removed += count
        busy += refused
        self._reclaim()
        collected = self._collect(moment - BLOB_GRACE)
        return SweepReport(threads, removed, tuple(busy), collected)

    def collect_blobs(self, *, grace: timedelta = BLOB_GRACE, now: datetime | None = None) -> int:
        """Delete the blob store's objects that no value row names; return how many.

        A save that crashed between putting a big value's blob and committing
        leaves such an object. Objects put less than ``grace`` ago are kept: they
        may belong to a save still in flight. :meth:`sweep` runs this too.

        Example::

            saver.collect_blobs(grace=timedelta(minutes=10))
        """
        if grace < timedelta(0):
            raise InvalidConfigError(f"collect_blobs(grace={grace}): use 0 or a positive duration")
        return self._collect(now_utc(now) - grace)

    # -- async twins -------------------------------------------------------------------

    async def acollect_blobs(
        self, *, grace: timedelta = BLOB_GRACE, now: datetime | None = None
    ) -> int:
        """Async twin of :meth:`collect_blobs`."""
        return await asyncio.to_thread(lambda: self.collect_blobs(grace=grace, now=now))

    async def aprune(
        self, thread_ids: Sequence[str], *, strategy: Strategy = "keep_latest", wait: float = 5.0
    ) -> None:
        """Async twin of :meth:`prune`."""
        await asyncio.to_thread(lambda: self.prune(thread_ids, strategy=strategy, wait=wait))

    async def acopy_thread(
        self, source_thread_id: str, target_thread_id: str, *, wait: float = 5.0
    ) -> None:
        """Async twin of :meth:`copy_thread`."""
        await asyncio.to_thread(
            lambda: self.copy_thread(source_thread_id, target_thread_id, wait=wait)
        )

    async def adelete_for_runs(self, run_ids: Sequence[str], *, wait: float = 5.0) -> None:
        """Async twin of :meth:`delete_for_runs`."""
        await asyncio.to_thread(lambda: self.delete_for_runs(run_ids, wait=wait))

    async def asweep(
        self,
        policy: RetentionPolicy | None = None,
        *,
        now: datetime | None = None,
        wait: float = 0.0,
    ) -> SweepReport:
        """Async twin of :meth:`sweep`."""
        return await asyncio.to_thread(lambda: self.sweep(policy, now=now, wait=wait))


def _still_busy(
    action: str, refused: Sequence[str], wait: float, asked: int, done: str
) -> ThreadBusyError:
    shown = ", ".join(repr(thread_id) for thread_id in refused[:10])
    more = f" and {len(refused) - 10} more" if len(refused) > 10 else ""
    return ThreadBusyError(
        f"{action}: thread {shown}{more} ({len(refused)} of {asked}) is being run by another "
        f"caller (maybe another process) and was not released within {wait:g}s, so it was "
        f"left as it was; every other thread was {done}. Try again once its run finishes, "
        "or raise wait=."
    )


class Sweeper:
    """Runs ``saver.sweep(policy)`` every ``every`` seconds in a background thread.

    A sweep that fails stops the sweeper; :meth:`stop` (or leaving the ``with``
    block) raises its error, so a failure is never lost.

    Example::

        with Sweeper(saver, RetentionPolicy(ttl=timedelta(days=7)), every=3600):
            serve()
    """

    def __init__(self, saver: Lifecycle, policy: RetentionPolicy, *, every: float) -> None:
        if every <= 0:
            raise InvalidConfigError(f"Sweeper(every={every}): use a positive number of seconds")
        self.saver, self.policy, self.every = saver, policy, every
        self.reports: list[SweepReport] = []
        self._stopped = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._loop, name="cairngraph-sweeper", daemon=True)

    def start(self) -> Sweeper:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop after the sweep in progress; raise the error that stopped it, if any."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join()
        if self._error is not None:
            raise self._error

    def __enter__(self) -> Sweeper:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _loop(self) -> None:
        while not self._stopped.is_set():
            try:
                self.reports.append(self.saver.sweep(self.policy))
            except Exception as error:  # noqa: BLE001 - handed to stop(), never lost
                self._error = error
                return
            self._stopped.wait(self.every)
