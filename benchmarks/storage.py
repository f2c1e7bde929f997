"""The storage workloads of issue 11, both engines side by side.

Groups: the SQLite workloads are group ``storage`` (``--only storage``); the
PostgreSQL ones (the 100-node chain, its durability variants, and the 200 KB
bytes-per-step workload) are group ``postgres`` (``--only postgres``), so a run
of ``--only storage`` needs no server. The SQLite durability variants of the
chain are group ``sqlite``. Each is measured by the same function as the
``storage`` row it varies, so there is one definition per workload.

Sizes (``--quick`` shrinks them, for the smoke test only):

1. A 100-node chain over ``{count: int}``, each node adding one, on a real
   SQLite file with each library's ``SqliteSaver`` and its default durability
   (cairngraph: ``"sync"``, LangGraph: ``"async"``): µs per node step, the
   median over invokes, each on a new thread, of one invoke's time / 100.
2. One thread holding 1,020 checkpoints: that chain invoked 10 times on the
   same thread, each time with ``{"count": 0}``. Both libraries save 102
   checkpoints per invoke (the input, ``__start__``, then one per node), so
   ``len(list(saver.list(config)))`` is 1,020 for each; the count is printed
   after the table, per engine, so a difference would show. The thread is built
   once per engine and repeat; then ``get_state`` (median of 50 calls), the
   whole ``get_state_history`` (median of 10) and a page of 10 (median of 50),
   µs per call.
3. 200 threads, each one run of the tutorial's two-node joke graph
   (:func:`benchmarks.workloads.tutorial`): ``list(saver.list(None))``, µs per
   call (median of 20); two more rows then read each tuple's metadata, or every
   field of each (SQLite's ``list()`` opens a row when it is first read).
4. The chain of 1. on each library's ``PostgresSaver``, each engine in a fresh
   schema of its own (:func:`benchmarks.postgres.saver`).
5. The "200 KB workload": state ``{big: str, n: int}``; the first node sets
   ``big`` to a 200,000-character random string, then 50 nodes each return only
   ``{"n": n + 1}``. A new thread per invoke; one warm-up invoke, then 5 whose
   growth of the store is divided by 5 x 51 steps. The issue's workload sets
   one string (``random.Random(0)``) in every thread, so a store may keep it
   once across threads; a second row gives invoke ``i`` the string of
   ``random.Random(i)``, different per thread, so no store can share it (its
   floor is 200,000 / 51 = 3.9 KB a step for the one copy each thread needs). SQLite's
   growth is read from ``dbstat`` (every b-tree of the file, tables and indexes,
   by name), or from page_count x page_size where the ``sqlite3`` module lacks
   ``dbstat``; PostgreSQL's from ``pg_total_relation_size`` of every table of
   the engine's schema (indexes and TOAST included). The table shows the total;
   the bytes per step of each table are printed after it.
6. The 200 KB workload of 5. (distinct strings), cairngraph's saver given a
   ``DirectoryBlobStore`` (default threshold, 64 KiB): the table shows the
   database's growth per step, beside LangGraph's saver as it is (it has no
   blob store); the notes add the blob directory's growth per step
   (``(blob store)``: the sum of its objects' sizes).
"""

from __future__ import annotations

import itertools
import os
import random
import sqlite3
import statistics
import string
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from typing_extensions import TypedDict

from benchmarks.engines import Engine
from benchmarks.workloads import Workload, _config, _timed, chain, tutorial


class Count(TypedDict):
    count: int


class BigState(TypedDict):
    big: str
    n: int


def _add_one(state: Count) -> dict[str, int]:
    return {"count": state["count"] + 1}


def _next_n(state: BigState) -> dict[str, int]:
    return {"n": state["n"] + 1}


@dataclass
class Notes:
    """Figures a workload prints after the table: one row per key, one column per engine.

    Each repeat adds one sample per (engine, key); the median is printed.
    """

    title: str
    unit: str
    samples: dict[str, dict[str, list[float]]] = field(default_factory=dict)

    def add(self, engine: str, key: str, value: float) -> None:
        self.samples.setdefault(engine, {}).setdefault(key, []).append(value)

    def lines(self) -> list[str]:
        if not self.samples:
            return []
        engines = sorted(self.samples)
        keys = sorted({key for by_key in self.samples.values() for key in by_key})
        keys.sort(key=lambda key: key == "total")  # the total last
        width = max(len(key) for key in keys) + 2
        header = f"  {'':<{width}}" + "".join(f"{name:>14}" for name in engines)
        lines = [f"{self.title} ({self.unit}):", header]
        for key in keys:
            cells = []
            for name in engines:
                values = self.samples[name].get(key)
                cells.append(f"{statistics.median(values):>14.1f}" if values else f"{'-':>14}")
            lines.append(f"  {key:<{width}}" + "".join(cells))
        return lines


