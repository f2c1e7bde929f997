"""The refs of checkpoints a saver committed or read, so a step need not read its parent.

A step reuses its parent's refs for every unchanged channel
(:meth:`~cairngraph.checkpoint._format.Format.encode_step`). In a run the
parent is almost always the checkpoint this saver committed one step
earlier, so remembering it saves reading the parent row. Invariants: only
committed rows are learned (a rolled-back step's refs would name values
that were never stored); a miss is always safe (the parent row is read).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping

from cairngraph.checkpoint._format import Known

__all__ = ["Key", "RefsCache"]

Key = tuple[str, str, str]
"""``(thread_id, checkpoint_ns, checkpoint_id)``."""


class RefsCache:
    """Refs of recently committed or read checkpoints, by ``(thread, ns, checkpoint_id)``."""

    def __init__(self, limit: int = 4096) -> None:
        self._limit = limit
        self._mutex = threading.Lock()
        self._refs: OrderedDict[Key, Known] = OrderedDict()

    def get(self, key: Key) -> Known | None:
        with self._mutex:
            return self._refs.get(key)

    def learn(self, learned: Mapping[Key, Known]) -> None:
        with self._mutex:
            for key, refs in learned.items():
                self._refs[key] = refs
                self._refs.move_to_end(key)
            while len(self._refs) > self._limit:
                self._refs.popitem(last=False)

    def drop(self, keys: Iterable[Key]) -> None:
        """Forget these checkpoints (pruned: their refs may name freed values)."""
        with self._mutex:
            for key in keys:
                self._refs.pop(key, None)

    def forget(self, thread_id: str | None = None) -> None:
        """Forget one thread's checkpoints (every one when ``thread_id`` is None)."""
        with self._mutex:
            if thread_id is None:
                self._refs.clear()
                return
            for key in [key for key in self._refs if key[0] == thread_id]:
                del self._refs[key]
