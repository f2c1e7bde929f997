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

Each search row runs on the store its put row filled last (so a store is
filled once per repeat, not once per row). LangGraph's stores need a vector
extension for an index: sqlite-vec (which this Python's ``sqlite3`` cannot
load: it has no ``enable_load_extension``) and pgvector (not installed on
this server). Where LangGraph cannot run a row, its figure is ``nan`` and the
reason is printed after the table.
"""

from __future__ import annotations

import atexit
import importlib
import math
import statistics
import tempfile
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
_filled: dict[tuple[str, str, bool], Any] = {}
_stacks: dict[tuple[str, str, bool], ExitStack] = {}
_failures: dict[str, str] = {}


def embed(texts: list[str]) -> list[list[float]]:
    """A cheap, deterministic embedding: CRC32 of the text and position, scaled."""
    vectors = []
    for text in texts:
        seed = zlib.crc32(text.encode())
        vectors.append([((seed >> (j % 24)) % 97 + j) / 100.0 for j in range(DIMS)])
    return vectors


def _open_sqlite(engine: Engine, stack: ExitStack, options: dict[str, Any]) -> Any:
    module = importlib.import_module(f"{engine.name}.store.sqlite")
    folder = stack.enter_context(tempfile.TemporaryDirectory())
    store = stack.enter_context(
        module.SqliteStore.from_conn_string(str(Path(folder) / "store.db"), **options)
    )
    store.setup()
    return store


def _open_postgres(engine: Engine, stack: ExitStack, options: dict[str, Any]) -> Any:
    import psycopg

    module = importlib.import_module(f"{engine.name}.store.postgres")
    schema = f"bench_store_{engine.name}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(URL, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')

    def drop() -> None:
        with psycopg.connect(URL, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')

    stack.callback(drop)
    url = f"{URL}{'&' if '?' in URL else '?'}options=-csearch_path%3D{schema}"
    store = stack.enter_context(module.PostgresStore.from_conn_string(url, **options))
    store.setup()
    return store


_OPENERS = {"SQLite": _open_sqlite, "PostgreSQL": _open_postgres}


def _close_all() -> None:
    for stack in _stacks.values():
        stack.close()
    _stacks.clear()


atexit.register(_close_all)


def puts(backend: str, indexed: bool) -> Callable[[Engine, bool], float]:
    def run(engine: Engine, quick: bool) -> float:
        slot = (engine.name, backend, indexed)
        if slot in _stacks:
            _stacks.pop(slot).close()
            _filled.pop(slot, None)
        stack = ExitStack()
        _stacks[slot] = stack
        options = {"index": {"embed": embed, "dims": DIMS, "fields": ["text"]}} if indexed else {}
        try:
            store = _OPENERS[backend](engine, stack, options)
            count = 500 if quick else 10_000
            started = time.perf_counter()
            for i in range(count):
                value = {"text": f"note {i} about topic {i % 37}", "group": i % 10, "n": i}
                store.put(("bench", f"u{i % 100}"), f"k{i}", value)
            elapsed = time.perf_counter() - started
        except Exception as error:  # noqa: BLE001 - a library that cannot run the row
            _failures[f"{engine.name} {backend} index={indexed}"] = (
                f"{type(error).__name__}: {str(error).splitlines()[0]}"
            )
            stack.close()
            del _stacks[slot]
            return math.nan
        _filled[slot] = store
        return elapsed / count * 1e6

    return run


def searches(backend: str, indexed: bool) -> Callable[[Engine, bool], float]:
    def run(engine: Engine, quick: bool) -> float:
        store = _filled.get((engine.name, backend, indexed))
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
    lines = ["store: rows LangGraph could not run (nan):"] if _failures else []
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
        Workload(
            f"store {backend}: search, query",
            "µs/search",
            searches(backend, True),
            "store",
            _details if backend == "PostgreSQL" else None,
        ),
    )
]