def _sizes(quick: bool) -> tuple[int, int]:
    """Chain length and invoke count: (100, 20), or (20, 3) for ``--quick``."""
    return (20, 3) if quick else (100, 20)


def _close(saver: Any) -> None:
    close = getattr(saver, "close", None)
    if callable(close):
        close()
    else:
        saver.conn.close()


@contextmanager
def _sqlite(engine: Engine) -> Iterator[tuple[Any, str]]:
    """A SQLite saver of ``engine`` on a file in a fresh temporary folder, and its path."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, f"{engine.name}.db")
        made = engine.sqlite(path)
        try:
            yield made, path
        finally:
            _close(made)


@contextmanager
def _postgres(engine: Engine) -> Iterator[tuple[Any, str]]:
    from benchmarks.postgres import saver

    with saver(engine) as (made, schema):
        yield made, schema


def chain_steps(backend: str, durability: str | None = None) -> Callable[[Engine, bool], float]:
    """µs per node step of the 100-node chain: median invoke on a new thread / 100.

    ``durability`` None runs each engine's default.
    """
    extra = {} if durability is None else {"durability": durability}
    store = _sqlite if backend == "sqlite" else _postgres

    def run(engine: Engine, quick: bool) -> float:
        length, invokes = _sizes(quick)
        if backend == "postgres" and not quick:
            invokes = 10
        with store(engine) as (made, _where):
            app = chain(engine, length, _add_one, Count).compile(checkpointer=made)
            app.invoke({"count": 0}, _config("warm-up"), **extra)
            times = [
                _timed(lambda i=i: app.invoke({"count": 0}, _config(f"t{i}"), **extra))
                for i in range(invokes)
            ]
            return statistics.median(times) / length * 1e6

    return run


CHECKPOINTS = Notes("checkpoints on the long thread of workload 2", "count")
LISTED = Notes("checkpoints listed by saver.list(None) in workload 3", "count")


def long_thread(read: str) -> Callable[[Engine, bool], float]:
    """µs per call of ``get_state``, the whole history or a page of 10, on 1,020 checkpoints."""

    def run(engine: Engine, quick: bool) -> float:
        length, runs = (10, 3) if quick else (100, 10)
        with _sqlite(engine) as (made, _path):
            app = chain(engine, length, _add_one, Count).compile(checkpointer=made)
            config = _config("long")
            for _ in range(runs):
                app.invoke({"count": 0}, config)
            if read == "state":
                CHECKPOINTS.add(engine.name, "checkpoints", len(list(made.list(config))))
                CHECKPOINTS.add(engine.name, "expected: runs x (nodes + 2)", runs * (length + 2))
            actions: dict[str, tuple[Callable[[], Any], int]] = {
                "state": (lambda: app.get_state(config), 50),
                "whole": (lambda: list(app.get_state_history(config)), 10),
                "page": (lambda: list(app.get_state_history(config, limit=10)), 50),
            }
            action, calls = actions[read]
            calls = 3 if quick else calls
            return statistics.median(_timed(action) for _ in range(calls)) * 1e6

    return run


def list_all(read: str) -> Callable[[Engine, bool], float]:
    """µs per ``list(saver.list(None))`` over 200 one-run threads of the tutorial graph.

    ``read`` is what the caller then reads of each tuple: ``"nothing"`` (the
    issue's workload: the list itself), ``"metadata"``, or ``"all"`` (config,
    checkpoint, metadata, parent and pending writes). A saver that opens rows
    on first read pays for it in the last two.
    """
    readers: dict[str, Callable[[Any], Any]] = {
        "nothing": lambda items: items,
        "metadata": lambda items: [item.metadata for item in items],
        "all": lambda items: [tuple(item) for item in items],
    }
    reader = readers[read]

    def run(engine: Engine, quick: bool) -> float:
        threads, calls = (20, 3) if quick else (200, 20)
        with _sqlite(engine) as (made, _path):
            app = tutorial(engine).compile(checkpointer=made)
            for i in range(threads):
                app.invoke({"topic": f"topic {i}"}, _config(f"t{i}"))
            if read == "nothing":
                LISTED.add(engine.name, "checkpoints", len(list(made.list(None))))
            action = lambda: reader(list(made.list(None)))  # noqa: E731
            return statistics.median(_timed(action) for _ in range(calls)) * 1e6

    return run


_LETTERS = string.ascii_letters + string.digits


def big_string(seed: int, size: int = 200_000) -> str:
    """A ``size``-character string from ``random.Random(seed)``: about 6 bits a character."""
    return "".join(random.Random(seed).choices(_LETTERS, k=size))


@contextmanager
def _with_blobs(backend: str, engine: Engine) -> Iterator[tuple[Any, str, Any]]:
    """A saver of ``engine`` (cairngraph's with a blob directory), where it is, the store."""
    from cairngraph.checkpoint.blobs import DirectoryBlobStore

    with tempfile.TemporaryDirectory() as folder:
        blobs = DirectoryBlobStore(os.path.join(folder, "blobs"))
        mine = engine.name == "cairngraph"
        if backend == "postgres":
            from benchmarks.postgres import saver

            with saver(engine, blobs if mine else None) as (made, schema):
                yield made, schema, blobs
            return
        path = os.path.join(folder, f"{engine.name}.db")
        if mine:
            from cairngraph.checkpoint.sqlite import SqliteSaver

            made = SqliteSaver(path, blobs=blobs)
        else:
            made = engine.sqlite(path)
        try:
            yield made, path, blobs
        finally:
            _close(made)


def _blob_bytes(blobs: Any) -> int:
    return sum(info.size for info in blobs.list()) if blobs is not None else 0


def _sqlite_tables(path: str) -> dict[str, int]:
    """Bytes of each b-tree of the file (``dbstat``), or the file's pages as ``(file)``."""
    conn = sqlite3.connect(path)
    try:
        try:
            rows = conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall()
            return {str(name): int(size) for name, size in rows}
        except sqlite3.OperationalError:  # a build without SQLITE_ENABLE_DBSTAT_VTAB
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            page_size = conn.execute("PRAGMA page_size").fetchone()[0]
            return {"(file)": int(pages) * int(page_size)}
    finally:
        conn.close()


def _postgres_tables(schema: str) -> dict[str, int]:
    import psycopg

    from benchmarks.postgres import URL

    with psycopg.connect(URL, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN "
            "pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'",
            (schema,),
        ).fetchall()
        return {str(name): int(size) for name, size in rows}


BYTES_SQLITE = Notes("bytes/step by table, 200 KB workload, SQLite", "bytes")
BYTES_POSTGRES = Notes("bytes/step by table, 200 KB workload, PostgreSQL", "bytes")
BYTES_SQLITE_DISTINCT = Notes(
    "bytes/step by table, 200 KB workload with a distinct string per thread, SQLite", "bytes"
)
BYTES_POSTGRES_DISTINCT = Notes(
    "bytes/step by table, 200 KB workload with a distinct string per thread, PostgreSQL",
    "bytes",
)
BYTES_SQLITE_BLOBS = Notes(
    "bytes/step by table and blob store, 200 KB workload, distinct strings, SQLite", "bytes"
)
BYTES_POSTGRES_BLOBS = Notes(
    "bytes/step by table and blob store, 200 KB workload, distinct strings, PostgreSQL",
    "bytes",
)


def bytes_per_step(
    backend: str, distinct: bool = False, blobs: bool = False
) -> Callable[[Engine, bool], float]:
    """Growth of the store per step of the 200 KB workload; per table into the notes.

    With ``blobs``, cairngraph's saver keeps big values in a blob directory: the row is
    the database's growth, and the directory's is noted as ``(blob store)``.
    """
    tables = _sqlite_tables if backend == "sqlite" else _postgres_tables
    if blobs:
        notes = BYTES_SQLITE_BLOBS if backend == "sqlite" else BYTES_POSTGRES_BLOBS
    elif backend == "sqlite":
        notes = BYTES_SQLITE_DISTINCT if distinct else BYTES_SQLITE
    else:
        notes = BYTES_POSTGRES_DISTINCT if distinct else BYTES_POSTGRES

    @contextmanager
    def store(engine: Engine) -> Iterator[tuple[Any, str, Any]]:
        if blobs:
            with _with_blobs(backend, engine) as made:
                yield made
            return
        with (_sqlite if backend == "sqlite" else _postgres)(engine) as (made, where):
            yield made, where, None

    def run(engine: Engine, quick: bool) -> float:
        followers, invokes = (10, 2) if quick else (50, 5)
        # Invoke i (0 is the warm-up) gets big_string(i) when distinct, else big_string(0).
        bigs = iter([big_string(seed if distinct else 0) for seed in range(invokes + 1)])

        def first(state: BigState) -> dict[str, str]:
            return {"big": next(bigs)}

        graph = engine.StateGraph(BigState)
        names = ["first", *(f"n{i}" for i in range(followers))]
        graph.add_node("first", first)
        for name in names[1:]:
            graph.add_node(name, _next_n)
        graph.add_edge(engine.START, "first")
        for left, right in itertools.pairwise(names):
            graph.add_edge(left, right)
        with store(engine) as (made, where, blob_store):
            app = graph.compile(checkpointer=made)
            app.invoke({"n": 0}, _config("0"))
            before, blobs_before = tables(where), _blob_bytes(blob_store)
            for i in range(1, invokes + 1):
                app.invoke({"n": 0}, _config(str(i)))
            after, blobs_after = tables(where), _blob_bytes(blob_store)
        steps = invokes * (followers + 1)
        growth = {name: after.get(name, 0) - before.get(name, 0) for name in {*before, *after}}
        for name, grown in growth.items():
            notes.add(engine.name, name, grown / steps)
        notes.add(engine.name, "total", sum(growth.values()) / steps)
        if blobs:
            notes.add(engine.name, "(blob store)", (blobs_after - blobs_before) / steps)
        return sum(growth.values()) / steps

    return run


WORKLOADS = [
    Workload("SQLite chain of 100 nodes, defaults", "µs/step", chain_steps("sqlite"), "storage"),
    Workload(
        "SQLite 1,020 checkpoints: get_state",
        "µs/call",
        long_thread("state"),
        "storage",
        CHECKPOINTS.lines,
    ),
    Workload("  same: whole get_state_history", "µs/call", long_thread("whole"), "storage"),
    Workload("  same: get_state_history(limit=10)", "µs/call", long_thread("page"), "storage"),
    Workload(
        "SQLite 200 tutorial threads: list(None)",
        "µs/call",
        list_all("nothing"),
        "storage",
        LISTED.lines,
    ),
    Workload("  same, then each tuple's metadata", "µs/call", list_all("metadata"), "storage"),
    Workload("  same, then every field of each", "µs/call", list_all("all"), "storage"),
    Workload(
        "SQLite 200 KB workload, bytes/step",
        "bytes",
        bytes_per_step("sqlite"),
        "storage",
        BYTES_SQLITE.lines,
    ),
    Workload(
        "  same, a distinct string per thread",
        "bytes",
        bytes_per_step("sqlite", distinct=True),
        "storage",
        BYTES_SQLITE_DISTINCT.lines,
    ),
    Workload(
        "  same, cairngraph with a blob directory: database only",
        "bytes",
        bytes_per_step("sqlite", distinct=True, blobs=True),
        "storage",
        BYTES_SQLITE_BLOBS.lines,
    ),
    Workload(
        "chain of 100 nodes, SQLite, both sync", "µs/step", chain_steps("sqlite", "sync"), "sqlite"
    ),
    Workload(
        "chain of 100 nodes, SQLite, both async",
        "µs/step",
        chain_steps("sqlite", "async"),
        "sqlite",
    ),
    Workload(
        "chain of 100 nodes, PostgreSQL, defaults", "µs/step", chain_steps("postgres"), "postgres"
    ),
    Workload(
        "  same, both durability=sync", "µs/step", chain_steps("postgres", "sync"), "postgres"
    ),
    Workload(
        "  same, both durability=async", "µs/step", chain_steps("postgres", "async"), "postgres"
    ),
    Workload(
        "PG 200 KB workload, bytes/step",
        "bytes",
        bytes_per_step("postgres"),
        "postgres",
        BYTES_POSTGRES.lines,
    ),
    Workload(
        "  same, a distinct string per thread",
        "bytes",
        bytes_per_step("postgres", distinct=True),
        "postgres",
        BYTES_POSTGRES_DISTINCT.lines,
    ),
    Workload(
        "  same, cairngraph with a blob directory: database only",
        "bytes",
        bytes_per_step("postgres", distinct=True, blobs=True),
        "postgres",
        BYTES_POSTGRES_BLOBS.lines,
    ),
]
