"""``cairn threads`` and ``cairn history``: what a store holds, thread by thread, step by step.

Invariants: both open the store read-only; both read through ``saver.list``
only; ``--filter key=value`` means what ``list(filter=...)`` means (the value
is JSON when it parses as JSON, else a string: ``step=2`` is the number 2).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import click
from rich.table import Table

from cairngraph.checkpoint._parents import parent_in
from cairngraph.checkpoint.base import BaseCheckpointSaver, CheckpointTuple
from cairngraph.checkpoint.serde import MsgpackSerializer
from cairngraph.cli._app import (
    EXIT_USAGE,
    CliError,
    console,
    emit_json,
    graph_for,
    json_option,
    opened,
    store_options,
)
from cairngraph.cli._find import place, thread_items
from cairngraph.cli._view import (
    checkpoint_id,
    encoded_size,
    jsonable,
    next_nodes,
    plain_codec,
    user_values,
    writers,
)

__all__ = ["filter_option", "history", "parse_filter", "threads"]


def parse_filter(pairs: Sequence[str]) -> dict[str, Any]:
    """``("source=loop", "step=2")`` as ``{"source": "loop", "step": 2}``."""
    found: dict[str, Any] = {}
    for pair in pairs:
        key, equals, text = pair.partition("=")
        if not equals or not key:
            raise CliError(
                f"--filter {pair!r} is not key=value; write e.g. --filter source=loop", EXIT_USAGE
            )
        try:
            found[key] = json.loads(text)
        except json.JSONDecodeError:
            found[key] = text
    return found


def filter_option(command: Any) -> Any:
    """Add the repeatable ``--filter key=value`` option."""
    return click.option(
        "--filter",
        "filters",
        multiple=True,
        metavar="KEY=VALUE",
        help="Keep checkpoints whose metadata has KEY equal to VALUE (JSON or text); repeatable.",
    )(command)


@dataclass(slots=True)
class ThreadSummary:
    """What ``cairn threads`` says about one thread."""

    thread_id: str
    checkpoints: int = 0
    namespaces: set[str] = field(default_factory=set)
    latest: CheckpointTuple | None = None
    size: int = 0

    def as_json(self) -> dict[str, Any]:
        latest = self.latest
        assert latest is not None  # a summary exists because a checkpoint was seen
        return {
            "thread_id": self.thread_id,
            "checkpoints": self.checkpoints,
            "namespaces": sorted(self.namespaces),
            "last_checkpoint_id": checkpoint_id(latest),
            "updated_at": latest.checkpoint.ts,
            "step": latest.metadata.get("step"),
            "next": next_nodes(latest),
            "bytes": self.size,
            "metadata": jsonable(dict(latest.metadata)),
        }


def summarize(items: Sequence[CheckpointTuple], codec: MsgpackSerializer) -> list[ThreadSummary]:
    """One summary per thread, the most recently updated first."""
    found: dict[str, ThreadSummary] = {}
    for item in items:
        configurable = item.config["configurable"]
        thread_id = str(configurable["thread_id"])
        summary = found.setdefault(thread_id, ThreadSummary(thread_id))
        summary.checkpoints += 1
        namespace = str(configurable.get("checkpoint_ns", ""))
        summary.namespaces.add(namespace)
        summary.size += encoded_size(item, codec)
        if namespace == "" and (summary.latest is None or _newer(item, summary.latest)):
            summary.latest = item
    for summary in found.values():
        if summary.latest is None:  # a thread seen only in subgraph namespaces
            summary.latest = next(
                i for i in items if i.config["configurable"]["thread_id"] == summary.thread_id
            )
    return sorted(
        found.values(), key=lambda s: checkpoint_id(s.latest) if s.latest else "", reverse=True
    )


def _newer(item: CheckpointTuple, than: CheckpointTuple) -> bool:
    return checkpoint_id(item) > checkpoint_id(than)


@click.command()
@store_options
@filter_option
@click.option("--limit", type=click.IntRange(min=0), default=None, help="Show at most N threads.")
@json_option
def threads(db: str | None, filters: tuple[str, ...], limit: int | None, as_json: bool) -> None:
    """List the store's threads, the most recently updated first.

    Each thread shows its checkpoint count, its namespaces, its last update,
    its latest step and what runs next, and the bytes its checkpoints take
    encoded. With --filter, only threads having a matching checkpoint.

    Example: cairn --db data/jokes.db threads --filter source=loop
    """
    wanted = parse_filter(filters)
    with opened(db, read_only=True) as saver:
        summaries = summarize(list(saver.list_eager(None)), plain_codec(saver))
        if wanted:
            keep = {
                str(i.config["configurable"]["thread_id"]) for i in saver.list(None, filter=wanted)
            }
            summaries = [s for s in summaries if s.thread_id in keep]
    summaries = summaries[:limit] if limit is not None else summaries
    if as_json:
        emit_json({"threads": [summary.as_json() for summary in summaries]})
        return
    table = Table(title=f"{len(summaries)} thread(s)")
    for column in ("thread", "checkpoints", "namespaces", "updated", "step", "next", "bytes"):
        table.add_column(
            column, justify="right" if column in ("checkpoints", "step", "bytes") else "left"
        )
    for summary in summaries:
        row = summary.as_json()
        table.add_row(
            row["thread_id"],
            str(row["checkpoints"]),
            str(len(row["namespaces"])),
            row["updated_at"],
            str(row["step"]),
            ", ".join(row["next"]) or "-",
            str(row["bytes"]),
        )
    console().print(table)


def history_rows(
    items: Sequence[CheckpointTuple],
    parents: dict[str, CheckpointTuple],
    codec: MsgpackSerializer,
) -> list[dict[str, Any]]:
    """The JSON rows of ``cairn history``, in the order of ``items``."""
    rows = []
    for item in items:
        parent_config = item.parent_config
        parent_id = (
            None if parent_config is None else parent_config["configurable"].get("checkpoint_id")
        )
        parent = parents.get(str(parent_id)) if parent_id else None
        before = user_values(parent) if parent is not None else {}
        values = user_values(item)
        changed = sorted(
            key
            for key in set(values) | set(before)
            if values.get(key, _GONE) != before.get(key, _GONE)
        )
        rows.append(
            {
                "checkpoint_id": checkpoint_id(item),
                "parent_checkpoint_id": parent_id,
                "step": item.metadata.get("step"),
                "source": item.metadata.get("source"),
                "nodes": writers(item),
                "next": next_nodes(item),
                "changed": changed,
                "created_at": item.checkpoint.ts,
                "bytes": encoded_size(item, codec),
            }
        )
    return rows


_GONE = object()


def subgraphs_by_step(
    saver: BaseCheckpointSaver, thread_id: str, ns: str
) -> dict[str, list[dict[str, Any]]]:
    """For each checkpoint of namespace ``ns``: the subgraph namespaces one level below it
    that saved checkpoints in the step run from it (metadata ``parents``), and how many."""
    inside = ns + "|" if ns else ""
    counts: dict[str, dict[str, int]] = {}
    for item in saver.list({"configurable": {"thread_id": thread_id}}):
        parent = parent_in(item, ns)
        item_ns = str(item.config["configurable"].get("checkpoint_ns", ""))
        if parent is None or "|" in item_ns[len(inside) :]:  # none, or nested deeper
            continue
        found = counts.setdefault(parent, {})
        found[item_ns] = found.get(item_ns, 0) + 1
    return {
        step: [
            {"checkpoint_ns": name, "checkpoints": count} for name, count in sorted(found.items())
        ]
        for step, found in counts.items()
    }


@click.command()
@click.argument("thread")
@store_options
@filter_option
@click.option(
    "--limit", type=click.IntRange(min=0), default=None, help="Show the newest N checkpoints."
)
@click.option(
    "--ns", default="", metavar="NS", help="Namespace: '' (the root graph) or a subgraph's."
)
@json_option
def history(
    thread: str, db: str | None, filters: tuple[str, ...], limit: int | None, ns: str, as_json: bool
) -> None:
    """Show a thread's checkpoints, newest first.

    Each row: step, source (input, loop, update, fork), the node(s) whose step
    made it, what runs next, the state keys that changed, when, its size, and
    the subgraph namespaces that saved checkpoints in the step run from it.
    With the group's --graph, "next" is the graph's own (get_state_history).

    Example: cairn --db data/jokes.db history jokes-1 --limit 5
    """
    wanted = parse_filter(filters)
    with opened(db, read_only=True) as saver:
        every = thread_items(saver, thread, ns)
        by_id = {checkpoint_id(item): item for item in every}
        items = (
            every
            if not wanted and limit is None
            else list(saver.list_eager(place(thread, ns), filter=wanted or None, limit=limit))
        )
        rows = history_rows(items, by_id, plain_codec(saver))
        below = subgraphs_by_step(saver, thread, ns)
        for row in rows:
            row["subgraphs"] = below.get(row["checkpoint_id"], [])
        workflow = graph_for(None, saver, required=False)
        if workflow is not None and not ns:  # the graph's own view of what runs next
            exact = {
                snapshot.config["configurable"]["checkpoint_id"]: list(snapshot.next)
                for snapshot in workflow.get_state_history(place(thread))
            }
            for row in rows:
                row["next"] = exact.get(row["checkpoint_id"], row["next"])
    if as_json:
        emit_json({"thread_id": thread, "checkpoint_ns": ns, "checkpoints": rows})
        return
    table = Table(title=f"thread {thread}: {len(rows)} of {len(every)} checkpoint(s), newest first")
    nested = any(row["subgraphs"] for row in rows)
    columns = ["step", "source", "node(s)", "next", "changed", "time", "bytes", "checkpoint"]
    for column in [*columns, *(["subgraphs of its step"] if nested else [])]:
        table.add_column(column, justify="right" if column in ("step", "bytes") else "left")
    for row in rows:
        cells = [
            str(row["step"]),
            str(row["source"]),
            ", ".join(row["nodes"]) or "-",
            ", ".join(row["next"]) or "-",
            ", ".join(row["changed"]) or "-",
            row["created_at"],
            str(row["bytes"]),
            row["checkpoint_id"],
        ]
        if nested:
            found = [f"{s['checkpoint_ns']} ({s['checkpoints']})" for s in row["subgraphs"]]
            cells.append(", ".join(found) or "-")
        table.add_row(*cells)
    console().print(table)
