"""Saving checkpoints read from one place as they were, in another thread or another store.

Invariants:

- A copied checkpoint keeps its id, timestamp, versions, metadata and
  pending writes; only the thread id may change. Callers give checkpoints
  parents first, so only the channels whose version differs from the
  parent's are stored anew, as in the original run.
- A checkpoint's pending writes travel in the step of its first child (the
  saver contract: a step is its tasks' writes against the parent and the
  checkpoint closing it); a checkpoint with no child gets them with
  ``put_writes``. A chain of parent → child steps is saved in batches with
  ``put_steps``, one transaction (and one round trip) per batch.
- Only the public saver API is used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cairngraph.checkpoint.base import (
    BaseCheckpointSaver,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    PendingWrite,
    RunnableConfig,
    StepSave,
    TaskWrites,
)

__all__ = ["SavedCheckpoint", "changed_versions", "copy_checkpoints"]

_BATCH = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class SavedCheckpoint:
    """One checkpoint to save: where, under which parent, and what it holds."""

    thread_id: str
    ns: str
    parent_id: str | None
    checkpoint: Checkpoint
    metadata: CheckpointMetadata
    writes: tuple[PendingWrite, ...]

    @classmethod
    def of(cls, item: CheckpointTuple, thread_id: str) -> SavedCheckpoint:
        """``item`` as a checkpoint of ``thread_id``."""
        parent = item.parent_config
        return cls(
            thread_id=thread_id,
            ns=str(item.config["configurable"].get("checkpoint_ns", "")),
            parent_id=str(parent["configurable"]["checkpoint_id"]) if parent else None,
            checkpoint=item.checkpoint,
            metadata=item.metadata,
            writes=tuple(item.pending_writes),
        )

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.thread_id, self.ns, self.checkpoint.id)


def changed_versions(
    versions: Mapping[str, Any], parent_versions: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The channels of ``versions`` that are new or at another version than in the parent."""
    before = parent_versions or {}
    return {channel: v for channel, v in versions.items() if before.get(channel) != v}


def _place(thread_id: str, ns: str, checkpoint_id: str | None) -> RunnableConfig:
    configurable: dict[str, Any] = {"thread_id": thread_id, "checkpoint_ns": ns}
    if checkpoint_id is not None:
        configurable["checkpoint_id"] = checkpoint_id
    return {"configurable": configurable}


def _by_task(writes: Sequence[PendingWrite]) -> list[TaskWrites]:
    grouped: dict[str, list[tuple[str, Any]]] = {}
    for write in writes:
        grouped.setdefault(write.task_id, []).append((write.channel, write.value))
    return [TaskWrites(task_id=task, writes=found) for task, found in grouped.items()]


def _batches(
    items: Sequence[SavedCheckpoint], carried: set[tuple[str, str, str]]
) -> Iterator[list[StepSave]]:
    """The steps to save, as runs of parent → child; ``carried`` learns whose writes went along."""
    known = {item.key: item for item in items}
    batch: list[StepSave] = []
    last: tuple[str, str, str] | None = None
    for item in items:
        parent_key = (item.thread_id, item.ns, item.parent_id or "")
        parent = known.get(parent_key)
        writes: list[TaskWrites] = []
        if parent is not None and parent_key not in carried:
            writes = _by_task(parent.writes)
            carried.add(parent_key)
        step = StepSave(
            config=_place(item.thread_id, item.ns, item.parent_id),
            task_writes=writes,
            checkpoint=item.checkpoint,
            metadata=item.metadata,
            new_versions=changed_versions(
                item.checkpoint.channel_versions,
                parent.checkpoint.channel_versions if parent else None,
            ),
        )
        if batch and (parent_key != last or len(batch) >= _BATCH):
            yield batch
            batch = []
        batch.append(step)
        last = item.key
    if batch:
        yield batch


def copy_checkpoints(
    saver: BaseCheckpointSaver,
    items: Sequence[SavedCheckpoint],
    advance: Callable[[int], None] = lambda count: None,
) -> int:
    """Save ``items`` (parents first) with their pending writes; return how many were saved."""
    carried: set[tuple[str, str, str]] = set()
    for batch in _batches(items, carried):
        saver.put_steps(batch)
        advance(len(batch))
    for item in items:
        if item.key not in carried and item.writes:
            config = _place(item.thread_id, item.ns, item.checkpoint.id)
            for task in _by_task(item.writes):
                saver.put_writes(config, task.writes, task.task_id)
    return len(items)
