"""``cairn fork`` (copy a thread's history up to a checkpoint) and ``cairn delete``.

Invariants:

- Only these commands (and import and the graph commands) open the store
  for writing.
- ``fork`` never touches the source thread and refuses a target thread that
  already holds checkpoints. It copies the checkpoint's ancestry in the root
  namespace, oldest first, and the subgraph checkpoints saved up to it, so
  ``invoke(None, config_of_the_new_thread)`` continues from there.
- ``fork --ns`` forks at a subgraph's checkpoint: for the subgraph and each
  graph above it, the ancestry of the checkpoint whose step ran it (metadata
  ``parents``) is copied, without the pending writes of the task that runs the
  level below, so resuming runs that task again, and the subgraph continues
  from the checkpoint forked at (its namespace, ``node:task-id``, is the same,
  as the task ids come from the copied checkpoint ids).
- ``delete`` asks first unless ``--yes``; declining changes nothing and exits 1.
"""

from __future__ import annotations

import dataclasses

import click

from cairngraph.checkpoint.base import BaseCheckpointSaver, CheckpointTuple
from cairngraph.cli._app import (
    EXIT_PROBLEMS,
    CliError,
    emit_json,
    json_option,
    opened,
    store_options,
)
from cairngraph.cli._copy import SavedCheckpoint, copy_checkpoints
from cairngraph.cli._find import place, resolve, thread_items
from cairngraph.cli._view import checkpoint_id

__all__ = ["delete", "fork", "fork_thread"]


def _chain(
    everything: list[CheckpointTuple], ns: str, start: CheckpointTuple
) -> list[CheckpointTuple]:
    """``start`` and its ancestors in namespace ``ns``."""
    by_id = {checkpoint_id(item): item for item in everything if _ns(item) == ns}
    chain: list[CheckpointTuple] = []
    current: CheckpointTuple | None = start
    while current is not None:
        chain.append(current)
        parent = current.parent_config
        current = by_id.get(str(parent["configurable"].get("checkpoint_id"))) if parent else None
    return chain


def _levels(ns: str) -> list[tuple[str, str]]:
    """The graphs above subgraph ``ns``, outermost first: (their namespace, the task id of
    the level below them). ``"a:1|b:2"`` → ``[("", "1"), ("a:1", "2")]``."""
    parts = ns.split("|")
    return [
        ("|".join(parts[:depth]), parts[depth].rpartition(":")[2]) for depth in range(len(parts))
    ]


def _lineage(
    saver: BaseCheckpointSaver, thread_id: str, target: CheckpointTuple, ns: str = ""
) -> list[SavedCheckpoint]:
    """The checkpoints to copy, oldest first, as checkpoints of ``thread_id`` (see the module
    docstring); a new thread id is set by the caller."""
    everything = list(saver.list_eager({"configurable": {"thread_id": thread_id}}))
    chains = _chain(everything, ns, target)
    cut: dict[tuple[str, str], str] = {}  # (ns, checkpoint id) -> task whose writes stay behind
    root = target
    parents = target.metadata.get("parents") or {}
    for level, task in _levels(ns) if ns else []:
        anchor_id = parents.get(level)
        anchor = next(
            (i for i in everything if _ns(i) == level and checkpoint_id(i) == anchor_id), None
        )
        if anchor is None:
            raise CliError(
                f"checkpoint {checkpoint_id(target)} of namespace {ns!r} does not name the "
                f"checkpoint of {level or 'the root graph'!r} whose step ran it (metadata "
                "parents), or that checkpoint is gone; fork at a checkpoint of the root graph",
                EXIT_PROBLEMS,
            )
        chains += _chain(everything, level, anchor)
        cut[(level, checkpoint_id(anchor))] = task
        root = anchor if level == "" else root
    limit = checkpoint_id(root)
    chosen = {(_ns(item), checkpoint_id(item)): item for item in chains}
    for item in everything:
        if _ns(item) != "" and checkpoint_id(item) <= limit:
            chosen.setdefault((_ns(item), checkpoint_id(item)), item)
    ordered = sorted(chosen.values(), key=lambda item: (checkpoint_id(item), _ns(item)))
    saved = []
    for item in ordered:
        copy = SavedCheckpoint.of(item, thread_id)
        rerun = cut.get((_ns(item), checkpoint_id(item)))
        if rerun is not None:
            copy = dataclasses.replace(
                copy, writes=tuple(w for w in copy.writes if w.task_id != rerun)
            )
        saved.append(copy)
    return saved


