"""Background saving for ``durability="async"``: steps saved in order, in batches.

The run hands each step to the writer and goes on. The writer saves what has
queued up so far in one call (``put_steps``), so a run that outpaces its store
pays one commit per batch instead of one per step. ``flush`` waits for
everything queued and re-raises the first failure; after a failure nothing
more is saved, so the store never holds a step whose predecessor is missing.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading

from cairngraph.checkpoint.base import BaseCheckpointSaver, StepSave

__all__ = ["AsyncWriter", "ThreadWriter"]


class ThreadWriter:
    """Saves queued steps on one worker thread (the sync driver's writer)."""

    def __init__(self, saver: BaseCheckpointSaver) -> None:
        self._saver = saver
        self._queue: list[StepSave] = []
        self._busy = False
        self._error: BaseException | None = None
        self._closed = False
        self._cond = threading.Condition()
        # The writer runs in the run's context, so a saver that keeps a connection per
        # run (PostgreSQL) saves through it instead of waiting for another one.
        self._thread = threading.Thread(
            target=contextvars.copy_context().run,
            args=(self._work,),
            name="cairngraph-writer",
            daemon=True,
        )
        self._thread.start()

    def submit(self, step: StepSave) -> None:
        with self._cond:
            self._raise()
            self._queue.append(step)
            self._cond.notify_all()

    def flush(self) -> None:
        with self._cond:
            self._cond.wait_for(lambda: (not self._queue and not self._busy) or self._error)
            self._raise()

    def close(self) -> None:
        with self._cond:
            self._cond.wait_for(lambda: (not self._queue and not self._busy) or self._error)
            self._closed = True
            self._cond.notify_all()
        self._thread.join()

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            self._queue.clear()
            raise error

    def _work(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._queue or self._closed)
                if not self._queue:
                    return
                batch, self._queue = self._queue, []
                self._busy = True
            try:
                self._saver.put_steps(batch)
            except BaseException as error:  # noqa: BLE001 - handed to the run at its next flush
                with self._cond:
                    self._error = error
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()


class AsyncWriter:
    """The async driver's writer: one task drains the queue with ``aput_steps``."""

    def __init__(self, saver: BaseCheckpointSaver) -> None:
        self._saver = saver
        self._queue: list[StepSave] = []
        self._task: asyncio.Task[None] | None = None
        self._error: BaseException | None = None

    def submit(self, step: StepSave) -> None:
        if self._error is not None:
            self._fail()
        self._queue.append(step)
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._drain())

    async def flush(self) -> None:
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)
        if self._error is not None:
            self._fail()

    def _fail(self) -> None:
        error, self._error = self._error, None
        self._queue.clear()
        assert error is not None
        raise error

    async def _drain(self) -> None:
        while self._queue and self._error is None:
            batch, self._queue = self._queue, []
            try:
                await self._saver.aput_steps(batch)
            except BaseException as error:  # noqa: BLE001 - handed to the run at its next flush
                self._error = error
