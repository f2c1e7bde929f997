"""What a step's subgraphs saved: their checkpoints, read through the public saver API.

A subgraph run by a task of the step that starts from a checkpoint saves in
the namespace ``<parent ns>|<node>:<task id>`` (``<node>:<task id>`` below
the root graph). :func:`subgraph_rows` reads the namespaces of the step's
tasks, one bounded ``list()`` each, so a step page costs the same on any
thread. :func:`subgraph_scan` finds them all by id instead, nested ones too:
they lie between the checkpoint's id and the next one's of its namespace
(ids are time-ordered), and their metadata ``parents`` names the checkpoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cairngraph.checkpoint._parents import parent_in
from cairngraph.checkpoint.base import BaseCheckpointSaver, CheckpointTuple
from cairngraph.constants import branch_targets
from cairngraph.inspector._reads import checkpoint_id_of, thread_config

__all__ = [
    "SUBGRAPH_ROWS",
    "SubgraphRow",
    "namespaces_run",
    "parent_namespace",
    "step_namespaces",
    "subgraph_rows",
    "subgraph_scan",
]


def parent_namespace(ns: str) -> str:
    """The namespace of the graph that runs subgraph ``ns`` (``"a:1|b:2"`` → ``"a:1"``)."""
    return ns.rpartition("|")[0]


@dataclass(frozen=True, slots=True, kw_only=True)
class SubgraphRow:
    """A checkpoint a subgraph saved while running in the step that starts from a checkpoint."""

    ns: str
    checkpoint_id: str
    step: Any
    source: Any
    ts: str


SUBGRAPH_ROWS = 50
"""Subgraph checkpoints a step page lists at most (the newest); the rest are a link away."""


def _row_of(item: CheckpointTuple) -> SubgraphRow:
    return SubgraphRow(
        ns=str(item.config["configurable"].get("checkpoint_ns", "")),
        checkpoint_id=checkpoint_id_of(item),
        step=item.metadata.get("step"),
        source=item.metadata.get("source"),
        ts=item.checkpoint.ts,
    )


def step_namespaces(
    item: CheckpointTuple, tasks: Sequence[tuple[str, str]] | None, ns: str = ""
) -> list[str]:
    """The namespaces subgraphs of the step run from ``item`` would have saved in.

    A subgraph run by a task saves in ``<parent ns>|<node>:<task id>``. With
    ``tasks`` (``(name, id)`` of the step's tasks, from the graph) that is exact;
    besides, the nodes the checkpoint triggers are paired with the task ids of its
    pending writes (a task that finished or waits at an interrupt has some), so
    without a graph a subgraph cut short before any task saved a write, or run by
    a ``Send``, is found only by :func:`subgraph_scan`.
    """
    names = branch_targets(item.checkpoint.updated_channels)
    ids = dict.fromkeys(write.task_id for write in item.pending_writes)
    pairs = [*(tasks or ()), *[(name, task_id) for name in names for task_id in ids][:64]]
    prefix = ns + "|" if ns else ""
    return list(dict.fromkeys(f"{prefix}{name}:{task_id}" for name, task_id in pairs))


def namespaces_run(
    saver: BaseCheckpointSaver, thread_id: str, item: CheckpointTuple, ns: str = ""
) -> int:
    """How many subgraph namespaces saved checkpoints in the step run from ``item`` (by
    :func:`step_namespaces` without a graph): one key lookup per candidate."""
    spaces = step_namespaces(item, None, ns)
    return sum(saver.get_tuple(thread_config(thread_id, ns=space)) is not None for space in spaces)


def subgraph_rows(
    saver: BaseCheckpointSaver,
    thread_id: str,
    item: CheckpointTuple,
    *,
    ns: str = "",
    tasks: Sequence[tuple[str, str]] | None = None,
) -> tuple[tuple[SubgraphRow, ...], bool]:
    """The checkpoints subgraphs saved in the step run from ``item`` (of namespace ``ns``),
    each namespace newest first, and whether there were more than :data:`SUBGRAPH_ROWS`.

    Each namespace of :func:`step_namespaces` is read with one bounded
    ``list()``, so the cost follows the step's tasks, not the thread's length.
    """
    rows: list[SubgraphRow] = []
    for space in step_namespaces(item, tasks, ns):
        config = thread_config(thread_id, ns=space)
        rows.extend(_row_of(found) for found in saver.list(config, limit=SUBGRAPH_ROWS + 1))
        if len(rows) > SUBGRAPH_ROWS:
            return tuple(rows[:SUBGRAPH_ROWS]), True
    return tuple(rows), False


def subgraph_scan(
    saver: BaseCheckpointSaver,
    thread_id: str,
    checkpoint_id: str,
    *,
    ns: str = "",
    newer_id: str | None,
) -> tuple[tuple[SubgraphRow, ...], bool]:
    """Every checkpoint saved below namespace ``ns`` in the step run from ``checkpoint_id``
    (nested subgraphs too), newest first, and whether there were more than
    :data:`SUBGRAPH_ROWS`: found by id and ``parents``, not by task.

    ``newer_id`` is the next checkpoint of ``ns`` (None when it is the latest). The
    thread (every namespace) is listed below it in pages of 64 until ``checkpoint_id``:
    a backend sorts the thread's checkpoints below ``newer_id`` for that, so this costs
    more on a long thread; it is its own page, not part of the step page.
    """
    rows: list[SubgraphRow] = []
    cursor = newer_id
    while True:
        before = None if cursor is None else thread_config(thread_id, cursor, ns)
        page = list(saver.list({"configurable": {"thread_id": thread_id}}, before=before, limit=64))
        for item in page:
            if checkpoint_id_of(item) <= checkpoint_id:
                return tuple(rows), False
            if parent_in(item, ns) != checkpoint_id:
                continue
            if len(rows) == SUBGRAPH_ROWS:
                return tuple(rows), True
            rows.append(_row_of(item))
        if len(page) < 64:
            return tuple(rows), False
        cursor = checkpoint_id_of(page[-1])
