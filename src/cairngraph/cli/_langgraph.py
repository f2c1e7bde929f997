"""``cairn import-langgraph``: threads of a database LangGraph's savers wrote, into a store.

Over :mod:`cairngraph.checkpoint.langgraph`. Invariants:

- The source is only read (SQLite is opened read-only); nothing is written
  to the target before the source's threads are read and decoded.
- Values decode through the target saver's type registry: with the group's
  ``--graph``, the graph's state types are registered first, so a thread
  holding them imports; an unknown type fails in one line naming it.
"""

from __future__ import annotations

from typing import Any

import click

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.checkpoint.langgraph import ImportReport, import_postgres, import_sqlite
from cairngraph.cli._app import EXIT_USAGE, CliError, emit_json, json_option, opened, store_options
from cairngraph.cli._open import sqlite_path

__all__ = ["import_langgraph"]


def _registry(saver: BaseCheckpointSaver) -> Any:
    """The registry the target saver decodes with (the graph's types included)."""
    serde = getattr(saver.serde, "inner", saver.serde)
    return getattr(serde, "registry", None)


def _import(source: str, saver: BaseCheckpointSaver, threads: list[str] | None) -> ImportReport:
    registry = _registry(saver)
    if source.split("://", 1)[0].lower() in ("postgresql", "postgres"):
        return import_postgres(source, saver, thread_ids=threads, registry=registry)
    path = sqlite_path(source)
    if not path:
        raise CliError(
            f"SOURCE {source!r} is neither a SQLite file nor a postgresql:// URL: give the file "
            "LangGraph's SqliteSaver wrote, or its PostgresSaver's database URL",
            EXIT_USAGE,
        )
    return import_sqlite(path, saver, thread_ids=threads, registry=registry)


@click.command("import-langgraph")
@click.argument("source")
@click.option(
    "--thread", "threads", multiple=True, metavar="ID", help="Import only this thread (repeat)."
)
@store_options
@json_option
def import_langgraph(source: str, threads: tuple[str, ...], db: str | None, as_json: bool) -> None:
    """Copy the threads LangGraph's SqliteSaver or PostgresSaver saved into this store.

    SOURCE is LangGraph's SQLite file (or sqlite:///path) or its PostgreSQL URL.
    History, metadata, pending writes and subgraph namespaces come along, so a
    cairngraph graph continues each thread where LangGraph left it.

    Example: cairn --db cairn.db import-langgraph langgraph.db
    """
    with opened(db, read_only=False) as saver:
        report = _import(source, saver, list(threads) or None)
    result = {
        "threads": report.threads,
        "checkpoints": report.checkpoints,
        "writes": report.writes,
        "thread_ids": list(report.thread_ids),
    }
    if as_json:
        emit_json(result)
        return
    click.echo(
        f"imported {report.threads} thread(s): {report.checkpoints} checkpoint(s), "
        f"{report.writes} pending write(s)"
    )
