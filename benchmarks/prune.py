"""Pruning a big store to the latest checkpoint of each thread: time, and space before and after.

``python -m benchmarks.prune [--threads N] [--checkpoints M] [--compare K] [--only BACKEND]``
(``BACKEND``: sqlite or postgres); also ``python -m benchmarks --only prune``, with the
defaults (``--quick`` too).

The store: ``--threads`` threads (10,000) of ``--checkpoints`` checkpoints each
(50), every checkpoint a step of a chat-like state: ``messages`` grows by one
120-character message a step (cairngraph stores it as a delta on the previous
list), ``doc`` is a new 400-character text each step (a stored value of its
own), ``step`` an int. The store is built fast, with ``put_steps`` batches
(one transaction per 20 threads), then ``saver.prune(all_threads)`` keeps the
newest checkpoint of each (the saver prunes 200 threads per transaction, see
``docs/retention.md``). Printed: build and prune seconds, then sizes:

- SQLite: the file's bytes (page_count x page_size, after a WAL checkpoint),
  and each table's from ``dbstat``. New files have ``auto_vacuum=INCREMENTAL``,
  so the prune gives pages back and the file shrinks.
- PostgreSQL: ``pg_total_relation_size`` of each table (indexes, TOAST).
  PostgreSQL never shrinks a table outside ``VACUUM FULL``; its dead rows
  are marked reusable by (auto)vacuum. The figures after a plain ``VACUUM``
  (what autovacuum does by itself) show that; a refill of as many new
  checkpoints as were pruned then shows the tables reuse that space
  instead of growing (no bloat).

LangGraph's ``SqliteSaver`` has no ``prune``; its ``PostgresSaver`` has one. So
``--compare`` threads (200) of the same shape are built on both libraries'
``PostgresSaver`` (LangGraph's through its ``put``, one checkpoint at a
time: it has no batch) and pruned by each, side by side.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from cairngraph.checkpoint._ids import new_checkpoint_id
from cairngraph.checkpoint.base import Checkpoint, StepSave, TaskWrites

URL = os.environ.get("CAIRNGRAPH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
BATCH = 20
"""Threads per ``put_steps`` call (one transaction)."""


def _text(thread: int, step: int, size: int) -> str:
    head = f"{thread}:{step}:"
    return head + "x" * (size - len(head))


def _steps(thread: int, count: int) -> list[StepSave]:
    """One thread's history as consecutive steps (each a child of the one before)."""
    thread_id = f"t{thread:05d}"
    parent: str | None = None
    messages: list[str] = []
    steps = []
    for step in range(count):
        messages = [*messages, _text(thread, step, 120)]
        values = {"messages": messages, "doc": _text(thread, step, 400), "step": step}
        versions = {"messages": step + 1, "doc": step + 1, "step": step + 1}
        checkpoint = Checkpoint(
            id=new_checkpoint_id(),
            ts="2026-12-01T00:00:00+00:00",
            channel_values=values,
            channel_versions=versions,
            versions_seen={"chat": {"messages": step}},
            updated_channels=("doc", "messages", "step"),
            channel_appends={} if step == 0 else {"messages": (step, step)},
        )
        configurable = {"thread_id": thread_id, "checkpoint_ns": ""}
        if parent is not None:
            configurable["checkpoint_id"] = parent
        writes = [] if parent is None else [TaskWrites(task_id=f"k{step}", writes=[("step", step)])]
        metadata = {"source": "loop", "step": step, "parents": {}}
        steps.append(
            StepSave.of({"configurable": configurable}, writes, checkpoint, metadata, versions)  # type: ignore[arg-type]
        )
        parent = checkpoint.id
    return steps


def build(saver: Any, threads: int, checkpoints: int) -> float:
    """Seconds to fill ``saver`` with ``threads`` x ``checkpoints`` through ``put_steps``."""
    started = time.perf_counter()
    for first in range(0, threads, BATCH):
        batch: list[StepSave] = []
        for thread in range(first, min(first + BATCH, threads)):
            batch.extend(_steps(thread, checkpoints))
        saver.put_steps(batch)
    return time.perf_counter() - started


