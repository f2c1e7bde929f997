"""The in-memory saver's records, and its lifecycle primitives on them (``memory.py``).

Invariants: a blob ``(thread, namespace, channel, version)`` lives as long as a
checkpoint of its namespace names that version, or a live blob is a
:class:`Delta` on it (bases are kept down to the chain's root, so every kept
checkpoint stays loadable); records are immutable once saved, so a copied
thread shares them safely. A delta names its base by version only: the base
is in the same thread, namespace and channel, so a copied thread's chains hold.
Callers hold the saver's mutex.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from cairngraph.checkpoint._retention import Entry, Key, Stamp
from cairngraph.checkpoint.base import Checkpoint
from cairngraph.checkpoint.serde.base import SerializerProtocol, TypedPayload

__all__ = [
    "MAX_CHAIN",
    "MAX_POSITION",
    "Blob",
    "Blobs",
    "Delta",
    "Namespace",
    "Saved",
    "SavedWrite",
    "Threads",
    "copy",
    "index",
    "live_keys",
    "remove",
]

MAX_POSITION = 1024
"""Appends in a row stored as deltas before a list is stored whole again. A delta
at position ``p`` builds on the one at ``p & (p - 1)`` (skip deltas), so a read
decodes at most ``log2(MAX_POSITION)`` = 10 deltas on their root, and each
appended item is stored about ``log2(p) / 2`` times, not once per later step."""
MAX_CHAIN = MAX_POSITION.bit_length() - 1
"""The most deltas a read goes through down to the root."""


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


@dataclass(frozen=True, slots=True)
class Delta:
    """A list stored as the items appended since its value at version ``base``.

    The whole value is the base's first ``kept`` items, then ``items``.
    ``position`` counts the appends since the chain's root (a whole value, at 0);
    the base is at ``position & (position - 1)``, an ancestor on this channel.
    """

    base: int
    kept: int
    items: TypedPayload
    position: int


Threads = dict[str, dict[str, Namespace]]
"""thread id → namespace → its checkpoints."""
Blob = TypedPayload | Delta
"""A stored channel value: encoded whole, or a :class:`Delta` on an earlier version."""
Blobs = dict[tuple[str, str, str, int], Blob]
"""``(thread, namespace, channel, version)`` → the stored value."""


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
    live = live_keys(blobs, thread_id, spaces)
    for key in [key for key in blobs if key[0] == thread_id and key not in live]:
        del blobs[key]
    for namespace in [name for name, space in spaces.items() if not space.ids]:
        del spaces[namespace]
    if not spaces:
        threads.pop(thread_id, None)
    return removed


def live_keys(
    blobs: Blobs, thread_id: str, spaces: dict[str, Namespace]
) -> set[tuple[str, str, str, int]]:
    """The blob keys the checkpoints in ``spaces`` name, with every delta's bases."""
    live: set[tuple[str, str, str, int]] = set()
    for namespace, space in spaces.items():
        for saved in space.saved.values():
            for channel, version in saved.checkpoint.channel_versions.items():
                key = (thread_id, namespace, channel, version)
                while key not in live:
                    live.add(key)
                    blob = blobs.get(key)
                    if type(blob) is not Delta:
                        break
                    key = (thread_id, namespace, channel, blob.base)
    return live


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
