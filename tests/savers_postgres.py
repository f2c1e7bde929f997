"""The PostgreSQL savers under test, each test in a fresh schema of the real server.

``postgres`` is the sync saver over a pool; ``postgres-blobs`` the same with every
stored value in a blob directory. ``postgres-async`` is the async
saver, its pool living on an event loop of its own in a background thread
(as in a web server): the tests reach it through its sync methods from the
main thread and through its async methods from ``asyncio.run`` loops, which
exercises handing work to the saver's home loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from pathlib import Path

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.checkpoint.blobs import DirectoryBlobStore
from cairngraph.checkpoint.postgres import PostgresSaver
from cairngraph.checkpoint.postgres.aio import AsyncPostgresSaver
from tests.postgres_server import fresh_schema, schema_url


@contextmanager
def _postgres(tmp_path: Path) -> Iterator[BaseCheckpointSaver]:
    with (
        fresh_schema() as (url, schema),
        PostgresSaver.from_conn_string(schema_url(url, schema), max_size=20) as saver,
    ):
        saver.setup()
        yield saver


@contextmanager
def _postgres_blobs(tmp_path: Path) -> Iterator[BaseCheckpointSaver]:
    """Every stored value (any not inline) in a blob directory."""
    blobs = DirectoryBlobStore(tmp_path / "blobs")
    with (
        fresh_schema() as (url, schema),
        PostgresSaver.from_conn_string(
            schema_url(url, schema), max_size=20, blobs=blobs, blob_threshold=0
        ) as saver,
    ):
        saver.setup()
        yield saver


@contextmanager
def background_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """An event loop running in a thread of its own, stopped and closed afterwards."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="saver-loop", daemon=True)
    thread.start()
    try:
        yield loop
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


@contextmanager
def _postgres_async(tmp_path: Path) -> Iterator[BaseCheckpointSaver]:
    async def open_saver(url: str) -> tuple[AsyncExitStack, AsyncPostgresSaver]:
        stack = AsyncExitStack()
        saver = await stack.enter_async_context(
            AsyncPostgresSaver.from_conn_string(url, max_size=20)
        )
        await saver.setup()
        return stack, saver

    with fresh_schema() as (url, schema), background_loop() as loop:
        opening = open_saver(schema_url(url, schema))
        stack, saver = asyncio.run_coroutine_threadsafe(opening, loop).result(30)
        try:
            yield saver
        finally:
            asyncio.run_coroutine_threadsafe(stack.aclose(), loop).result(30)


FACTORIES = {
    "postgres": _postgres,
    "postgres-async": _postgres_async,
    "postgres-blobs": _postgres_blobs,
}
