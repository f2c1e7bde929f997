"""The long-term Store, both libraries side by side (group ``store``: ``--only store``).

Workloads, on SQLite (a file in a temporary folder, each library's
``SqliteStore.from_conn_string`` with its defaults) and on PostgreSQL (each
library's ``PostgresStore.from_conn_string`` in a fresh schema of its own):

1. 10,000 puts (``--quick``: 500), one ``put`` per call as a node makes them,
   into 100 namespaces ``("bench", "u<i % 100>")``, values
   ``{"text": ..., "group": i % 10, "n": i}``: µs per put (total / count).
2. 100 searches (``--quick``: 10) without a query, over the whole prefix
   ``("bench",)``, ``limit=10``: µs per search, the median.
3. The same 10,000 puts with an index (``fields=["text"]``, 16 dimensions,
   the cheap deterministic embed function :func:`embed`, the same for both).
4. 100 searches with ``query=`` on that store, ``limit=10``: µs, the median.
5. The same 10,000 puts (no index) as 100 calls of ``batch()`` with 100
   ``PutOp`` each, as a program writing many memories at once would: µs per
   put. Each batch commits once in both libraries.
6. PostgreSQL only, puts made at the same time: the same 10,000 puts (no
   index) from 8 threads sharing one ``PostgresStore`` (1,250 puts each),
   and from 100 coroutines sharing one ``AsyncPostgresStore`` (100 ``aput``
   each, awaited in turn, the coroutines gathered), as a web server's
   requests make them: µs per put (total / count). Each library with its
   ``from_conn_string`` defaults. cairngraph's async store merges the puts
   that wait at once into one statement and one commit (group commit; each
   put returns once it is committed); its sync store is a pool, each thread
   writing on its own connection (the server merges concurrent commits'
   flushes). LangGraph's async store merges the operations queued in one
   tick of the loop (one pipeline, one commit); its sync store has one
   connection, one put at a time.
7. SQLite only: the 10,000 lone puts with cairngraph's store at
   ``synchronous="FULL"``, so that both libraries sync every put to disk
   (LangGraph's store, in SQLite's default rollback journal, always does;
   cairngraph's default, ``"NORMAL"``, survives a killed process but may
   lose the last puts on power loss).
8. PostgreSQL only: the 10,000 lone puts of 1. with both libraries' sessions at
   ``synchronous_commit=off`` (set in the connection string), so that no put
   waits for the WAL flush: what remains is each library's own cost a put (and
   one round trip). An application may choose this setting (a server crash can
   lose the last commits, never corrupts); neither library sets it itself.

On PostgreSQL every put and batch is durable when it returns, in both
libraries: one round trip, one commit, which waits for the server's WAL
flush (``synchronous_commit`` as the server sets it, ``on`` by default).
That flush, not the library, is most of a lone put; after the table it is
printed, measured in this run with bare psycopg (one autocommitted
single-row upsert, with the server's ``synchronous_commit`` and with it
``off``).

Each search row runs on the store its put row filled last (so a store is
filled once per repeat, not once per row). LangGraph's stores need a vector
extension for an index: sqlite-vec (which this Python's ``sqlite3`` cannot
load: it has no ``enable_load_extension``) and pgvector (not installed on
this server). Where LangGraph cannot run a row, its figure is ``nan`` and the
reason is printed after the table.
"""

from __future__ import annotations

import asyncio
import atexit
import importlib
import math
import statistics
import tempfile
import threading
import time
import uuid
import zlib
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from benchmarks.engines import Engine
from benchmarks.postgres import URL
from benchmarks.workloads import Workload

DIMS = 16
BATCH = 100
_filled: dict[tuple[str, str, bool, int], Any] = {}
_stacks: dict[tuple[str, str, bool, int], ExitStack] = {}
_failures: dict[str, str] = {}
_floor: dict[str, list[float]] = {"on": [], "off": []}


def embed(texts: list[str]) -> list[list[float]]:
    """A cheap, deterministic embedding: CRC32 of the text and position, scaled."""
    vectors = []
    for text in texts:
        seed = zlib.crc32(text.encode())
        vectors.append([((seed >> (j % 24)) % 97 + j) / 100.0 for j in range(DIMS)])
    return vectors


def _open_sqlite(
    engine: Engine, stack: ExitStack, options: dict[str, Any], commit_off: bool = False
) -> Any:
    module = importlib.import_module(f"{engine.name}.store.sqlite")
    folder = stack.enter_context(tempfile.TemporaryDirectory())
    store = stack.enter_context(
        module.SqliteStore.from_conn_string(str(Path(folder) / "store.db"), **options)
    )
    store.setup()
    return store


