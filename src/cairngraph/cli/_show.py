"""``cairn show`` (one checkpoint, whole) and ``cairn diff`` (what changed between two).

Invariants: both open the store read-only. ``show`` reads the stored records;
with ``--graph`` it asks the graph (``get_state``) for the values, next,
tasks and interrupts of a root-namespace checkpoint, which then include Send
tasks and nodes the stored channels cannot name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click
from rich.table import Table

from cairngraph.checkpoint.base import CheckpointTuple
from cairngraph.cli._app import console, emit_json, graph_for, json_option, opened, store_options
from cairngraph.cli._diff import diff, path_text
from cairngraph.cli._find import resolve
from cairngraph.cli._view import (
    checkpoint_id,
    jsonable,
    next_nodes,
    pending,
    short,
    user_values,
    writers,
)

__all__ = ["diff_command", "show"]


def _parent_id(item: CheckpointTuple) -> str | None:
    parent = item.parent_config
    return None if parent is None else parent["configurable"].get("checkpoint_id")


def show_data(item: CheckpointTuple, graph: Any) -> dict[str, Any]:
    """The JSON of ``cairn show`` for one checkpoint."""
    split = pending(item)
    tasks: dict[str, dict[str, Any]] = {}
    for entry in split["writes"] + split["errors"] + split["interrupts"]:
        task = tasks.setdefault(
            entry["task_id"],
            {"id": entry["task_id"], "name": None, "writes": [], "error": None, "interrupts": []},
        )
        task["writes"].append(entry["channel"])
    data: dict[str, Any] = {
        "thread_id": item.config["configurable"]["thread_id"],
        "checkpoint_ns": item.config["configurable"].get("checkpoint_ns", ""),
        "checkpoint_id": checkpoint_id(item),
        "parent_checkpoint_id": _parent_id(item),
        "created_at": item.checkpoint.ts,
        "values": jsonable(user_values(item)),
        "next": next_nodes(item),
        "nodes": writers(item),
        "tasks": list(tasks.values()),
        "interrupts": [entry["value"] for entry in split["interrupts"]],
        "pending_writes": split["writes"] + split["errors"] + split["interrupts"],
        "metadata": jsonable(dict(item.metadata)),
    }
    if graph is not None and not data["checkpoint_ns"]:  # the graph knows its root namespace
        snapshot = graph.get_state(item.config)
        data["values"] = jsonable(snapshot.values)
        data["next"] = list(snapshot.next)
        data["interrupts"] = [jsonable(found) for found in snapshot.interrupts]
        data["tasks"] = [_task(task, tasks.get(task.id)) for task in snapshot.tasks]
    return data


def _task(task: Any, stored: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "id": task.id,
        "name": task.name,
        "writes": stored["writes"] if stored else [],
        "error": task.error,
        "interrupts": [jsonable(found) for found in task.interrupts],
    }


@click.command()
@click.argument("thread")
@click.argument("checkpoint", required=False)
@store_options
@click.option(
    "--ns", default="", metavar="NS", help="Namespace: '' (the root graph) or a subgraph's."
)
@click.option(
    "--graph",
    default=None,
    metavar="MODULE:ATTR",
    help="The thread's graph, for its view of next and tasks.",
)
@json_option
def show(
    thread: str, checkpoint: str | None, db: str | None, ns: str, graph: str | None, as_json: bool
) -> None:
    """Show one checkpoint: values, next, tasks, interrupts, pending writes, metadata.

    CHECKPOINT is an id, a unique prefix of one, or 'latest' (the default).

    Example: cairn --db data/jokes.db show jokes-1
    """
    with opened(db, read_only=True) as saver:
        item = resolve(saver, thread, ns, checkpoint)
        data = show_data(item, graph_for(graph, saver, required=False))
    if as_json:
        emit_json(data)
        return
    out = console()
    out.print(
        f"[bold]thread[/bold] {data['thread_id']}  [bold]checkpoint[/bold] {data['checkpoint_id']}"
    )
    out.print(f"created {data['created_at']}   parent {data['parent_checkpoint_id'] or '-'}")
    out.print(
        f"made by {', '.join(data['nodes']) or '-'}   "
        f"next {', '.join(data['next']) or '(finished)'}"
    )
    out.print(
        _table("values", ("key", "value"), [(k, short(v, 120)) for k, v in data["values"].items()])
    )
    task_rows = [
        (t["id"], t["name"] or "-", ", ".join(t["writes"]) or "-", t["error"] or "-")
        for t in data["tasks"]
    ]
    out.print(_table("tasks", ("id", "name", "writes", "error"), task_rows))
    out.print(_table("interrupts", ("value",), [(short(v, 120),) for v in data["interrupts"]]))
    writes = [(w["task_id"], w["channel"], short(w["value"], 80)) for w in data["pending_writes"]]
    out.print(_table("pending writes", ("task", "channel", "value"), writes))
    out.print(
        _table(
            "metadata", ("key", "value"), [(k, short(v, 120)) for k, v in data["metadata"].items()]
        )
    )


def _table(title: str, header: tuple[str, ...], rows: Sequence[Sequence[str]]) -> Table | str:
    if not rows:
        return f"{title}: none"
    table = Table(title=f"{title} ({len(rows)})", title_justify="left")
    for column in header:
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    return table


@click.command("diff")
@click.argument("thread")
@click.argument("a")
@click.argument("b")
@store_options
@click.option(
    "--ns", default="", metavar="NS", help="Namespace: '' (the root graph) or a subgraph's."
)
@json_option
def diff_command(thread: str, a: str, b: str, db: str | None, ns: str, as_json: bool) -> None:
    """Show what changed from checkpoint A to checkpoint B, key by key.

    Nested values are compared inside: keys added, removed or changed, list
    items appended. A and B are ids, unique prefixes, or 'latest'.

    Example: cairn --db data/jokes.db diff jokes-1 1f0a 1f0b
    """
    with opened(db, read_only=True) as saver:
        old = resolve(saver, thread, ns, a)
        new = resolve(saver, thread, ns, b)
    changes = diff(user_values(old), user_values(new))
    if as_json:
        emit_json(
            {
                "thread_id": thread,
                "checkpoint_ns": ns,
                "from": checkpoint_id(old),
                "to": checkpoint_id(new),
                "changes": [
                    {
                        "path": list(c.path),
                        "kind": c.kind,
                        "old": jsonable(c.old),
                        "new": jsonable(c.new),
                    }
                    for c in changes
                ],
            }
        )
        return
    rows = [
        (
            path_text(c.path),
            c.kind,
            short(c.old, 70) if c.kind in ("changed", "removed") else "",
            short(c.new, 70) if c.kind != "removed" else "",
        )
        for c in changes
    ]
    console().print(
        _table(
            f"{checkpoint_id(old)} -> {checkpoint_id(new)}", ("path", "change", "old", "new"), rows
        )
    )