def thread_ids(threads: int) -> list[str]:
    return [f"t{thread:05d}" for thread in range(threads)]


# -- SQLite -------------------------------------------------------------------------


def _sqlite_sizes(path: str) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (pages,) = conn.execute("PRAGMA page_count").fetchone()
        (size,) = conn.execute("PRAGMA page_size").fetchone()
        (free,) = conn.execute("PRAGMA freelist_count").fetchone()
        sizes = {"file": os.path.getsize(path), "pages x size": pages * size, "free": free * size}
        try:
            rows = conn.execute(
                "SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE 'cairn_%' GROUP BY name"
            ).fetchall()
        except sqlite3.OperationalError:  # no dbstat in this sqlite3 module
            rows = []
        sizes.update({str(name): int(total) for name, total in rows})
        return sizes
    finally:
        conn.close()


def sqlite_run(threads: int, checkpoints: int) -> list[str]:
    from cairngraph.checkpoint.sqlite import SqliteSaver

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "prune.db")
        with SqliteSaver.from_conn_string(path) as saver:
            built = build(saver, threads, checkpoints)
            before = _sqlite_sizes(path)
            started = time.perf_counter()
            saver.prune(thread_ids(threads))
            pruned = time.perf_counter() - started
            after = _sqlite_sizes(path)
            left = len(list(saver.list(None)))
            ok = saver.verify().ok
    lines = [
        f"SQLite, {threads:,} threads x {checkpoints} checkpoints: built in {built:.1f} s, "
        f"pruned to the latest in {pruned:.1f} s ({pruned / threads * 1e3:.2f} ms/thread); "
        f"{left:,} checkpoints left, verify ok: {ok}",
        _size_table(before, after, "after prune"),
    ]
    return lines


# -- PostgreSQL ---------------------------------------------------------------------


@contextmanager
def _schema(prefix: str) -> Iterator[str]:
    import psycopg

    schema = f"bench_{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(URL, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{URL}{'&' if '?' in URL else '?'}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(URL, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _pg_sizes(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'"
        ).fetchall()
    return {str(name): int(size) for name, size in rows if size}


def _pg_vacuum(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for (name,) in conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r'"
        ).fetchall():
            conn.execute(f'VACUUM "{name}"')  # plain VACUUM: what autovacuum does