def _schema_url(engine: Engine, stack: ExitStack, commit_off: bool = False) -> str:
    """The URL of a fresh schema for ``engine`` (dropped when ``stack`` closes);
    ``commit_off``: its sessions run with ``synchronous_commit=off``."""
    import psycopg

    schema = f"bench_store_{engine.name}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(URL, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')

    def drop() -> None:
        with psycopg.connect(URL, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')

    stack.callback(drop)
    settings = "%20-csynchronous_commit%3Doff" if commit_off else ""
    return f"{URL}{'&' if '?' in URL else '?'}options=-csearch_path%3D{schema}{settings}"


def _open_postgres(
    engine: Engine, stack: ExitStack, options: dict[str, Any], commit_off: bool = False
) -> Any:
    module = importlib.import_module(f"{engine.name}.store.postgres")
    url = _schema_url(engine, stack, commit_off)
    store = stack.enter_context(module.PostgresStore.from_conn_string(url, **options))
    store.setup()
    return store


_OPENERS = {"SQLite": _open_sqlite, "PostgreSQL": _open_postgres}


def _close_all() -> None:
    for stack in _stacks.values():
        stack.close()
    _stacks.clear()


atexit.register(_close_all)


def _value(i: int) -> dict[str, Any]:
    return {"text": f"note {i} about topic {i % 37}", "group": i % 10, "n": i}


def puts(
    backend: str, indexed: bool, batch: int = 1, full_sync: bool = False, commit_off: bool = False
) -> Callable[[Engine, bool], float]:
    """Fill a fresh store with one put per call (``batch=1``) or ``batch`` puts a call;
    ``full_sync``: cairngraph's SQLite store with ``synchronous="FULL"``; ``commit_off``:
    both libraries' PostgreSQL sessions with ``synchronous_commit=off``."""

    def run(engine: Engine, quick: bool) -> float:
        variant = -1 if full_sync else -2 if commit_off else batch  # searches read slot 1
        slot = (engine.name, backend, indexed, variant)
        if slot in _stacks:
            _stacks.pop(slot).close()
            _filled.pop(slot, None)
        stack = ExitStack()
        _stacks[slot] = stack
        options: dict[str, Any] = {}
        if indexed:
            options["index"] = {"embed": embed, "dims": DIMS, "fields": ["text"]}
        if full_sync and engine.name == "cairngraph":
            options["synchronous"] = "FULL"  # LangGraph's SqliteStore syncs every commit
        try:
            store = _OPENERS[backend](engine, stack, options, commit_off)
            count = 500 if quick else 10_000
            if batch == 1:
                started = time.perf_counter()
                for i in range(count):
                    store.put(("bench", f"u{i % 100}"), f"k{i}", _value(i))
            else:
                put_op = importlib.import_module(f"{engine.name}.store.base").PutOp
                started = time.perf_counter()
                for first in range(0, count, batch):
                    store.batch(
                        [
                            put_op(("bench", f"u{i % 100}"), f"k{i}", _value(i))
                            for i in range(first, min(first + batch, count))
                        ]
                    )
            elapsed = time.perf_counter() - started
        except Exception as error:  # noqa: BLE001 - a library that cannot run the row
            _failures[f"{engine.name} {backend} index={indexed}"] = (
                f"{type(error).__name__}: {str(error).splitlines()[0]}"
            )
            stack.close()
            del _stacks[slot]
            return math.nan
        _filled[slot] = store
        lone = batch == 1 and not indexed and not commit_off
        if backend == "PostgreSQL" and lone and engine.name == "langgraph":
            _measure_floor(quick)  # once a repeat, after both libraries' lone puts
        return elapsed / count * 1e6

    return run


def threaded_puts(threads: int) -> Callable[[Engine, bool], float]:
    """The puts from ``threads`` threads sharing one sync ``PostgresStore``."""

    def run(engine: Engine, quick: bool) -> float:
        module = importlib.import_module(f"{engine.name}.store.postgres")
        count = 500 if quick else 10_000
        each = count // threads
        with ExitStack() as stack:
            store = stack.enter_context(
                module.PostgresStore.from_conn_string(_schema_url(engine, stack))
            )
            store.setup()

            def work(first: int) -> None:
                for i in range(first, first + each):
                    store.put(("bench", f"u{i % 100}"), f"k{i}", _value(i))

            workers = [threading.Thread(target=work, args=(t * each,)) for t in range(threads)]
            started = time.perf_counter()
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            elapsed = time.perf_counter() - started
        return elapsed / (each * threads) * 1e6

    return run


def gathered_puts(tasks: int) -> Callable[[Engine, bool], float]:
    """The puts from ``tasks`` coroutines sharing one ``AsyncPostgresStore``."""

    async def fill(engine: Engine, url: str, count: int) -> float:
        module = importlib.import_module(f"{engine.name}.store.postgres.aio")
        each = count // tasks
        async with module.AsyncPostgresStore.from_conn_string(url) as store:
            await store.setup()

            async def work(first: int) -> None:
                for i in range(first, first + each):
                    await store.aput(("bench", f"u{i % 100}"), f"k{i}", _value(i))

            started = time.perf_counter()
            await asyncio.gather(*(work(t * each) for t in range(tasks)))
            return (time.perf_counter() - started) / (each * tasks) * 1e6

    def run(engine: Engine, quick: bool) -> float:
        with ExitStack() as stack:
            url = _schema_url(engine, stack)
            return asyncio.run(fill(engine, url, 500 if quick else 10_000))

    return run


def _measure_floor(quick: bool) -> None:
    """Bare psycopg: µs per autocommitted single-row upsert (into a logged table of a fresh
    schema), with the server's ``synchronous_commit`` and with it off."""
    import psycopg

    count = 100 if quick else 1_000
    schema = f"bench_floor_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            conn.execute(
                f'CREATE TABLE "{schema}".floor (ns text, key text, body bytea, '
                "PRIMARY KEY (ns, key))"
            )
            upsert = (
                f'INSERT INTO "{schema}".floor VALUES (%s, %s, %s) ON CONFLICT (ns, key) '
                "DO UPDATE SET body = excluded.body"
            )
            for setting in ("on", "off"):
                conn.execute("SELECT set_config('synchronous_commit', %s, false)", (setting,))
                started = time.perf_counter()
                for i in range(count):
                    conn.execute(upsert, (setting, f"k{i}", b"x" * 64))
                _floor[setting].append((time.perf_counter() - started) / count * 1e6)
        finally:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def searches(backend: str, indexed: bool) -> Callable[[Engine, bool], float]:
    def run(engine: Engine, quick: bool) -> float:
        store = _filled.get((engine.name, backend, indexed, 1))
        if store is None:
            return math.nan  # its put row could not run; the reason is printed
        times = []
        for i in range(10 if quick else 100):
            query = f"topic {i % 37}" if indexed else None
            started = time.perf_counter()
            found = store.search(("bench",), query=query, limit=10)
            times.append(time.perf_counter() - started)
            assert len(found) == 10, found
        return statistics.median(times) * 1e6

    return run


