"""The background TTL sweepers: a thread for sync stores, a task for async ones.

Invariants:

- A sweeper calls the store's ``sweep_ttl`` every ``sweep_interval_minutes``
  (the argument, else ``ttl_config["sweep_interval_minutes"]``, else 5) until
  stopped; starting one while one runs returns the running one.
- A sweep that fails is logged with its error and the sweeper keeps going: a
  server restarting must not end expiry for the life of the process. Its
  error is not swallowed: ``logging`` reports it at ERROR with the traceback.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from abc import ABC, abstractmethod
from typing import Any

__all__ = ["AsyncSweeper", "ThreadSweeper"]

_log = logging.getLogger("cairngraph.store")


def _interval(store: Any, minutes: float | None) -> float:
    chosen = minutes or (store.ttl_config or {}).get("sweep_interval_minutes") or 5
    if chosen <= 0:
        raise ValueError(f"sweep_interval_minutes={chosen!r}: give a positive number of minutes")
    return float(chosen) * 60


class ThreadSweeper(ABC):
    """Mixin: ``start_ttl_sweeper()``/``stop_ttl_sweeper()`` around the store's ``sweep_ttl()``.

    Example::

        future = store.start_ttl_sweeper(sweep_interval_minutes=1)
        ...
        store.stop_ttl_sweeper()
    """

    def __init__(self) -> None:
        self._sweeper: threading.Thread | None = None
        self._sweeper_done: concurrent.futures.Future[None] | None = None
        self._stop = threading.Event()

    @abstractmethod
    def sweep_ttl(self) -> int:
        """Delete every expired item now; return how many."""

    def start_ttl_sweeper(
        self, sweep_interval_minutes: float | None = None
    ) -> concurrent.futures.Future[None]:
        """Sweep expired items in a daemon thread; the future completes when it stops."""
        if self._sweeper is not None and self._sweeper.is_alive() and self._sweeper_done:
            return self._sweeper_done
        seconds = _interval(self, sweep_interval_minutes)
        done: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._stop.clear()

        def loop() -> None:
            while not self._stop.wait(seconds):
                try:
                    count = self.sweep_ttl()
                except Exception:  # noqa: BLE001 - logged with its traceback; the next sweep retries
                    _log.exception("TTL sweep of %r failed; trying again next interval", self)
                else:
                    _log.debug("TTL sweep deleted %d expired items", count)
            done.set_result(None)

        self._sweeper = threading.Thread(target=loop, name="cairngraph-ttl-sweeper", daemon=True)
        self._sweeper_done = done
        self._sweeper.start()
        return done

    def stop_ttl_sweeper(self, timeout: float | None = None) -> bool:
        """Stop the sweeper; True when it stopped within ``timeout`` seconds (or none ran)."""
        if self._sweeper is None:
            return True
        self._stop.set()
        self._sweeper.join(timeout)
        stopped = not self._sweeper.is_alive()
        if stopped:
            self._sweeper = None
        return stopped


class AsyncSweeper(ABC):
    """Mixin for async stores: the sweeper is an asyncio task awaiting ``sweep_ttl()``.

    Example::

        task = await store.start_ttl_sweeper()
        ...
        await store.stop_ttl_sweeper()
    """

    def __init__(self) -> None:
        self._sweep_task: asyncio.Task[None] | None = None

    @abstractmethod
    async def _sweep_once(self) -> int:
        """Delete every expired item now; return how many."""

    async def start_ttl_sweeper(
        self, sweep_interval_minutes: float | None = None
    ) -> asyncio.Task[None]:
        """Sweep expired items in a task of the running loop; cancel or stop it to end."""
        if self._sweep_task is not None and not self._sweep_task.done():
            return self._sweep_task
        seconds = _interval(self, sweep_interval_minutes)

        async def loop() -> None:
            while True:
                await asyncio.sleep(seconds)
                try:
                    count = await self._sweep_once()
                except Exception:  # noqa: BLE001 - logged with its traceback; the next sweep retries
                    _log.exception("TTL sweep of %r failed; trying again next interval", self)
                else:
                    _log.debug("TTL sweep deleted %d expired items", count)

        self._sweep_task = asyncio.get_running_loop().create_task(loop())
        return self._sweep_task

    async def stop_ttl_sweeper(self, timeout: float | None = None) -> bool:
        """Cancel the sweeper task; True when it ended within ``timeout`` seconds (or none ran)."""
        task, self._sweep_task = self._sweep_task, None
        if task is None or task.done():
            return True
        task.cancel()
        done, _ = await asyncio.wait([task], timeout=timeout)
        return bool(done)
