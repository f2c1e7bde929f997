"""``cairn export`` and ``cairn import``: threads to a portable file and back, store to store.

Invariants:

- Export opens its store read-only; import writes only after the whole file
  has been read and decoded, and refuses threads that already exist in the
  target (nothing is merged into a thread silently).
- Values go through cairngraph's typed serializer (``_transfer.py``); a type
  the file names but this process has not registered is an error naming it
  (pass ``--graph`` so the graph's state types are registered).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import click

from cairngraph.checkpoint.base import BaseCheckpointSaver, CheckpointTuple
from cairngraph.checkpoint.serde import MsgpackSerializer
from cairngraph.cli._app import (
    EXIT_PROBLEMS,
    CliError,
    emit_json,
    graph_for,
    json_option,
    opened,
    store_options,
)
from cairngraph.cli._copy import SavedCheckpoint, copy_checkpoints
from cairngraph.cli._store import progress
from cairngraph.cli._transfer import TransferError, decode_lines, encode_items, read_header
from cairngraph.cli._view import plain_codec

__all__ = ["export_command", "import_command"]

_GRAPH_HELP = "A graph whose state types the values use (registers them)."


@contextmanager
def _output(path: str) -> Iterator[IO[str]]:
    """Where the file goes; a named file appears whole or not at all (written aside, renamed)."""
    if path == "-":
        yield sys.stdout
        return
    partial = path + ".partial"
    try:
        with open(partial, "w", encoding="utf-8") as file:
            yield file
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def _chosen(saver: BaseCheckpointSaver, thread_ids: tuple[str, ...]) -> list[CheckpointTuple]:
    """Every checkpoint of the store, or of the threads asked for (each of which must exist)."""
    if not thread_ids:
        return list(saver.list_eager(None))
    wanted = list(dict.fromkeys(thread_ids))
    items = [i for t in wanted for i in saver.list_eager({"configurable": {"thread_id": t}})]
    found = {str(i.config["configurable"]["thread_id"]) for i in items}
    missing = [t for t in wanted if t not in found]
    if missing:
        raise CliError(
            f"no thread {', '.join(map(repr, missing))} in this store; list them with: "
            "cairn threads"
        )
    return items


@click.command("export")
@store_options
@click.option("-o", "--output", default="-", metavar="FILE", help="Where to write ('-': stdout).")
@click.option(
    "--thread",
    "thread_ids",
    multiple=True,
    metavar="ID",
    help="Export only this thread; repeatable.",
)
@click.option("--graph", default=None, metavar="MODULE:ATTR", help=_GRAPH_HELP)
def export_command(
    db: str | None, output: str, thread_ids: tuple[str, ...], graph: str | None
) -> None:
    """Write threads (all, or --thread ones) to a portable JSON Lines file.

    The format is documented in docs/cli.md; `cairn import` reads it into
    any store (SQLite or PostgreSQL).

    Example: cairn --db data/jokes.db export -o jokes.jsonl
    """
    with opened(db, read_only=True) as saver:
        graph_for(graph, saver, required=False)
        items = _chosen(saver, thread_ids)
        codec = plain_codec(saver)
        with _output(output) as file, progress() as bar:
            task = bar.add_task("exporting checkpoints", total=len(items) + 2)
            for text in encode_items(items, codec):
                file.write(text + "\n")
                bar.advance(task)
    if output != "-":
        threads = len({i.config["configurable"]["thread_id"] for i in items})
        click.echo(
            f"exported {len(items)} checkpoint(s) of {threads} thread(s) to {output}", err=True
        )


def _read(path: str, codec: MsgpackSerializer) -> tuple[dict[str, Any], list[SavedCheckpoint]]:
    name = "stdin" if path == "-" else path
    stream = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
    try:
        first = stream.readline()
        header = read_header(first, name)
        lines: list[SavedCheckpoint] = []
        for decoded in decode_lines((text for text in stream if text.strip()), codec, name):
            if isinstance(decoded, int):
                if decoded != len(lines):
                    raise TransferError(
                        f"{name} says {decoded} checkpoints but holds {len(lines)}; it is damaged"
                    )
            else:
                lines.append(decoded)
    finally:
        if stream is not sys.stdin:
            stream.close()
    return header, lines


@click.command("import")
@click.argument("file", metavar="FILE")
@store_options
@click.option("--graph", default=None, metavar="MODULE:ATTR", help=_GRAPH_HELP)
@json_option
def import_command(file: str, db: str | None, graph: str | None, as_json: bool) -> None:
    """Read a file of `cairn export` into the store ('-' reads stdin).

    The store is created if it does not exist. Threads already in the store
    are refused; delete them first or import elsewhere.

    Example: cairn --db postgresql://localhost/app import jokes.jsonl
    """
    with opened(db, read_only=False) as saver:
        graph_for(graph, saver, required=False)
        _header, lines = _read(file, plain_codec(saver))
        threads = sorted({line.thread_id for line in lines})
        existing = [
            t
            for t in threads
            if next(iter(saver.list({"configurable": {"thread_id": t}}, limit=1)), None)
        ]
        if existing:
            raise CliError(
                f"thread(s) {', '.join(map(repr, existing))} already exist in this store; delete "
                "them (cairn delete ID) or import into another store. Nothing was imported.",
                EXIT_PROBLEMS,
            )
        with progress() as bar:
            task = bar.add_task("importing checkpoints", total=len(lines))
            copy_checkpoints(saver, lines, lambda count: bar.advance(task, count))
    result = {"threads": len(threads), "checkpoints": len(lines)}
    if as_json:
        emit_json(result)
    else:
        click.echo(f"imported {len(lines)} checkpoint(s) of {len(threads)} thread(s)")