def _details() -> list[str]:
    lines = []
    if _floor["on"]:
        on, off = (statistics.median(_floor[setting]) for setting in ("on", "off"))
        lines += [
            "store PostgreSQL: the server's commit, bare psycopg (one autocommitted "
            f"single-row upsert): {on:.1f} µs; {off:.1f} µs with synchronous_commit=off.",
            "  A lone put in either library waits for one such commit (one round trip, one WAL "
            "flush); the difference is the flush.",
        ]
    lines += ["store: rows LangGraph could not run (nan):"] if _failures else []
    lines += [f"  {where}: {reason[:160]}" for where, reason in sorted(_failures.items())]
    return lines


WORKLOADS = [
    workload
    for backend in ("SQLite", "PostgreSQL")
    for workload in (
        Workload(f"store {backend}: 10k puts", "µs/put", puts(backend, False), "store"),
        Workload(
            f"store {backend}: search, no index", "µs/search", searches(backend, False), "store"
        ),
        Workload(f"store {backend}: 10k puts, index", "µs/put", puts(backend, True), "store"),
        Workload(f"store {backend}: search, query", "µs/search", searches(backend, True), "store"),
        Workload(
            f"store {backend}: 10k puts, batches of {BATCH}",
            "µs/put",
            puts(backend, False, BATCH),
            "store",
            _details if backend == "PostgreSQL" else None,
        ),
        *(
            [
                Workload(
                    f"store {backend}: 10k puts, 8 threads", "µs/put", threaded_puts(8), "store"
                ),
                Workload(
                    f"store {backend}: 10k aputs, 100 coroutines",
                    "µs/put",
                    gathered_puts(100),
                    "store",
                ),
                Workload(
                    f"store {backend}: 10k puts, both synchronous_commit=off",
                    "µs/put",
                    puts(backend, False, commit_off=True),
                    "store",
                ),
            ]
            if backend == "PostgreSQL"
            else []
        ),
        *(
            [
                Workload(
                    f"store {backend}: 10k puts, synchronous=FULL",
                    "µs/put",
                    puts(backend, False, full_sync=True),
                    "store",
                )
            ]
            if backend == "SQLite"
            else []
        ),
    )
]
