"""Every store under test, by name: each a context manager taking the test's options.

``postgres-async`` keeps its pool on an event loop of its own in a background
thread (as in a web server); tests reach it through its sync methods from
the main thread and its async methods from ``asyncio.run`` loops.
"""

from __future__ import annotations

import asyncio
import inspect
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, AsyncExitStack, contextmanager
from pathlib import Path
from typing import Any

from cairngraph.checkpoint.serde import EncryptedSerializer, MsgpackSerializer
from cairngraph.store.base import BaseStore
from cairngraph.store.memory import InMemoryStore
from cairngraph.store.postgres import PostgresStore
from cairngraph.store.postgres.aio import AsyncPostgresStore
from cairngraph.store.sqlite import SqliteStore
from cairngraph.store.sqlite.aio import AsyncSqliteStore
from tests.postgres_server import fresh_schema, schema_url
from tests.savers_postgres import background_loop

Options = dict[str, Any]
Factory = Callable[[Path, Options], AbstractContextManager[BaseStore]]


def encrypting() -> EncryptedSerializer:
    return EncryptedSerializer(MsgpackSerializer(), keys={"test": os.urandom(32)})


@contextmanager
def _memory(tmp_path: Path, options: Options) -> Iterator[BaseStore]:
    options.pop("serde", None)  # values never leave the process
    yield InMemoryStore(**options)


@contextmanager
def _sqlite_file(tmp_path: Path, options: Options) -> Iterator[BaseStore]:
    with SqliteStore.from_conn_string(tmp_path / "store.db", **options) as store:
        store.setup()
        yield store


@contextmanager
def _sqlite_memory(tmp_path: Path, options: Options) -> Iterator[BaseStore]:
    with SqliteStore.from_conn_string(":memory:", **options) as store:
        yield store  # no setup(): the store sets itself up on first use


@contextmanager
def _sqlite_encrypted(tmp_path: Path, options: Options) -> Iterator[BaseStore]:
    options.setdefault("serde", encrypting())
    with SqliteStore.from_conn_string(tmp_path / "store.db", **options) as store:
        yield store


@contextmanager
def _sqlite_async(tmp_path: Path, options: Options) -> Iterator[BaseStore]:
    store = AsyncSqliteStore(tmp_path / "store.db", **options)
    asyncio.run(store.setup())
    try:
        yield store
    finally:
        store.close()


@contextmanager
def _postgres(tmp_path: Path, options: Options) -> Iterator[BaseStore]:
    with (
        fresh_schema() as (url, schema),
        PostgresStore.from_conn_string(schema_url(url, schema), **options) as store,
    ):
        store.setup()
        yield store


@contextmanager
def _postgres_async(tmp_path: Path, options: Options) -> Iterator[BaseStore]:
    async def open_store(url: str) -> tuple[AsyncExitStack, AsyncPostgresStore]:
        stack = AsyncExitStack()
        store = await stack.enter_async_context(AsyncPostgresStore.from_conn_string(url, **options))
        await store.setup()
        return stack, store

    with fresh_schema() as (url, schema), background_loop() as loop:
        opening = open_store(schema_url(url, schema))
        stack, store = asyncio.run_coroutine_threadsafe(opening, loop).result(30)
        try:
            yield store
        finally:
            asyncio.run_coroutine_threadsafe(stack.aclose(), loop).result(30)


STORES: dict[str, Factory] = {
    "memory": _memory,
    "sqlite-file": _sqlite_file,
    "sqlite-memory": _sqlite_memory,
    "sqlite-encrypted": _sqlite_encrypted,
    "sqlite-async": _sqlite_async,
    "postgres": _postgres,
    "postgres-async": _postgres_async,
}


def sweep(store: BaseStore) -> int:
    """``store.sweep_ttl()``, sync or async as the store has it."""
    result = store.sweep_ttl()  # type: ignore[attr-defined]
    if inspect.isawaitable(result):
        return int(asyncio.run(_awaited(result)))
    return int(result)


async def _awaited(result: Any) -> Any:
    return await result
