"""The in-memory saver's records, and its lifecycle primitives on them (``memory.py``).

Invariants: a blob ``(thread, namespace, channel, version)`` lives as long as a
checkpoint of its namespace names that version; records are immutable once
saved, so a copied thread shares them safely. Callers hold the saver's mutex.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from cairngraph.checkpoint._retention import Entry, Key, Stamp
from cairngraph.checkpoint.base import Checkpoint
from cairngraph.checkpoint.serde.base import SerializerProtocol, TypedPayload

__all__ = ["Blobs", "Namespace", "Saved", "SavedWrite", "Threads", "copy", "index", "remove"]


@dataclass(frozen=True, slots=True)
class Saved:
    """A checkpoint as stored: values live in the blob table, not here."""

    checkpoint: Checkpoint
    metadata: TypedPayload
    parent_id: str | None


@dataclass(frozen=True, slots=True)
class SavedWrite:
    task_id: str
    channel: str
    value: TypedPayload
    task_path: str


class Namespace:
    """The checkpoints of one (thread, namespace), with ids kept sorted."""

    __slots__ = ("ids", "saved", "writes")

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.saved: dict[str, Saved] = {}
        self.writes: dict[str, dict[tuple[str, int], SavedWrite]] = {}


Threads = dict[str, dict[str, Namespace]]
"""thread id → namespace → its checkpoints."""
Blobs = dict[tuple[str, str, str, int], TypedPayload]
"""``(thread, namespace, channel, version)`` → the encoded value."""


def index(
    threads: Threads, serde: SerializerProtocol, thread_ids: Sequence[str] | None
) -> list[Entry]:
    """The :class:`Entry` of every checkpoint of ``thread_ids`` (of every thread when None)."""
    found = []
    for thread_id in list(threads) if thread_ids is None else thread_ids:
        for namespace, space in threads.get(thread_id, {}).items():
            for checkpoint_id in space.ids:
                saved = space.saved[checkpoint_id]
                run_id = serde.loads_typed(saved.metadata).get("run_id")
                found.append(
                    Entry(
                        thread_id,
                        namespace,
                        checkpoint_id,
                        Stamp(saved.checkpoint.ts, None if run_id is None else str(run_id)),
                    )
                )
    return found


def remove(threads: Threads, blobs: Blobs, thread_id: str, keys: Collection[Key]) -> int:
    """Delete ``keys`` with their writes, and the blobs no remaining checkpoint names."""
    removed = 0
    spaces = threads.get(thread_id, {})
    for namespace, checkpoint_id in keys:
        space = spaces.get(namespace)
        if space is None or space.saved.pop(checkpoint_id, None) is None:
            continue
        space.ids.remove(checkpoint_id)
        space.writes.pop(checkpoint_id, None)
        removed += 1
    live = {
        (thread_id, namespace, channel, version)
        for namespace, space in spaces.items()
        for saved in space.saved.values()
        for channel, version in saved.checkpoint.channel_versions.items()
    }
    for key in [key for key in blobs if key[0] == thread_id and key not in live]:
        del blobs[key]
    for namespace in [name for name, space in spaces.items() if not space.ids]:
        del spaces[namespace]
    if not spaces:
        threads.pop(thread_id, None)
    return removed


def copy(threads: Threads, blobs: Blobs, source: str, target: str) -> bool:
    """The source's checkpoints, writes and blobs again under ``target``; False when none."""
    copied: dict[str, Namespace] = {}
    for namespace, space in threads.get(source, {}).items():
        twin = copied[namespace] = Namespace()
        twin.ids = list(space.ids)
        twin.saved = dict(space.saved)
        twin.writes = {key: dict(found) for key, found in space.writes.items()}
    if not copied:
        return False
    threads[target] = copied
    for key in [key for key in blobs if key[0] == source]:
        blobs[(target, *key[1:])] = blobs[key]
    return True
