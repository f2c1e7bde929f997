"""The event loop an async saver's connections belong to, and handing work to it.

Invariants:

- The home is the loop the saver was created on, else the first loop that
  awaits it; it never changes afterwards.
- Work awaited from another loop runs on the home loop and is awaited from
  afar; work from a plain thread blocks that thread until it is done. Neither
  ever blocks the home loop itself: that is refused with an error saying
  what to use instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from cairngraph.errors import InvalidConfigError

__all__ = ["HomeLoop"]

T = TypeVar("T")


class HomeLoop:
    """Example::

    home = HomeLoop()              # inside a coroutine: the running loop is home
    await home.run(fetch())        # from any loop
    home.block_on(fetch())         # from a thread that is not the home loop's
    """

    def __init__(self) -> None:
        try:
            self.loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            self.loop = None

    async def run(self, work: Coroutine[Any, Any, T]) -> T:
        running = asyncio.get_running_loop()
        if self.loop is None:
            self.loop = running
        if self.loop is running:
            return await work
        if self.loop.is_closed() or not self.loop.is_running():
            work.close()
            raise InvalidConfigError(
                "AsyncPostgresSaver's event loop is no longer running, so its connections "
                "cannot be used; create the saver in the event loop that uses it (async with "
                "AsyncPostgresSaver.from_conn_string(uri) as saver: ...)"
            )
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, self.loop))

    def block_on(self, work: Coroutine[Any, Any, T]) -> T:
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if self.loop is None or running is self.loop or not self.loop.is_running():
            work.close()
            raise InvalidConfigError(
                "AsyncPostgresSaver's sync methods work only from another thread while its "
                "event loop runs; use the async API (ainvoke, aget_state, ...) or PostgresSaver"
            )
        return asyncio.run_coroutine_threadsafe(work, self.loop).result()
