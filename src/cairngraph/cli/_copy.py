"""Saving a checkpoint read from one place as it was, in another thread or another store.

Invariants:

- A copied checkpoint keeps its id, timestamp, versions, metadata and
  pending writes; only the thread id may change. Its parent must already be
  copied (callers go oldest first), so only the channels whose version
  differs from the parent's are stored anew, as in the original run.
- Writes go through the public saver API only (``put`` and ``put_writes``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cairngraph.checkpoint.base import (
    BaseCheckpointSaver,
    Checkpoint,
    CheckpointMetadata,
    PendingWrite,
    RunnableConfig,
)

__all__ = ["changed_versions", "save_copy"]


def changed_versions(
    versions: Mapping[str, Any], parent_versions: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The channels of ``versions`` that are new or at another version than in the parent."""
    before = parent_versions or {}
    return {channel: v for channel, v in versions.items() if before.get(channel) != v}


def save_copy(
    saver: BaseCheckpointSaver,
    *,
    thread_id: str,
    ns: str,
    parent_id: str | None,
    parent_versions: Mapping[str, Any] | None,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    writes: Sequence[PendingWrite],
) -> RunnableConfig:
    """Save ``checkpoint`` and its pending writes in ``thread_id``, under ``parent_id``."""
    configurable: dict[str, Any] = {"thread_id": thread_id, "checkpoint_ns": ns}
    if parent_id is not None:
        configurable["checkpoint_id"] = parent_id
    made = saver.put(
        {"configurable": configurable},
        checkpoint,
        metadata,
        changed_versions(checkpoint.channel_versions, parent_versions),
    )
    by_task: dict[str, list[tuple[str, Any]]] = {}
    for write in writes:
        by_task.setdefault(write.task_id, []).append((write.channel, write.value))
    for task_id, task_writes in by_task.items():
        saver.put_writes(made, task_writes, task_id)
    return made
