"""``cairn verify`` (the integrity scan) and ``cairn stats`` (what the store holds, and its size).

Invariants:

- Both open the store read-only.
- ``verify`` exits 1 when the scan finds any problem, and lists each one with
  its place (table, thread, namespace, checkpoint, channel).
- ``stats`` counts through ``saver.list``; only "bytes by table" asks the
  database itself (SQLite's ``dbstat``, PostgreSQL's
  ``pg_total_relation_size``) about cairngraph's ``cairn_*`` tables, read-only.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import click
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.cli._app import (
    EXIT_PROBLEMS,
    blobs_spec,
    console,
    emit_json,
    json_option,
    opened,
    store_options,
)
from cairngraph.cli._open import open_blobs
from cairngraph.cli._read import summarize
from cairngraph.cli._view import encoded_size, plain_codec
from cairngraph.errors import MissingBlobStoreError

__all__ = ["stats", "table_bytes", "verify"]

_PLACE = ("table", "thread_id", "checkpoint_ns", "checkpoint_id", "channel", "task_id")


def progress() -> Progress:
    """A progress display on stderr, shown only on a terminal."""
    from rich.console import Console

    err = Console(stderr=True)
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        *Progress.get_default_columns()[1:],
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


@click.command()
@store_options
@json_option
def verify(db: str | None, as_json: bool) -> None:
    """Check every stored payload (checksums, encryption tags, references).

    Lists every problem with its place and exits 1 when there is any.

    Example: cairn --db data/jokes.db verify
    """
    with opened(db, read_only=True) as saver, progress() as bar:
        bar.add_task("verifying every stored row", total=None)
        report = saver.verify()
    problems = [
        {"kind": type(p).__name__, "message": str(p), **{k: getattr(p, k, None) for k in _PLACE}}
        for p in report.problems
    ]
    if as_json:
        emit_json({"ok": report.ok, "checked": report.checked, "problems": problems})
    else:
        out = console()
        if report.ok:
            out.print(f"ok: {report.checked} rows checked, no problems")
        else:
            table = Table(title=f"{len(problems)} problem(s) in {report.checked} rows checked")
            for column in ("table", "thread", "checkpoint", "channel", "problem"):
                table.add_column(column)
            for p in problems:
                table.add_row(
                    str(p["table"] or "-"),
                    str(p["thread_id"] or "-"),
                    str(p["checkpoint_id"] or "-"),
                    str(p["channel"] or "-"),
                    p["message"],
                )
            out.print(table)
            if any(isinstance(p, MissingBlobStoreError) for p in report.problems):
                click.echo(
                    "values are kept in a blob store this command was not given: pass --blobs "
                    "DIR or s3://bucket/prefix (or set CAIRN_BLOBS)",
                    err=True,
                )
    if not report.ok:
        raise click.exceptions.Exit(EXIT_PROBLEMS)


def table_bytes(saver: BaseCheckpointSaver) -> dict[str, int]:
    """Bytes each of cairngraph's tables (and its indexes) takes in the database."""
    from cairngraph.checkpoint.sqlite import SqliteSaver

    if isinstance(saver, SqliteSaver):
        try:
            rows = saver.conn.execute(
                "SELECT name, SUM(pgsize) FROM dbstat WHERE name LIKE 'cairn%' GROUP BY name"
            ).fetchall()
        except sqlite3.OperationalError:  # SQLite built without dbstat: the file as a whole
            (pages,) = saver.conn.execute("PRAGMA page_count").fetchone()
            (size,) = saver.conn.execute("PRAGMA page_size").fetchone()
            return {"(whole file)": int(pages) * int(size)}
        return {str(name): int(size) for name, size in rows}
    conn_source: Any = getattr(saver, "conn", None)
    if conn_source is None or not hasattr(conn_source, "connection"):
        return {}
    with conn_source.connection() as conn:
        rows = conn.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND c.relname LIKE 'cairn%%' AND n.nspname = current_schema() "
            "ORDER BY c.relname"
        ).fetchall()
    return {str(name): int(size) for name, size in rows}


@click.command()
@store_options
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=5,
    show_default=True,
    help="How many of the biggest threads to list.",
)
@json_option
def stats(db: str | None, top: int, as_json: bool) -> None:
    """Summarize the store: threads, checkpoints, bytes by table, the biggest threads.

    With --blobs, also the objects and bytes of the blob store.

    Example: cairn --db data/jokes.db stats --top 10
    """
    with opened(db, read_only=True) as saver:
        items = list(saver.list_eager(None))
        sizes = table_bytes(saver)
        codec = plain_codec(saver)
    spec = blobs_spec()
    blob_store = None
    if spec is not None:
        infos = list(open_blobs(spec, read_only=True).list())
        blob_store = {"store": spec, "objects": len(infos), "bytes": sum(i.size for i in infos)}
    summaries = summarize(items, codec)
    biggest = sorted(summaries, key=lambda s: (s.size, s.checkpoints), reverse=True)[:top]
    data = {
        "threads": len(summaries),
        "checkpoints": len(items),
        "pending_writes": sum(len(item.pending_writes) for item in items),
        "encoded_bytes": sum(encoded_size(item, codec) for item in items),
        "bytes_by_table": sizes,
        "stored_bytes": sum(sizes.values()),
        "biggest_threads": [
            {"thread_id": s.thread_id, "checkpoints": s.checkpoints, "bytes": s.size}
            for s in biggest
        ],
        "blob_store": blob_store,
    }
    if as_json:
        emit_json(data)
        return
    out = console()
    out.print(
        f"{data['threads']} thread(s), {data['checkpoints']} checkpoint(s), "
        f"{data['pending_writes']} pending write(s); {data['stored_bytes']} bytes stored, "
        f"{data['encoded_bytes']} bytes of checkpoints encoded one by one"
    )
    if blob_store is not None:
        out.print(
            f"blob store {spec}: {blob_store['objects']} object(s), {blob_store['bytes']} bytes"
        )
    table = Table(title="bytes by table", title_justify="left")
    table.add_column("table")
    table.add_column("bytes", justify="right")
    for name, size in sizes.items():
        table.add_row(name, str(size))
    out.print(table)
    threads = Table(title="biggest threads", title_justify="left")
    for column in ("thread", "checkpoints", "bytes"):
        threads.add_column(column, justify="left" if column == "thread" else "right")
    for s in biggest:
        threads.add_row(s.thread_id, str(s.checkpoints), str(s.size))
    out.print(threads)