def postgres_run(threads: int, checkpoints: int) -> list[str]:
    from cairngraph.checkpoint.postgres import PostgresSaver

    with _schema("prune") as url, PostgresSaver.from_conn_string(url) as saver:
        saver.setup()
        built = build(saver, threads, checkpoints)
        before = _pg_sizes(url)
        started = time.perf_counter()
        saver.prune(thread_ids(threads))
        pruned = time.perf_counter() - started
        after = _pg_sizes(url)
        _pg_vacuum(url)
        vacuumed = _pg_sizes(url)
        # As many new checkpoints as were pruned, on new threads: they fit in the space
        # VACUUM marked free, so the tables barely grow.
        refill = max(1, threads - threads // checkpoints)
        offset = threads
        for first in range(0, refill, BATCH):
            batch: list[StepSave] = []
            for thread in range(first, min(first + BATCH, refill)):
                batch.extend(_steps(offset + thread, checkpoints - 1))
            saver.put_steps(batch)
        refilled = _pg_sizes(url)
    return [
        f"PostgreSQL, {threads:,} threads x {checkpoints} checkpoints: built in {built:.1f} s, "
        f"pruned to the latest in {pruned:.1f} s ({pruned / threads * 1e3:.2f} ms/thread)",
        _size_table(before, after, "after prune", vacuumed, "after VACUUM", refilled,
                    f"+{refill:,}x{checkpoints - 1} new"),
    ]  # fmt: skip


def _langgraph_fill(saver: Any, threads: int, checkpoints: int) -> float:
    """LangGraph's saver filled with the same histories, through its ``put`` (it has no batch)."""
    started = time.perf_counter()
    for thread in range(threads):
        config: dict[str, Any] = {
            "configurable": {"thread_id": f"t{thread:05d}", "checkpoint_ns": ""}
        }
        for step in _steps(thread, checkpoints):
            checkpoint = {
                "v": 1, "id": step.checkpoint.id, "ts": step.checkpoint.ts,
                "channel_values": dict(step.checkpoint.channel_values),
                "channel_versions": dict(step.checkpoint.channel_versions),
                "versions_seen": {k: dict(v) for k, v in step.checkpoint.versions_seen.items()},
                "updated_channels": list(step.checkpoint.updated_channels),
            }  # fmt: skip
            if "checkpoint_id" in config["configurable"]:
                for task in step.task_writes:
                    saver.put_writes(config, list(task.writes), task.task_id)
            config = saver.put(config, checkpoint, dict(step.metadata), dict(step.new_versions))
    return time.perf_counter() - started


def compare_run(threads: int, checkpoints: int) -> list[str]:
    """Both libraries' ``PostgresSaver.prune`` on the same histories, each in its own schema."""
    import psycopg
    from psycopg.rows import dict_row

    from cairngraph.checkpoint.postgres import PostgresSaver

    with _schema("cg") as url, PostgresSaver.from_conn_string(url) as ours:
        ours.setup()
        build(ours, threads, checkpoints)
        ours_before = sum(_pg_sizes(url).values())
        ours_seconds = _timed(lambda: ours.prune(thread_ids(threads)))
        ours_after = sum(_pg_sizes(url).values())
    from langgraph.checkpoint.postgres import PostgresSaver as LangGraphSaver

    with _schema("lg") as url, psycopg.connect(url, autocommit=True, row_factory=dict_row) as conn:
        theirs = LangGraphSaver(conn)
        theirs.setup()
        _langgraph_fill(theirs, threads, checkpoints)
        theirs_before = sum(_pg_sizes(url).values())
        theirs_seconds = _timed(lambda: theirs.prune(thread_ids(threads)))
        theirs_after = sum(_pg_sizes(url).values())
    ratio = theirs_seconds / ours_seconds if ours_seconds else float("inf")
    return [
        f"PostgresSaver.prune side by side, {threads:,} threads x {checkpoints} checkpoints:",
        f"  {'':<28}{'cairngraph':>14}{'langgraph':>14}",
        f"  {'prune, ms/thread':<28}{ours_seconds / threads * 1e3:>14.2f}"
        f"{theirs_seconds / threads * 1e3:>14.2f}   ratio {ratio:.1f}x",
        f"  {'tables before, MB':<28}{ours_before / 1e6:>14.1f}{theirs_before / 1e6:>14.1f}",
        f"  {'tables after prune, MB':<28}{ours_after / 1e6:>14.1f}{theirs_after / 1e6:>14.1f}",
    ]


def _timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _size_table(before: dict[str, int], *columns: Any) -> str:
    """Sizes in MB: a row per table, a column per moment."""
    moments = [("before", before)] + [
        (columns[i + 1], columns[i]) for i in range(0, len(columns), 2)
    ]
    names = sorted({name for _label, sizes in moments for name in sizes})
    width = max(len(name) for name in names) + 2
    lines = ["  " + " " * width + "".join(f"{label:>20}" for label, _sizes in moments) + "  (MB)"]
    for name in names:
        cells = "".join(f"{sizes.get(name, 0) / 1e6:>20.2f}" for _label, sizes in moments)
        lines.append(f"  {name:<{width}}{cells}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.prune", description=__doc__)
    parser.add_argument("--threads", type=int, default=2_000, help="10,000 for the full store")
    parser.add_argument("--checkpoints", type=int, default=50)
    parser.add_argument("--compare", type=int, default=200, help="threads for the side by side")
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--quick", action="store_true", help="100 threads x 10 (smoke run)")
    args = parser.parse_args(argv)
    if args.quick:
        args.threads, args.checkpoints, args.compare = 100, 10, 20
    if args.only in (None, "sqlite"):
        print("\n".join(sqlite_run(args.threads, args.checkpoints)), flush=True)
    if args.only in (None, "postgres"):
        print("\n".join(postgres_run(args.threads, args.checkpoints)), flush=True)
        print("\n".join(compare_run(args.compare, args.checkpoints)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