def _ns(item: CheckpointTuple) -> str:
    return str(item.config["configurable"].get("checkpoint_ns", ""))


def fork_thread(
    saver: BaseCheckpointSaver,
    thread_id: str,
    target: CheckpointTuple,
    new_thread: str,
    ns: str = "",
) -> int:
    """Copy ``target`` (of namespace ``ns``) and the history leading to it into
    ``new_thread``; return the count."""
    if next(iter(saver.list({"configurable": {"thread_id": new_thread}}, limit=1)), None):
        raise CliError(
            f"thread {new_thread!r} already exists; pick another --to, or delete it first with: "
            f"cairn delete {new_thread}",
            EXIT_PROBLEMS,
        )
    lineage = _lineage(saver, thread_id, target, ns)
    return copy_checkpoints(
        saver, [dataclasses.replace(item, thread_id=new_thread) for item in lineage]
    )


@click.command()
@click.argument("thread")
@click.argument("checkpoint")
@click.option("--to", "new_thread", required=True, metavar="NEW", help="The new thread's id.")
@click.option(
    "--ns",
    default="",
    metavar="NS",
    help="CHECKPOINT is of this subgraph namespace (default: the root graph).",
)
@store_options
@json_option
def fork(
    thread: str, checkpoint: str, new_thread: str, ns: str, db: str | None, as_json: bool
) -> None:
    """Copy THREAD's history up to CHECKPOINT into a new thread, to resume it there.

    The source thread is not changed. Continue the new thread with
    `cairn --graph M:A resume NEW` (or invoke(None, config) in Python). With
    --ns, CHECKPOINT is a subgraph's, and the subgraph resumes from it.

    Example: cairn --db data/jokes.db fork jokes-1 1f0a --to jokes-1-retry
    """
    with opened(db, read_only=True) as saver:  # nothing to fork: nothing is opened for writing
        resolve(saver, thread, ns, checkpoint)
    with opened(db, read_only=False) as saver:
        target = resolve(saver, thread, ns, checkpoint)
        count = fork_thread(saver, thread, target, new_thread, ns)
    result = {
        "thread_id": new_thread,
        "from_thread_id": thread,
        "checkpoint_ns": ns,
        "checkpoint_id": checkpoint_id(target),
        "checkpoints": count,
    }
    if as_json:
        emit_json(result)
    else:
        click.echo(
            f"forked {thread} at {checkpoint_id(target)} into {new_thread} "
            f"({count} checkpoint(s) copied)"
        )


@click.command()
@click.argument("thread")
@click.option("--yes", "-y", is_flag=True, help="Delete without asking.")
@store_options
@json_option
def delete(thread: str, yes: bool, db: str | None, as_json: bool) -> None:
    """Delete a thread: every checkpoint, write and value only it uses.

    Asks for confirmation unless --yes. This cannot be undone (export it first).

    Example: cairn --db data/jokes.db delete jokes-1 --yes
    """
    with opened(db, read_only=True) as saver:  # asked and counted before anything may write
        count = len(thread_items(saver, thread))
        every = len(list(saver.list({"configurable": {"thread_id": thread}})))
    if not yes and not click.confirm(
        f"delete thread {thread!r} and its {every} checkpoint(s)?", default=False, err=True
    ):
        raise CliError(f"thread {thread!r} was not deleted", EXIT_PROBLEMS)
    with opened(db, read_only=False) as saver:
        saver.delete_thread(thread)
        if saver.get_tuple(place(thread)) is not None:
            raise CliError(
                f"thread {thread!r} is still there after delete_thread; run cairn verify"
            )
    if as_json:
        emit_json({"thread_id": thread, "checkpoints": every})
    else:
        click.echo(
            f"deleted thread {thread} ({every} checkpoint(s), {count} in the root namespace)"
        )
